"""The facts a script may say, resolved from the catalog and what the customer told us.

Only facts that really exist are returned: a script naming a fact that is absent here is not
eligible (domain brief, honesty rules).
"""

import re
from typing import Any, Dict, Mapping, Optional, Sequence

from bot.catalog import Catalog

PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")

FACT_KEYS = frozenset(
    {
        "model.name",
        "model.body",
        "model.seats",
        "model.price_min",
        "model.price_max",
        "model.popular_trim",
        "model.monthly_orders",
        "model.popular_with",
        "model.owner",
        "model.owner_quote",
        "model.delivery_weeks",
        "model.safety_rating",
        "model.economy",
        "model.maintenance_cost",
        "model.monthly_payment",
        "fab.aspect",
        "fab.feature",
        "fab.advantage",
        "fab.benefit",
        "dealer.name",
        "dealer.gift",
        "dealer.warranty",
        "dealer.service_outlets",
        "dealer.test_drive_perk",
        "dealer.referral_reward",
        "finance.name",
        "finance.down_payment",
        "finance.months",
        "finance.rate",
        "trade_in.subsidy",
        "trade_in.policy",
        "slot.budget",
        "slot.family",
        "slot.competitor",
        "slot.current_car",
    }
)
_BRACKETS = (("\uff08", "\uff09"), ("(", ")"))  # full-width and ASCII round brackets
_PART_BREAK = re.compile("([\uff0c,\u3001])")  # the commas and enumeration commas inside brackets

FAMILY_ZH = {"spouse": "爱人", "parent": "父母", "child": "孩子", "other": "家人"}


def yuan_text(value: float) -> str:
    """138000 → 13.8万; 2554 → 2554元."""
    if value >= 10000:
        return f"{value / 10000:.2f}".rstrip("0").rstrip(".") + "万"
    return f"{int(round(value))}元"


def strip_sample_labels(text: str, labels: Sequence[str]) -> str:
    """``text`` without the demo catalog's marks (policy.yml sample_labels): a bracketed part that says
    one is dropped, with its comma, and the brackets go when nothing is left in them.
    C-NCAP五星（示例数据） → C-NCAP五星; 李女士（上班族，示例数据） → 李女士（上班族）."""
    if not labels or not any(label in text for label in labels):
        return text
    for left, right in _BRACKETS:
        pattern = re.compile(re.escape(left) + "([^" + re.escape(left + right) + "]*)" + re.escape(right))

        def keep(m: "re.Match[str]") -> str:
            pieces = _PART_BREAK.split(m.group(1))
            parts = [p for p in pieces[::2] if not any(label in p for label in labels)]
            if len(parts) == len(pieces[::2]):
                return m.group(0)
            sep = pieces[1] if len(pieces) > 1 else ""
            return left + sep.join(parts) + right if parts else ""

        text = pattern.sub(keep, text)
    return text


def resolve_facts(
    catalog: Catalog,
    slots: Mapping[str, Any],
    gifts_offered: int = 0,
    aspects: Sequence[str] = (),
    aspect_words: Optional[Mapping[str, str]] = None,
    gift_limit: Optional[int] = None,
    sample_labels: Sequence[str] = (),
) -> Dict[str, str]:
    """Every fact available for this conversation, as text ready to put into a template.

    Args:
        catalog: the dealer's data.
        slots: what the customer told us (car_model, budget, family_member, competitor, priority).
        gifts_offered: gifts already offered in this conversation; ``dealer.gift`` is the next one,
            absent once ``gift_limit`` gifts were offered (policy.yml concessions).
        aspects: the aspects the objection is about, best first (rule_table.yml); empty: any aspect.
        aspect_words: catalog aspect -> the word a customer uses for it. ``fab.aspect`` is that word,
            never the catalog's textbook name; without a word the ``fab.*`` facts are absent.
        gift_limit: gifts one conversation may be offered (None: as many as the catalog lists).
        sample_labels: demo-data marks removed from every fact (they stay in the catalog file).
    """
    facts = _resolve(
        catalog,
        slots,
        gifts_offered,
        aspects,
        aspect_words,
        len(catalog.dealer.gifts) if gift_limit is None else gift_limit,
    )
    return {k: strip_sample_labels(v, sample_labels) for k, v in facts.items()}


def _resolve(
    catalog: Catalog,
    slots: Mapping[str, Any],
    gifts_offered: int,
    aspects: Sequence[str],
    aspect_words: Optional[Mapping[str, str]],
    gift_limit: int,
) -> Dict[str, str]:
    facts: Dict[str, str] = {"dealer.name": catalog.dealer.name}
    d = catalog.dealer
    if gifts_offered < min(len(d.gifts), gift_limit):
        facts["dealer.gift"] = d.gifts[gifts_offered]
    for key in ("warranty", "service_outlets", "test_drive_perk", "referral_reward"):
        value = getattr(d, key)
        if value:
            facts[f"dealer.{key}"] = value
    plan = catalog.financing[0] if catalog.financing else None
    if plan:
        facts.update(
            {
                "finance.name": plan.name,
                "finance.down_payment": f"{plan.down_payment_ratio:.0%}",
                "finance.months": str(plan.months),
                "finance.rate": f"{plan.annual_rate:.2%}",
            }
        )
    if catalog.trade_in:
        if catalog.trade_in.subsidy:
            facts["trade_in.subsidy"] = yuan_text(catalog.trade_in.subsidy)
        if catalog.trade_in.policy:
            facts["trade_in.policy"] = catalog.trade_in.policy
    budget = slots.get("budget")
    if isinstance(budget, (int, float)) and budget > 0:
        facts["slot.budget"] = yuan_text(budget)
    family = slots.get("family_member")  # slot values are not type-checked: a list must not crash
    if isinstance(family, str) and family in FAMILY_ZH:
        facts["slot.family"] = FAMILY_ZH[family]
    if slots.get("competitor"):
        facts["slot.competitor"] = str(slots["competitor"])
    if slots.get("current_car"):
        facts["slot.current_car"] = str(slots["current_car"])
    model = catalog.model_by_name(slots.get("car_model"))
    if model is None:
        return facts
    low, high = model.price_range
    facts.update(
        {
            "model.name": model.name,
            "model.body": model.body,
            "model.seats": str(model.seats),
            "model.price_min": yuan_text(low),
            "model.price_max": yuan_text(high),
        }
    )
    optional = {
        "model.popular_trim": model.popular_trim,
        "model.monthly_orders": model.monthly_orders,
        "model.popular_with": model.popular_with,
        "model.delivery_weeks": model.delivery_weeks,
        "model.safety_rating": model.safety_rating,
        "model.economy": model.economy,
        "model.maintenance_cost": model.maintenance_cost,
    }
    facts.update({k: str(v) for k, v in optional.items() if v is not None})
    if model.owner_quotes:
        facts["model.owner"] = model.owner_quotes[0].owner
        facts["model.owner_quote"] = model.owner_quotes[0].quote
    if plan:
        facts["model.monthly_payment"] = yuan_text(plan.monthly_payment(low))
    aspect = choose_aspect(slots.get("priority"), model.fab, model.headline_aspect, aspects)
    word = (aspect_words or {}).get(aspect or "")
    if aspect and word:
        fab = model.fab[aspect]
        facts.update(
            {"fab.aspect": word, "fab.feature": fab.feature, "fab.advantage": fab.advantage, "fab.benefit": fab.benefit}
        )
    return facts


def choose_aspect(
    priority: Any, fab: Mapping[str, Any], headline: Optional[str], aspects: Sequence[str] = ()
) -> Optional[str]:
    """The aspect an answer talks about: the objection's own aspects when it has any (a quality doubt
    is answered on safety, a price push on value for money), the customer's stated priority among
    them first; otherwise the priority, else the model's headline aspect."""
    stated = priority if isinstance(priority, str) and priority in fab else None
    if aspects:
        if stated in aspects:
            return stated
        return next((a for a in aspects if a in fab), None)
    return stated or (headline if headline in fab else None)


def fill(template: str, facts: Mapping[str, str]) -> str:
    """Replaces each ``{placeholder}``; the caller has checked they all exist."""
    return PLACEHOLDER.sub(lambda m: facts[m.group(1)], template)
