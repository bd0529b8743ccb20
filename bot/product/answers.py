"""Answering a visitor's fact question from the dealer's catalog: what it asks (bot.product.question)
decides which facts are said (bot.product.showroom, bot.product.model_facts, bot.product.search).

The fact comes first and the answer stays short; every figure comes from the catalog; a fact the
catalog lacks gets the honest "not known" sentence; a model or trim the dealer does not sell gets
what the dealer does sell. The sentences are data (data/product_answers.yml).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, List, Optional, Sequence, Tuple

from bot.catalog import CarModel, Catalog, Trim
from bot.product.knowledge import ProductKnowledge, get_product_knowledge
from bot.product.numbers import wan
from bot.product.question import Query, QuestionReader
from bot.product.search import CatalogSearch
from bot.product.vocabulary import DEALER_SPECS, SPECS


@dataclass(frozen=True)
class ProductAnswer:
    text: str  # empty when the text asks nothing the engine can read
    specs: Tuple[str, ...] = ()  # what was asked: spec names, plus feature / colours / cheapest / dearest / budget
    model: Optional[str] = None  # the model the answer is about (the subject for follow-ups)
    trim: Optional[str] = None  # the trim, when the answer is about one
    honest_unknown: bool = False  # some of what was asked is not in the catalog, and the answer says so
    not_sold: bool = False  # a model or trim the dealer does not sell was asked for
    query: Query = field(default_factory=Query)  # the question as read, for reading a follow-up
    follow_up: bool = False  # the text asked nothing itself: it repeats the previous question (那远山呢, 油耗呢)

    @property
    def answered(self) -> bool:
        return bool(self.text)

    @property
    def subject(self) -> Optional[str]:
        """What a follow-up (它油耗多少, 那旗舰版呢) is about: 远山 or 远山两驱豪华版."""
        if self.model is None:
            return None
        return self.model + (self.trim or "")


def _trims_for(
    model: CarModel, q: Query, subject: Optional[CarModel], subject_trims: Sequence[str]
) -> Optional[List[Trim]]:
    """The trims a question is about: named, or the lowest / highest, or the subject's; None: all."""
    found = [model.trim_by_name(t) for m, t in q.trims if m == model.name]
    named = [t for t in found if t is not None]
    if named:
        return named
    which = q.rank or ({"cheapest": "lowest", "dearest": "highest"}.get(q.superlative or ""))
    if which == "lowest":
        return [model.cheapest_trim]
    if which == "highest":
        return [model.dearest_trim]
    if subject is not None and subject.name == model.name and subject_trims:
        trims = [model.trim_by_name(t) for t in subject_trims]
        return [t for t in trims if t is not None] or None
    return None


def answer(
    text: str,
    catalog: Catalog,
    subject: Optional[str] = None,
    now: Optional[datetime] = None,
    *,
    previous: Optional[ProductAnswer] = None,
    knowledge: Optional[ProductKnowledge] = None,
) -> ProductAnswer:
    """Answers a visitor's fact question from ``catalog``.

    Args:
        text: what the visitor typed.
        catalog: the dealer's catalog.
        subject: the car talked about so far (a model name, or a model and trim: 远山两驱豪华版),
            for 它油耗多少 / 那旗舰版呢; ``previous.subject`` when not given.
        now: the showroom's local time (opening hours, tax rules by date); the current time if None.
        previous: the answer before this one in the conversation: 那远山呢 asks what it asked.
        knowledge: vocabulary and sentences (default: the project's data files).

    Returns:
        The answer; its text is empty when ``text`` asks nothing the engine can read.
    """
    knowledge = knowledge or get_product_knowledge()
    now = now or datetime.now()
    reader = QuestionReader(catalog, knowledge)
    if subject is None and previous is not None:
        subject = previous.subject
    subject_model: Optional[CarModel] = None
    subject_trims: List[str] = []
    if subject:
        s = reader.read(subject)
        if s.models:
            subject_model = catalog.model_by_name(s.models[0])
            subject_trims = [t for m, t in s.trims if m == s.models[0]]
    q = reader.read(text, subject_model)
    follow_up = False
    if previous is not None:
        alone = q
        q = q.following(previous.query)
        follow_up = q is not alone
    c = CatalogSearch(catalog, knowledge, now)
    asked: List[str] = list(q.specs)

    for spec in q.specs:
        if spec in DEALER_SPECS:
            c.dealer_fact(spec)
    model_asks = [s for s in q.specs if s not in DEALER_SPECS]
    for extra, wanted in (("feature", q.features), ("colours", q.colours)):
        if wanted and extra not in model_asks:
            model_asks.append(extra)
            asked.append(extra)
    if q.price_if_alone and not model_asks and not q.unknown_topic and not c.parts:
        model_asks.append("price")
        asked.append("price")

    # Names the dealer does not sell: say what it does sell instead.
    variant_bases = {ns.model for ns in q.not_sold if ns.model}
    models = [m for m in (catalog.model_by_name(n) for n in q.models if n not in variant_bases) if m is not None]
    for ns in q.not_sold:
        if ns.model or not models:
            c.not_sold_answer(ns)
    if q.not_sold and not models:
        return _result(c, asked, q, follow_up)

    catalog_wide = not models and not q.pronoun and bool(q.superlative or q.budget is not None or q.has_kind)
    wants_model = bool(model_asks or q.rank or q.unknown_topic or q.has_kind or q.budget is not None)
    if not models and not catalog_wide and subject_model is not None and (wants_model or q.pronoun):
        models = [subject_model]

    if models:
        for model in models:
            _about_model(c, model, _trims_for(model, q, subject_model, subject_trims), q, model_asks, asked)
    elif catalog_wide or q.rank:
        which = q.superlative or {"lowest": "cheapest", "highest": "dearest"}.get(q.rank or "")
        if which:
            asked.append(which)
            c.superlative(q, which, model_asks)
        else:
            asked.append("budget" if q.budget is not None else "kind")
            c.listing(q, model_asks)
    else:
        _about_all_models(c, q, model_asks)
    return _result(c, asked, q, follow_up)


def _about_model(
    c: CatalogSearch, model: CarModel, trims: Optional[List[Trim]], q: Query, model_asks: List[str], asked: List[str]
) -> None:
    asks = list(model_asks)
    c.remember(model, trims)
    # A kind of car named with the model: a version it does not come in (远山混动版, 晨风SUV), or
    # with nothing else asked, the question what it is (晨风是轿车还是SUV, 星河是纯电的吗).
    mismatch = False
    if q.energy and model.energy != q.energy:
        c.say(c.t("not_sold_kind", model=model.name, energy=model.energy, kind=q.energy))
        mismatch = True
    if q.body and q.body.lower() not in model.body.lower():
        c.say(c.t("not_sold_body", model=model.name, body=model.body, kind=q.body))
        mismatch = True
    if q.drive and not any(q.drive in t.name for t in model.trims):
        c.say(c.t("not_sold_variant", asked=model.name + q.drive, model=model.name, items=c.trim_list(model)))
        mismatch = True
    elif q.drive and not trims:
        trims = [t for t in model.trims if q.drive in t.name]
    if mismatch:
        c.not_sold = True
        if not asks:
            return
    if not asks:
        if q.energy or q.body:
            c.say(
                c.t("energy", model=model.name, energy=model.energy)
                if q.energy
                else c.t("body", model=model.name, body=model.body)
            )
            asked.append("energy" if q.energy else "body")
            return
        if q.seats or q.people:
            asks = ["seats"]
        elif q.budget is not None:
            asked.append("budget")
            # 14万能买到星河长续航吗: the trim's price, and within the budget or what is
            named = [t for t in trims or [] if (model.name, t.name) in q.trims]
            all_fit = True
            for t in named:
                value = c.measure(model, t, q.budget)
                if value is not None and q.budget.admits(value):
                    c.say_trim("budget_trim_yes", model, t, price=wan(t.price), budget=c.budget_name(q.budget))
                else:
                    all_fit = False
                    c.say_trim("price_trim", model, t, price=wan(t.price))
            if not named or not all_fit:
                c.model_budget(model, q.budget)
            return
        elif q.unknown_topic and q.question:  # 远山有没有HUD: not known, unless the FAB text names it
            if not c.fab_mentions(model, q.leftover):
                c.say_unknown()
            return
        elif q.unknown_topic:  # 我想周六试驾晨风: no question for this engine
            return
        elif any(spec in DEALER_SPECS for spec in q.specs):  # 远山质保几年: the showroom's answer is the answer
            return
        else:
            asks = ["price"]
        asked.extend(a for a in asks if a not in asked)
    if q.rank and not q.trims and asks == ["price"] and trims:
        key = "lowest_trim" if q.rank == "lowest" else "highest_trim"
        c.say_trim(key, model, trims[0], price=wan(trims[0].price))
        return
    for spec in asks:
        c.model_fact(spec, model, trims, q)
    if q.unknown_topic:  # equipment named besides (电池安全吗 有没有热失控预警)
        c.fab_mentions(model, q.leftover)


def _about_all_models(c: CatalogSearch, q: Query, model_asks: List[str]) -> None:
    """A question naming no model, with none talked about: the facts for every model, briefly."""
    catalog = c.catalog
    if q.features:
        for f in q.features:
            c.feature_models(f)
    for spec in model_asks:
        if spec == "feature" and q.features:
            continue
        if spec == "price":
            c.say(c.t("price_models", count=len(catalog.models), items=c.models_list()))
        elif spec in ("monthly", "down_payment", "on_the_road"):
            c.from_prices(spec)
        elif spec not in SPECS:
            c.say_unknown(c.vocab.label(spec))
        else:
            for model in catalog.models:
                c.model_fact(spec, model, None, q)


def _result(c: CatalogSearch, asked: Iterable[str], q: Query, follow_up: bool = False) -> ProductAnswer:
    model = trim = None
    if c.about:
        m, trims = c.about[0]
        model = m.name
        if trims and len(trims) == 1:
            trim = trims[0].name
    return ProductAnswer(
        "".join(c.parts), tuple(dict.fromkeys(asked)), model, trim, c.unknown, c.not_sold, q, follow_up
    )
