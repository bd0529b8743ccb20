"""Facts about one model (and its trims): price, economy, range, seats, equipment, colours,
on-the-road estimate, monthly and down payment... and what the dealer sells instead of a name
it does not."""

from typing import List, Optional, Sequence

from bot.catalog import CarModel, Trim
from bot.product.compose import ELECTRIC
from bot.product.numbers import money, percent, wan, yuan
from bot.product.question import Budget, NotSold, Query
from bot.product.showroom import ShowroomFacts
from bot.product.vocabulary import SPECS


class ModelFacts(ShowroomFacts):
    """Says one spec of one model: ``model_fact(spec, ...)`` calls ``fact_<spec>``; a spec of
    not_in_catalog is said to be not known."""

    def model_fact(self, spec: str, model: CarModel, trims: Optional[Sequence[Trim]], q: Query) -> None:
        self.remember(model, trims)
        if spec not in SPECS:  # a fact the catalog never holds
            trim = trims[0] if trims and len(trims) == 1 else None
            self.say_unknown(self.about_model(model, spec, trim))
            return
        getattr(self, f"fact_{spec}")(model, trims, q)

    def say_trim(self, key: str, model: CarModel, trim: Trim, **values: object) -> None:
        """The sentence ``key`` about one trim of a model: ``model`` and ``trim`` are its names."""
        self.say(self.t(key, model=model.name, trim=trim.name, **values))

    def fact_price(self, model: CarModel, trims: Optional[Sequence[Trim]], q: Query) -> None:
        if trims and len(trims) == 1:
            self.say_trim("price_trim", model, trims[0], price=wan(trims[0].price))
        elif trims:
            self.say(model.name + self.trim_list(model, trims) + "。")
        else:
            low, high = model.price_range
            self.say(self.t("price_model", model=model.name, low=wan(low), high=wan(high), items=self.trim_list(model)))

    def fact_economy(self, model: CarModel, trims, q: Query) -> None:
        if model.energy == ELECTRIC:  # no fuel; the ranges the catalog holds say the rest
            self.say(self.t("economy_electric", model=model.name))
            for trim in trims or model.trims:
                if trim.range_km is not None and model.range_cycle:
                    self.say_trim("range", model, trim, cycle=model.range_cycle, km=trim.range_km)
        elif model.economy:
            self.say(self.t("economy", model=model.name, economy=model.economy))
        else:
            self.say_unknown(self.about_model(model, "economy"))

    def fact_range(self, model: CarModel, trims, q: Query) -> None:
        if model.energy != ELECTRIC:
            if model.economy:
                self.say(self.t("range_fuel", model=model.name, economy=model.economy))
            self.say_unknown(self.about_model(model, "range"))
            return
        chosen = trims or model.trims
        for trim in chosen:  # the facts first, then what is not known
            if trim.range_km is not None and model.range_cycle:
                self.say_trim("range", model, trim, cycle=model.range_cycle, km=trim.range_km)
        for trim in chosen:
            if trim.range_km is None or not model.range_cycle:
                self.say_unknown(self.about_model(model, "range", trim))

    def fact_seats(self, model: CarModel, trims, q: Query) -> None:
        count = q.people or q.seats
        if count:
            key = "seats_fit" if model.seats >= count else "seats_short"
            self.say(self.t(key, model=model.name, seats=model.seats, people=count))
            if model.seats < count:
                self.alternatives(q)
        else:
            self.say(self.t("seats", model=model.name, seats=model.seats, body=model.body))

    def alternatives(self, q: Query) -> None:
        """The cheapest car of the kind asked for (七座: 远山Pro), after a no."""
        pool = [(m, t) for m in self.catalog.models if self.fits_kind(m, q) for t in m.trims]
        if pool:
            m, t = min(pool, key=lambda mt: mt[1].price)
            self.say_trim("nearest", m, t, kind=self.kind_name(q), price=wan(t.price))

    def fact_feature(self, model: CarModel, trims, q: Query) -> None:
        if q.features:
            for f in q.features:
                self.feature(model, trims, f)
            return
        if not model.features:
            self.say_unknown(self.about_model(model, "feature"))
            return
        if trims and len(trims) == 1:
            having = [name for name, on in model.features.items() if trims[0].name in on]
            if having:
                self.say_trim("feature_list_trim", model, trims[0], items=self.t.join(having))
                return
        items: List[str] = []
        for name, on in model.features.items():
            if not on:
                continue
            if len(on) == len(model.trims):
                items.append(self.t("feature_item_all", feature=name))
            else:
                items.append(self.t("feature_item", feature=name, trims=self.t.join(on)))
        self.say(self.t("feature_list", model=model.name, items=self.t.join(items)))

    def feature(self, model: CarModel, trims, name: str) -> None:
        self.remember(model, trims)
        having = model.features.get(name)
        if having is None:
            trim = trims[0] if trims and len(trims) == 1 else None
            self.say_unknown(f"{model.name}{trim.name if trim else ''}的{name}")
            return
        if trims:
            for trim in trims:
                if trim.name in having:
                    self.say_trim("feature_trim_yes", model, trim, feature=name)
                elif having:
                    self.say_trim("feature_trim_no_but", model, trim, feature=name, having=self.t.join(having))
                else:
                    self.say_trim("feature_trim_no", model, trim, feature=name)
        elif not having:
            self.say(self.t("feature_none", model=model.name, feature=name))
        elif len(having) == len(model.trims):
            self.say(self.t("feature_all", model=model.name, feature=name))
        else:
            lacking = [t.name for t in model.trims if t.name not in having]
            self.say(
                self.t(
                    "feature_some",
                    model=model.name,
                    feature=name,
                    having=self.t.join(having),
                    lacking=self.t.join(lacking),
                )
            )

    def fact_colours(self, model: CarModel, trims, q: Query) -> None:
        if not model.colours:
            self.say_unknown(self.about_model(model, "colours"))
            return
        if q.colours:
            for c in q.colours:
                matching = [name for name in model.colours if c in name]
                if matching:
                    self.say(self.t("colour_yes", model=model.name, colours=self.t.join(matching)))
                else:
                    self.say(self.t("colour_no", model=model.name, colour=c, colours=self.t.join(model.colours)))
            return
        self.say(self.t("colours", model=model.name, count=len(model.colours), colours=self.t.join(model.colours)))

    def _text_fact(self, spec: str, key: str, model: CarModel, value: Optional[object], name: str) -> None:
        if value is None:
            self.say_unknown(self.about_model(model, spec))
        else:
            self.say(self.t(key, model=model.name, **{name: value}))

    def fact_body(self, model: CarModel, trims, q: Query) -> None:
        self.say(self.t("body", model=model.name, body=model.body))

    def fact_popularity(self, model: CarModel, trims, q: Query) -> None:
        self._text_fact("popularity", "popularity", model, model.monthly_orders, "orders")

    def fact_popular_trim(self, model: CarModel, trims, q: Query) -> None:
        trim = model.trim_by_name(model.popular_trim)
        if trim is None:
            self.say_unknown(self.about_model(model, "popular_trim"))
        else:
            self.say_trim("popular_trim", model, trim, price=wan(trim.price))

    def fact_dealer(self, model: CarModel, trims, q: Query) -> None:
        self.dealer_fact("dealer")

    def fact_trade_in(self, model: CarModel, trims, q: Query) -> None:
        self.dealer_fact("trade_in")

    def fact_finance_plan(self, model: CarModel, trims, q: Query) -> None:
        self.dealer_fact("finance_plan")

    def fab_mentions(self, model: CarModel, words: Sequence[str]) -> bool:
        """Equipment named in words the vocabulary does not know, found in the model's FAB text
        (远山pro有几个气囊: 九气囊和L2级辅助驾驶), unless the answer already speaks of it (后排 in
        远山Pro全系都有后排独立空调). Whether any was found."""
        said = "".join(self.parts)
        words = [w for w in words if len(w) >= 2 and w not in said]
        found = False
        for fab in model.fab.values():
            if any(w in fab.feature for w in words):
                self.say(self.t("fab", model=model.name, feature=fab.feature, advantage=fab.advantage))
                found = True
        return found

    def fact_maintenance_cost(self, model: CarModel, trims, q: Query) -> None:
        self._text_fact("maintenance_cost", "maintenance_cost", model, model.maintenance_cost, "maintenance")

    def fact_delivery(self, model: CarModel, trims, q: Query) -> None:
        self._text_fact("delivery", "delivery", model, model.delivery_weeks, "weeks")

    def fact_safety_rating(self, model: CarModel, trims, q: Query) -> None:
        self._text_fact("safety_rating", "safety_rating", model, model.safety_rating, "rating")

    def fact_engine(self, model: CarModel, trims, q: Query) -> None:
        if model.energy == ELECTRIC and not model.engine:
            self.say(self.t("engine_electric", model=model.name))
        else:
            self._text_fact("engine", "engine", model, model.engine, "engine")

    def fact_on_the_road(self, model: CarModel, trims, q: Query) -> None:
        rates = self.catalog.on_the_road
        chosen = trims or model.trims
        found = [(t, self.estimate(model, t)) for t in chosen]
        estimates = [(t, e) for t, e in found if e is not None]
        if rates is None or len(estimates) < len(found):
            self.say_unknown(self.about_model(model, "on_the_road"))
            return
        if len(chosen) == 1:
            t, e = estimates[0]
            self.say_trim(
                "on_the_road_trim",
                model,
                t,
                total=wan(e.total),
                price=wan(t.price),
                tax=money(e.purchase_tax),
                insurance=money(e.insurance),
                registration=money(e.registration_fee),
                note=rates.note,
            )
        else:
            items = self.t.join(self.t("on_the_road_item", trim=t.name, total=wan(e.total)) for t, e in estimates)
            self.say(self.t("on_the_road_model", model=model.name, items=items, note=rates.note))

    def fact_monthly(self, model: CarModel, trims, q: Query) -> None:
        plan = self.plan()
        if plan is None:
            self.say_unknown(self.about_model(model, "monthly"))
            return
        chosen = trims or model.trims
        if len(chosen) == 1:
            t = chosen[0]
            self.say_trim(
                "monthly_trim",
                model,
                t,
                plan=plan.name,
                ratio=percent(plan.down_payment_ratio),
                down=wan(round(t.price * plan.down_payment_ratio)),
                months=plan.months,
                monthly=yuan(plan.monthly_payment(t.price)),
            )
        else:
            items = self.t.join(
                self.t("monthly_item", trim=t.name, monthly=yuan(plan.monthly_payment(t.price))) for t in chosen
            )
            self.say(
                self.t(
                    "monthly_model",
                    model=model.name,
                    plan=plan.name,
                    ratio=percent(plan.down_payment_ratio),
                    months=plan.months,
                    items=items,
                )
            )

    def fact_down_payment(self, model: CarModel, trims, q: Query) -> None:
        plan = self.plan()
        if plan is None:
            self.say_unknown(self.about_model(model, "down_payment"))
            return
        chosen = trims or model.trims
        ratio = percent(plan.down_payment_ratio)
        if len(chosen) == 1:
            t = chosen[0]
            self.say_trim(
                "down_payment_trim",
                model,
                t,
                plan=plan.name,
                ratio=ratio,
                down=wan(round(t.price * plan.down_payment_ratio)),
            )
        else:
            items = self.t.join(self.price_item(t.name, round(t.price * plan.down_payment_ratio)) for t in chosen)
            self.say(self.t("down_payment_model", model=model.name, plan=plan.name, ratio=ratio, items=items))

    def model_budget(self, model: CarModel, budget: Budget) -> None:
        """远山20万以内能买哪个: the model's trims within the budget, or all of them with a no."""
        fitting = [t for t in model.trims if (v := self.measure(model, t, budget)) is not None and budget.admits(v)]
        self.remember(model, fitting or None)
        if fitting:
            self.say(
                self.t(
                    "budget_found",
                    budget=self.budget_name(budget),
                    kind=model.name,
                    items=self.trim_list(model, fitting),
                )
            )
        else:
            self.say(self.t("budget_none", budget=self.budget_name(budget), kind=model.name))
            low, high = model.price_range
            self.say(self.t("price_model", model=model.name, low=wan(low), high=wan(high), items=self.trim_list(model)))

    def from_prices(self, spec: str) -> None:
        """Monthly payment, down payment or on-the-road estimate of every model, from its lowest trim."""
        plan = self.plan()
        values = []
        for m in self.catalog.models:
            t = m.cheapest_trim
            if spec == "on_the_road":
                est = self.estimate(m, t)
                value = est.total if est else None
            elif plan is None:
                value = None
            elif spec == "monthly":
                value = plan.monthly_payment(t.price)
            else:
                value = round(t.price * plan.down_payment_ratio)
            if value is None:
                self.say_unknown(self.vocab.label(spec))
                return
            values.append(self.t("from_item", name=m.name, price=money(value) if spec == "monthly" else wan(value)))
        items = self.t.join(values)
        if spec == "on_the_road":
            assert self.catalog.on_the_road is not None  # every model had an estimate
            self.say(self.t("on_the_road_models", items=items, note=self.catalog.on_the_road.note))
        else:
            assert plan is not None
            fields = dict(plan=plan.name, ratio=percent(plan.down_payment_ratio), items=items)
            if spec == "monthly":
                self.say(self.t("monthly_models", months=plan.months, **fields))
            else:
                self.say(self.t("down_payment_models", **fields))

    # ------------------------------------------------------------------ not sold

    def not_sold_answer(self, ns: NotSold) -> None:
        self.not_sold = True
        base = self.catalog.model_by_name(ns.model) if ns.model else None
        if base is not None:
            self.remember(base, None)
            self.say(self.t("not_sold_variant", asked=ns.asked, model=base.name, items=self.trim_list(base)))
        else:
            self.say(
                self.t(
                    "not_sold_other",
                    brand=self.catalog.dealer.brand,
                    asked=ns.asked,
                    models=self.t.join(m.name for m in self.catalog.models),
                )
            )
