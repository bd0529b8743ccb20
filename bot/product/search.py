"""Questions over the whole catalog: the cheapest or dearest car (of a kind, within a budget),
the cars of a kind or within a budget, the models that have a piece of equipment."""

from typing import List, Sequence, Tuple

from bot.catalog import CarModel, Trim
from bot.product.model_facts import ModelFacts
from bot.product.numbers import wan
from bot.product.question import Query


class CatalogSearch(ModelFacts):
    """Answers over every model: the composer :func:`bot.product.answers.answer` writes with."""

    def pool(self, q: Query) -> List[Tuple[CarModel, Trim]]:
        """The trims of the kind of car asked for (all when none is), within the budget if any."""
        out = []
        for m in self.catalog.models:
            if not self.fits_kind(m, q):
                continue
            for t in m.trims:
                if q.drive and q.drive not in t.name:
                    continue
                if q.budget is not None:
                    value = self.measure(m, t, q.budget)
                    if value is None or not q.budget.admits(value):
                        continue
                out.append((m, t))
        return out

    def superlative(self, q: Query, which: str, model_asks: Sequence[str]) -> None:
        pool = self.pool(q)
        if not pool:
            self.nothing_found(q)
            return
        pick = min if which in ("cheapest", "lowest") else max
        m, t = pick(pool, key=lambda mt: mt[1].price)
        scope = self.t("scope_kind", kind=self.kind_name(q)) if q.has_kind else self.t("scope_all")
        if q.budget is not None:
            scope = self.budget_name(q.budget) + scope
        key = "cheapest" if which in ("cheapest", "lowest") else "dearest"
        self.say(self.t(key, scope=scope, model=m.name, trim=t.name, price=wan(t.price)))
        self.remember(m, [t])
        for spec in model_asks:
            if spec != "price":
                self.model_fact(spec, m, [t], q)

    def nothing_found(self, q: Query) -> None:
        kind = self.kind_name(q)
        if q.budget is not None:
            self.say(self.t("budget_none", budget=self.budget_name(q.budget), kind=kind))
            if q.has_kind and any(self.fits_kind(m, q) for m in self.catalog.models):
                self.alternatives(q)
            elif not q.has_kind:
                m = min(self.catalog.models, key=lambda m: m.price_range[0])
                t = m.cheapest_trim
                self.say(self.t("cheapest", scope=self.t("scope_all"), model=m.name, trim=t.name, price=wan(t.price)))
        else:
            self.say(self.t("kind_none", kind=kind, models=self.models_list()))
        if q.energy and all(m.energy != q.energy for m in self.catalog.models):
            self.not_sold = True

    def listing(self, q: Query, model_asks: Sequence[str]) -> None:
        pool = self.pool(q)
        if not pool:
            self.nothing_found(q)
            return
        by_model: List[Tuple[CarModel, List[Trim]]] = []
        for m, t in pool:
            if by_model and by_model[-1][0].name == m.name:
                by_model[-1][1].append(t)
            else:
                by_model.append((m, [t]))
        items = []
        for m, trims in by_model:
            if len(trims) == 1:
                items.append(self.price_item(m.name + trims[0].name, trims[0].price))
            else:
                items.append(self.t("from_item", name=m.name, price=wan(min(t.price for t in trims))))
            self.remember(m, trims if len(trims) < len(m.trims) else None)
        kind = self.kind_name(q)
        if q.budget is not None:
            self.say(self.t("budget_found", budget=self.budget_name(q.budget), kind=kind, items=self.t.join(items)))
        elif "price" in model_asks:  # 四驱的多少钱
            self.say(self.t("kind_prices", kind=kind, items=self.t.join(items)))
        else:  # 有七座的吗
            self.say(self.t("kind_found", kind=kind, items=self.t.join(items)))
        for spec in model_asks:
            if spec != "price":
                for m, trims in by_model:
                    self.model_fact(spec, m, trims if len(trims) < len(m.trims) else None, q)

    def feature_models(self, feature: str) -> None:
        """哪款有全景天窗: the models (and trims) that have it; the models without data said so."""
        items, unknown = [], []
        for m in self.catalog.models:
            having = m.features.get(feature)
            if having is None:
                unknown.append(m.name)
            elif having:
                trims = "" if len(having) == len(m.trims) else "（" + self.t.join(having) + "）"
                items.append(m.name + trims)
        if items:
            self.say(self.t("feature_models", feature=feature, items=self.t.join(items)))
        elif not unknown:
            self.say(self.t("feature_no_models", feature=feature))
        if unknown:
            self.say_unknown(self.t("about_model", model=self.t.join(unknown), label=feature))
