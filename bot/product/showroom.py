"""Facts about the showroom: address, phone, opening hours (with today's status), warranty,
service network, the dealer's name and brand, trade-in and the finance plan."""

from datetime import date, timedelta

from bot.product.compose import Composer
from bot.product.numbers import percent, yuan

# How far ahead closed dates are mentioned with the opening hours.
CLOSED_DAYS_AHEAD = timedelta(days=14)


class ShowroomFacts(Composer):
    """Says the showroom's facts (the specs in DEALER_SPECS)."""

    def dealer_fact(self, spec: str) -> None:
        if spec == "hours":
            self.hours()
            return
        d = self.catalog.dealer
        if spec == "dealer":
            self.say(self.t("dealer", name=d.name, brand=d.brand))
            return
        if spec == "trade_in":
            self.trade_in()
            return
        if spec == "finance_plan":
            plan = self.plan()
            if plan is None:
                self.say_unknown(self.vocab.label(spec))
            else:
                self.say(
                    self.t(
                        "finance_plan",
                        plan=plan.name,
                        ratio=percent(plan.down_payment_ratio),
                        months=plan.months,
                        rate=percent(plan.annual_rate),
                    )
                )
            return
        value = {"address": d.address, "phone": d.phone, "warranty": d.warranty, "service": d.service_outlets}[spec]
        if value:
            self.say(self.t(spec, **{spec: value}))
        else:
            self.say_unknown(self.vocab.label(spec))

    def trade_in(self) -> None:
        t = self.catalog.trade_in
        if t is None or (t.subsidy is None and t.policy is None):
            self.say_unknown(self.vocab.label("trade_in"))
            return
        if t.subsidy:
            self.say(self.t("trade_in_subsidy", subsidy=yuan(t.subsidy)))
        if t.policy:
            self.say(self.t("trade_in_policy", policy=t.policy))

    def hours(self) -> None:
        h = self.catalog.dealer.opening_hours
        if h is None:
            self.say_unknown(self.vocab.label("hours"))
            return
        now = self.now
        if h.is_open(now):
            status = self.t("hours_open_now")
        else:
            opens = h.next_open(now, timedelta(0))
            if opens.date() == now.date():
                when = self.t("when_today")
            elif opens.date() == now.date() + timedelta(days=1):
                when = self.t("when_tomorrow")
            else:
                when = self.date(opens.date())
            status = self.t("hours_closed_now", when=when, time=f"{opens.hour}:{opens.minute:02d}")
        text = self.t("hours", hours=h.describe(), status=status)
        soon = sorted(d for d in h.closed if now.date() <= d <= now.date() + CLOSED_DAYS_AHEAD)
        if soon:
            text += self.t("hours_closed_days", dates=self.t.join(self.date(d) for d in soon))
        self.say(text)

    def date(self, day: date) -> str:
        return self.t("date", month=day.month, day=day.day)
