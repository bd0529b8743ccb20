"""The answer being written: its sentences, its flags (honest unknown, not sold), the cars it is
about, and the helpers every part of it uses (lists of prices, kinds of car, budgets)."""

from datetime import datetime
from typing import List, Optional, Sequence, Tuple

from bot.catalog import CarModel, Catalog, FinancePlan, OnTheRoadEstimate, Trim
from bot.product.knowledge import ProductKnowledge
from bot.product.numbers import hanzi, money, wan
from bot.product.question import Budget, Query

ELECTRIC = "纯电"  # the catalog's energy of a car that burns no fuel and has no engine


class Composer:
    """One answer being written. Sentences are said once each, in order; ``about`` keeps the cars
    the answer is about (the first is the subject of a follow-up)."""

    def __init__(self, catalog: Catalog, knowledge: ProductKnowledge, now: datetime) -> None:
        self.catalog = catalog
        self.t = knowledge.templates
        self.vocab = knowledge.vocabulary
        self.now = now
        self.parts: List[str] = []
        self.unknown = False
        self.not_sold = False
        self.about: List[Tuple[CarModel, Optional[Sequence[Trim]]]] = []

    # ------------------------------------------------------------------ helpers

    def say(self, text: str) -> None:
        if text and text not in self.parts:
            self.parts.append(text)

    def say_unknown(self, about: Optional[str] = None) -> None:
        self.unknown = True
        self.say(self.t("unknown_about", about=about) if about else self.t("unknown"))

    def about_model(self, model: CarModel, spec: str, trim: Optional[Trim] = None) -> str:
        return self.t("about_model", model=model.name + (trim.name if trim else ""), label=self.vocab.label(spec))

    def price_item(self, name: str, price: int) -> str:
        return self.t("price_item", name=name, price=wan(price))

    def trim_list(self, model: CarModel, trims: Optional[Sequence[Trim]] = None) -> str:
        return self.t.join(self.price_item(t.name, t.price) for t in (trims or model.trims))

    def models_list(self) -> str:
        return self.t.join(self.t("from_item", name=m.name, price=wan(m.price_range[0])) for m in self.catalog.models)

    def plan(self) -> Optional[FinancePlan]:
        return self.catalog.financing[0] if self.catalog.financing else None

    def remember(self, model: CarModel, trims: Optional[Sequence[Trim]]) -> None:
        if all(m.name != model.name for m, _ in self.about):
            self.about.append((model, trims))

    def kind_name(self, q: Query) -> str:
        parts = []
        count = q.seats or q.people
        if count:
            parts.append(self.t("kind_seats", count=hanzi(count)))
        if q.energy:
            parts.append(self.t("kind_energy", energy=q.energy))
        if q.drive:
            parts.append(self.t("kind_drive", drive=q.drive))
        if q.body:
            parts.append(q.body)
        else:
            parts.append(self.t("kind_car_suffix"))
        return "".join(parts) if q.has_kind else self.t("kind_any")

    @staticmethod
    def fits_kind(model: CarModel, q: Query) -> bool:
        count = q.seats or q.people
        if count and model.seats < count:
            return False
        if q.energy and model.energy != q.energy:
            return False
        if q.body and q.body.lower() not in model.body.lower():
            return False
        if q.drive and not any(q.drive in t.name for t in model.trims):
            return False
        return True

    def measure(self, model: CarModel, trim: Trim, budget: Budget) -> Optional[int]:
        if budget.measure == "monthly":
            plan = self.plan()
            return plan.monthly_payment(trim.price) if plan else None
        if budget.measure == "down_payment":
            plan = self.plan()
            return round(trim.price * plan.down_payment_ratio) if plan else None
        if budget.measure == "on_the_road":
            est = self.estimate(model, trim)
            return est.total if est else None
        return trim.price

    def estimate(self, model: CarModel, trim: Trim) -> Optional[OnTheRoadEstimate]:
        rates = self.catalog.on_the_road
        return rates.estimate(trim.price, model.energy, self.now.date()) if rates else None

    def budget_name(self, budget: Budget) -> str:
        fmt = money if budget.measure in ("monthly", "down_payment") else wan
        if budget.kind == "range":
            text = self.t("budget_range", low=fmt(budget.low or 0), high=fmt(budget.high or 0))
        else:
            text = self.t(f"budget_{budget.kind}", amount=fmt(budget.amount))
        if budget.measure != "price":
            text = self.t(f"budget_{budget.measure}", amount=text)
        return text
