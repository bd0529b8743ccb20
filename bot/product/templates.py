"""The answer sentences: data/product_answers.yml, each checked on load for the placeholders it may use."""

import functools
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Union

from bot.validation import Checker
from bot.yamlfile import read_yaml

_M, _T, _P = "model", "trim", "price"

# Every sentence the engine needs, and the placeholders it fills in.
FIELDS: Dict[str, FrozenSet[str]] = {
    k: frozenset(v)
    for k, v in {
        "unknown": (),
        "unknown_about": ("about",),
        "about_model": (_M, "label"),
        "separator": (),
        "price_item": ("name", _P),
        "from_item": ("name", _P),
        "price_trim": (_M, _T, _P),
        "price_model": (_M, "low", "high", "items"),
        "price_models": ("count", "items"),
        "cheapest": ("scope", _M, _T, _P),
        "dearest": ("scope", _M, _T, _P),
        "scope_all": (),
        "scope_kind": ("kind",),
        "lowest_trim": (_M, _T, _P),
        "highest_trim": (_M, _T, _P),
        "budget_max": ("amount",),
        "budget_min": ("amount",),
        "budget_around": ("amount",),
        "budget_range": ("low", "high"),
        "budget_monthly": ("amount",),
        "budget_down_payment": ("amount",),
        "budget_on_the_road": ("amount",),
        "budget_found": ("budget", "kind", "items"),
        "budget_none": ("budget", "kind"),
        "kind_found": ("kind", "items"),
        "kind_prices": ("kind", "items"),
        "kind_none": ("kind", "models"),
        "nearest": ("kind", _M, _T, _P),
        "budget_trim_yes": (_M, _T, _P, "budget"),
        "kind_seats": ("count",),
        "kind_energy": ("energy",),
        "kind_drive": ("drive",),
        "kind_any": (),
        "kind_car_suffix": (),
        "seats": (_M, "seats", "body"),
        "seats_fit": (_M, "seats", "people"),
        "seats_short": (_M, "seats", "people"),
        "economy": (_M, "economy"),
        "economy_electric": (_M,),
        "range": (_M, _T, "cycle", "km"),
        "range_fuel": (_M, "economy"),
        "feature_all": (_M, "feature"),
        "feature_some": (_M, "feature", "having", "lacking"),
        "feature_none": (_M, "feature"),
        "feature_trim_yes": (_M, _T, "feature"),
        "feature_trim_no": (_M, _T, "feature"),
        "feature_trim_no_but": (_M, _T, "feature", "having"),
        "feature_list": (_M, "items"),
        "feature_item": ("feature", "trims"),
        "feature_item_all": ("feature",),
        "feature_models": ("feature", "items"),
        "feature_no_models": ("feature",),
        "colours": (_M, "count", "colours"),
        "colour_yes": (_M, "colours"),
        "colour_no": (_M, "colour", "colours"),
        "address": ("address",),
        "phone": ("phone",),
        "hours": ("hours", "status"),
        "hours_open_now": (),
        "hours_closed_now": ("when", "time"),
        "when_today": (),
        "when_tomorrow": (),
        "hours_closed_days": ("dates",),
        "date": ("month", "day"),
        "warranty": ("warranty",),
        "dealer": ("name", "brand"),
        "trade_in_subsidy": ("subsidy",),
        "trade_in_policy": ("policy",),
        "body": (_M, "body"),
        "energy": (_M, "energy"),
        "popularity": (_M, "orders"),
        "popular_trim": (_M, _T, _P),
        "finance_plan": ("plan", "ratio", "months", "rate"),
        "feature_list_trim": (_M, _T, "items"),
        "fab": (_M, "feature", "advantage"),
        "service": ("service",),
        "maintenance_cost": (_M, "maintenance"),
        "delivery": (_M, "weeks"),
        "safety_rating": (_M, "rating"),
        "engine": (_M, "engine"),
        "engine_electric": (_M,),
        "on_the_road_trim": (_M, _T, "total", _P, "tax", "insurance", "registration", "note"),
        "on_the_road_model": (_M, "items", "note"),
        "on_the_road_models": ("items", "note"),
        "on_the_road_item": (_T, "total"),
        "monthly_trim": (_M, _T, "plan", "ratio", "down", "months", "monthly"),
        "monthly_model": (_M, "plan", "ratio", "months", "items"),
        "monthly_models": ("plan", "ratio", "months", "items"),
        "monthly_item": (_T, "monthly"),
        "down_payment_trim": (_M, _T, "plan", "ratio", "down"),
        "down_payment_model": (_M, "plan", "ratio", "items"),
        "down_payment_models": ("plan", "ratio", "items"),
        "not_sold_variant": ("asked", _M, "items"),
        "not_sold_other": ("brand", "asked", "models"),
        "not_sold_kind": (_M, "energy", "kind"),
        "not_sold_body": (_M, "body", "kind"),
    }.items()
}

ANSWERS_FILE = "data/product_answers.yml"


@dataclass(frozen=True)
class AnswerTemplates:
    sentences: Dict[str, str]

    def __call__(self, key: str, **fields: Any) -> str:
        return self.sentences[key].format(**fields)

    def join(self, items: Any) -> str:
        return self.sentences["separator"].join(items)


def load_answer_templates(path: Union[str, Path]) -> AnswerTemplates:
    """Reads the answer sentences.

    Raises:
        DataFileError: naming file and key of a missing or unknown sentence, or of a placeholder
            the sentence may not use.
    """
    path = Path(path)
    raw = read_yaml(path)
    c = Checker(path)
    sentences: Dict[str, str] = {}
    if c.mapping(raw, "", tuple(FIELDS)):
        for key, allowed in FIELDS.items():
            value = raw[key]
            if key == "separator" and isinstance(value, str) and value:
                sentences[key] = value
                continue
            text = c.text(value, key)
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            except ValueError as e:
                c.fail(key, f"not a valid sentence template ({e})")
                continue
            for name in sorted(used - allowed):
                c.fail(key, f"unknown placeholder {{{name}}} (may use: {', '.join(sorted(allowed)) or 'none'})")
            sentences[key] = text
    c.raise_if_any()
    return AnswerTemplates(sentences)


@functools.lru_cache(maxsize=4)
def get_answer_templates(path: str) -> AnswerTemplates:
    return load_answer_templates(path)
