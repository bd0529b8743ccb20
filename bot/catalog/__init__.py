"""The dealer catalog (data/catalog.yml): the dealer, its models, trims, prices and sales facts.

The catalog is the single source of every model name, alias and number the bot may say.
Optional facts may be missing; a playbook script that needs a missing fact is never used.
The showroom's opening hours are read and checked by :mod:`bot.catalog.hours`.
"""

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from bot.catalog.hours import OpeningHours, read_opening_hours
from bot.validation import Checker, read_mapping

ASPECTS = ("安全性", "动力与操控性", "舒适实用性", "造型与外观", "超值性")


@dataclass(frozen=True)
class Trim:
    name: str
    price: int  # yuan, manufacturer's suggested retail price
    range_km: Optional[int] = None  # electric range, by the model's range_cycle


@dataclass(frozen=True)
class Fab:
    feature: str
    advantage: str
    benefit: str


@dataclass(frozen=True)
class OwnerQuote:
    owner: str
    quote: str


@dataclass(frozen=True)
class CarModel:
    id: str
    name: str
    aliases: Tuple[str, ...]
    body: str
    seats: int
    energy: str
    trims: Tuple[Trim, ...]
    popular_trim: Optional[str] = None
    monthly_orders: Optional[int] = None
    popular_with: Optional[str] = None
    delivery_weeks: Optional[int] = None
    safety_rating: Optional[str] = None
    economy: Optional[str] = None
    maintenance_cost: Optional[str] = None
    headline_aspect: Optional[str] = None
    owner_quotes: Tuple[OwnerQuote, ...] = ()
    fab: Dict[str, Fab] = field(default_factory=dict)
    image: Optional[str] = None  # URL or path of a picture of the model
    engine: Optional[str] = None  # e.g. 1.5T发动机配CVT变速箱; None for an electric car or when unknown
    range_cycle: Optional[str] = None  # the test cycle of the trims' range_km, e.g. CLTC
    colours: Tuple[str, ...] = ()
    # equipment -> the trims that have it (empty: none has it); equipment not listed is unknown
    features: Dict[str, Tuple[str, ...]] = field(default_factory=dict)

    @property
    def price_range(self) -> Tuple[int, int]:
        prices = [t.price for t in self.trims]
        return min(prices), max(prices)

    def trim_by_name(self, name: Optional[str]) -> Optional[Trim]:
        for t in self.trims:
            if t.name == name:
                return t
        return None

    @property
    def cheapest_trim(self) -> Trim:
        return min(self.trims, key=lambda t: t.price)

    @property
    def dearest_trim(self) -> Trim:
        return max(self.trims, key=lambda t: t.price)


@dataclass(frozen=True)
class Dealer:
    id: str
    name: str
    brand: str
    sample_data: bool
    gifts: Tuple[str, ...] = ()
    max_cash_discount: int = 0
    warranty: Optional[str] = None
    service_outlets: Optional[str] = None
    test_drive_perk: Optional[str] = None
    referral_reward: Optional[str] = None
    opening_hours: Optional[OpeningHours] = None
    city: Optional[str] = None
    address: Optional[str] = None
    phone: Optional[str] = None  # as visitors should read it, e.g. 010-12345678


@dataclass(frozen=True)
class FinancePlan:
    name: str
    down_payment_ratio: float
    months: int
    annual_rate: float

    def monthly_payment(self, price: int) -> int:
        """Equal monthly instalment (annuity) for ``price`` after the down payment, in yuan."""
        principal = price * (1 - self.down_payment_ratio)
        i = self.annual_rate / 12
        if i == 0:
            return round(principal / self.months)
        return round(principal * i / (1 - (1 + i) ** -self.months))


@dataclass(frozen=True)
class TradeIn:
    subsidy: Optional[int]
    policy: Optional[str]


@dataclass(frozen=True)
class PurchaseTaxRule:
    energy: str
    rate: float
    start: Optional[date] = None  # first day the rule holds (None: always did)
    until: Optional[date] = None  # last day the rule holds (None: still does)
    relief: float = 0.0  # share of the tax waived
    relief_cap: Optional[int] = None  # at most this many yuan waived

    def applies(self, energy: str, day: date) -> bool:
        return (
            energy == self.energy
            and (self.start is None or self.start <= day)
            and (self.until is None or day <= self.until)
        )


@dataclass(frozen=True)
class OnTheRoadEstimate:
    price: int
    purchase_tax: int
    insurance: int
    registration_fee: int

    @property
    def total(self) -> int:
        return self.price + self.purchase_tax + self.insurance + self.registration_fee


@dataclass(frozen=True)
class OnTheRoad:
    """Rates for an on-the-road estimate (落地价): price + purchase tax + first-year insurance + registration."""

    note: str
    vat_rate: float
    purchase_tax: Tuple[PurchaseTaxRule, ...]
    insurance_base: int
    insurance_rate: float
    registration_fee: int

    def estimate(self, price: int, energy: str, day: date) -> Optional[OnTheRoadEstimate]:
        """The estimate for a car of ``price`` yuan and ``energy`` bought on ``day``; None when no
        purchase-tax rule covers that energy type on that day."""
        rule = next((r for r in self.purchase_tax if r.applies(energy, day)), None)
        if rule is None:
            return None
        tax = price / (1 + self.vat_rate) * rule.rate
        waived = tax * rule.relief
        if rule.relief_cap is not None:
            waived = min(waived, rule.relief_cap)
        insurance = self.insurance_base + price * self.insurance_rate
        return OnTheRoadEstimate(price, round(tax - waived), round(insurance), self.registration_fee)


@dataclass(frozen=True)
class Catalog:
    dealer: Dealer
    models: Tuple[CarModel, ...]
    financing: Tuple[FinancePlan, ...] = ()
    trade_in: Optional[TradeIn] = None
    on_the_road: Optional[OnTheRoad] = None

    def model_by_name(self, name: Optional[str]) -> Optional[CarModel]:
        """The model whose canonical name or id is ``name``."""
        for m in self.models:
            if name in (m.name, m.id):
                return m
        return None


_MODEL_REQUIRED = ("id", "name", "aliases", "body", "seats", "energy", "trims")
_MODEL_OPTIONAL = (
    "popular_trim",
    "monthly_orders",
    "popular_with",
    "delivery_weeks",
    "safety_rating",
    "economy",
    "maintenance_cost",
    "headline_aspect",
    "owner_quotes",
    "fab",
    "image",
    "engine",
    "range_cycle",
    "colours",
    "features",
)
_DEALER_OPTIONAL = (
    "sample_data",
    "city",
    "gifts",
    "max_cash_discount",
    "warranty",
    "service_outlets",
    "test_drive_perk",
    "referral_reward",
    "opening_hours",
    "address",
    "phone",
)
_ON_THE_ROAD_FIELDS = ("note", "vat_rate", "purchase_tax", "insurance", "registration_fee")


def _opt_text(c: Checker, d: Dict[str, Any], key: str, where: str) -> Optional[str]:
    return c.text(d[key], f"{where}.{key}") if key in d else None


def _opt_int(c: Checker, d: Dict[str, Any], key: str, where: str) -> Optional[int]:
    return c.integer(d[key], f"{where}.{key}") if key in d else None


def _ratio(c: Checker, value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        c.fail(where, f"expected a fraction between 0 and 1, got {value!r}")
        return 0.0
    return float(value)


def _phone(c: Checker, d: Dict[str, Any], where: str) -> Optional[str]:
    text = _opt_text(c, d, "phone", where)
    if text:
        from bot.privacy.phone import find_phone  # libphonenumber: loaded only when a catalog has a phone

        if find_phone(text) is None:
            c.fail(f"{where}.phone", f"expected a Chinese phone number such as 010-12345678, got {text!r}")
    return text


def _opt_date(c: Checker, d: Dict[str, Any], key: str, where: str) -> Optional[date]:
    if key not in d:
        return None
    value = d[key]
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        c.fail(f"{where}.{key}", f'expected a date written "YYYY-MM-DD", got {value!r}')
        return None


def _on_the_road(c: Checker, raw: Any, energies: Tuple[str, ...]) -> Optional[OnTheRoad]:
    w = "on_the_road"
    if not c.mapping(raw, w, _ON_THE_ROAD_FIELDS):
        return None
    rules: List[PurchaseTaxRule] = []
    for rw, r in c.items(raw["purchase_tax"], f"{w}.purchase_tax", "rules"):
        if not c.mapping(r, rw, ("energy", "rate"), ("from", "until", "relief", "relief_cap")):
            continue
        energy = c.text(r["energy"], f"{rw}.energy")
        if energy and energy not in energies:
            c.fail(f"{rw}.energy", f"'{energy}' is not the energy of any model ({', '.join(energies)})")
        relief = r.get("relief", 0.0)
        if isinstance(relief, bool) or not isinstance(relief, (int, float)) or not 0 <= relief <= 1:
            c.fail(f"{rw}.relief", f"expected a fraction between 0 and 1, got {relief!r}")
            relief = 0.0
        rule = PurchaseTaxRule(
            energy,
            _ratio(c, r["rate"], f"{rw}.rate"),
            _opt_date(c, r, "from", rw),
            _opt_date(c, r, "until", rw),
            float(relief),
            _opt_int(c, r, "relief_cap", rw),
        )
        if rule.start and rule.until and rule.until < rule.start:
            c.fail(f"{rw}.until", "is before 'from'")
        rules.append(rule)
    insurance = raw["insurance"]
    base, rate = 0, 0.0
    if c.mapping(insurance, f"{w}.insurance", ("base", "rate")):
        base = c.integer(insurance["base"], f"{w}.insurance.base")
        rate = _ratio(c, insurance["rate"], f"{w}.insurance.rate")
    return OnTheRoad(
        c.text(raw["note"], f"{w}.note"),
        _ratio(c, raw["vat_rate"], f"{w}.vat_rate"),
        tuple(rules),
        base,
        rate,
        c.integer(raw["registration_fee"], f"{w}.registration_fee"),
    )


def _dealer(c: Checker, d: Any) -> Dealer:
    if not c.mapping(d, "dealer", ("id", "name", "brand"), _DEALER_OPTIONAL):
        return Dealer("", "", "", True)
    return Dealer(
        c.text(d["id"], "dealer.id"),
        c.text(d["name"], "dealer.name"),
        c.text(d["brand"], "dealer.brand"),
        bool(d.get("sample_data", False)),
        gifts=c.texts(d.get("gifts", []), "dealer.gifts"),
        max_cash_discount=c.integer(d.get("max_cash_discount", 0), "dealer.max_cash_discount"),
        warranty=_opt_text(c, d, "warranty", "dealer"),
        service_outlets=_opt_text(c, d, "service_outlets", "dealer"),
        test_drive_perk=_opt_text(c, d, "test_drive_perk", "dealer"),
        referral_reward=_opt_text(c, d, "referral_reward", "dealer"),
        opening_hours=(
            read_opening_hours(c, d["opening_hours"], "dealer.opening_hours") if "opening_hours" in d else None
        ),
        city=_opt_text(c, d, "city", "dealer"),
        address=_opt_text(c, d, "address", "dealer"),
        phone=_phone(c, d, "dealer"),
    )


def _entries(c: Checker, d: Dict[str, Any], key: str, where: str, of: str) -> List[Tuple[Any, Any, str]]:
    """(name, value, where it is) for each entry of the optional mapping ``d[key]`` (of ``of``)."""
    value = d.get(key) or {}
    if not isinstance(value, dict):
        c.fail(f"{where}.{key}", f"expected a mapping of {of}")
        return []
    return [(name, v, f"{where}.{key}.{name}") for name, v in value.items()]


def _model(c: Checker, m: Any, w: str) -> Optional[CarModel]:
    if not c.mapping(m, w, _MODEL_REQUIRED, _MODEL_OPTIONAL):
        return None
    trims: List[Trim] = []
    for tw, t in c.items(m["trims"], f"{w}.trims"):
        if c.mapping(t, tw, ("name", "price"), ("range_km",)):
            trims.append(
                Trim(
                    c.text(t["name"], f"{tw}.name"),
                    c.integer(t["price"], f"{tw}.price", 1),
                    _opt_int(c, t, "range_km", tw),
                )
            )
    quotes: List[OwnerQuote] = []
    for j, q in enumerate(m.get("owner_quotes") or []):
        qw = f"{w}.owner_quotes[{j}]"
        if c.mapping(q, qw, ("owner", "quote")):
            quotes.append(OwnerQuote(c.text(q["owner"], f"{qw}.owner"), c.text(q["quote"], f"{qw}.quote")))
    fab: Dict[str, Fab] = {}
    for aspect, f, fw in _entries(c, m, "fab", w, "aspect to feature/advantage/benefit"):
        if aspect not in ASPECTS:
            c.fail(fw, f"unknown aspect (use one of {', '.join(ASPECTS)})")
        elif c.mapping(f, fw, ("feature", "advantage", "benefit")):
            fab[aspect] = Fab(*(c.text(f[k], f"{fw}.{k}") for k in ("feature", "advantage", "benefit")))
    headline = _opt_text(c, m, "headline_aspect", w)
    if headline is not None and headline not in fab:
        c.fail(f"{w}.headline_aspect", "must be one of the aspects listed under fab")
    popular_trim = _opt_text(c, m, "popular_trim", w)
    trim_names = {t.name for t in trims}
    if popular_trim is not None and popular_trim not in trim_names:
        c.fail(f"{w}.popular_trim", f"'{popular_trim}' is not one of the model's trims")
    features: Dict[str, Tuple[str, ...]] = {}
    for name, having, fw in _entries(c, m, "features", w, "equipment to the trims that have it"):
        names = c.texts(having if having is not None else [], fw)
        for j, t in enumerate(names):
            if t and t not in trim_names:
                c.fail(f"{fw}[{j}]", f"'{t}' is not one of the model's trims")
        features[c.text(name, fw)] = names
    range_cycle = _opt_text(c, m, "range_cycle", w)
    if range_cycle is None and any(t.range_km is not None for t in trims):
        c.fail(f"{w}.range_cycle", "needed when a trim has range_km (e.g. CLTC)")
    return CarModel(
        id=c.text(m["id"], f"{w}.id"),
        name=c.text(m["name"], f"{w}.name"),
        aliases=c.texts(m["aliases"], f"{w}.aliases"),
        body=c.text(m["body"], f"{w}.body"),
        seats=c.integer(m["seats"], f"{w}.seats", 1),
        energy=c.text(m["energy"], f"{w}.energy"),
        trims=tuple(trims),
        popular_trim=popular_trim,
        monthly_orders=_opt_int(c, m, "monthly_orders", w),
        popular_with=_opt_text(c, m, "popular_with", w),
        delivery_weeks=_opt_int(c, m, "delivery_weeks", w),
        safety_rating=_opt_text(c, m, "safety_rating", w),
        economy=_opt_text(c, m, "economy", w),
        maintenance_cost=_opt_text(c, m, "maintenance_cost", w),
        headline_aspect=headline,
        owner_quotes=tuple(quotes),
        fab=fab,
        image=_opt_text(c, m, "image", w),
        engine=_opt_text(c, m, "engine", w),
        range_cycle=range_cycle,
        colours=c.texts(m.get("colours", []), f"{w}.colours"),
        features=features,
    )


def load_catalog(path: Union[str, Path]) -> Catalog:
    """Reads and validates the catalog.

    Raises:
        DataFileError: listing every problem as ``file: field: reason``.
    """
    raw, c = read_mapping(path, ("dealer", "models"), ("financing", "trade_in", "on_the_road"))
    dealer = _dealer(c, raw["dealer"])
    models: List[CarModel] = []
    seen: Dict[str, str] = {}
    for w, m in c.items(raw["models"], "models"):
        model = _model(c, m, w)
        if model is None:
            continue
        for term in (model.name,) + model.aliases:
            key = term.lower()
            if key in seen and seen[key] != model.id:
                c.fail(f"{w}.aliases", f"'{term}' is already used by model '{seen[key]}'")
            seen[key] = model.id
        models.append(model)
    plans: List[FinancePlan] = []
    for i, p in enumerate(raw.get("financing") or []):
        w = f"financing[{i}]"
        if c.mapping(p, w, ("name", "down_payment_ratio", "months", "annual_rate")):
            plans.append(
                FinancePlan(
                    c.text(p["name"], f"{w}.name"),
                    _ratio(c, p["down_payment_ratio"], f"{w}.down_payment_ratio"),
                    c.integer(p["months"], f"{w}.months", 1),
                    _ratio(c, p["annual_rate"], f"{w}.annual_rate"),
                )
            )
    trade_in = None
    if "trade_in" in raw and c.mapping(raw["trade_in"], "trade_in", (), ("subsidy", "policy")):
        t = raw["trade_in"]
        trade_in = TradeIn(_opt_int(c, t, "subsidy", "trade_in"), _opt_text(c, t, "policy", "trade_in"))
    on_the_road = None
    if "on_the_road" in raw:
        on_the_road = _on_the_road(c, raw["on_the_road"], tuple(dict.fromkeys(m.energy for m in models)))
    c.raise_if_any()
    return Catalog(
        dealer=dealer, models=tuple(models), financing=tuple(plans), trade_in=trade_in, on_the_road=on_the_road
    )


@functools.lru_cache(maxsize=4)
def get_catalog(path: str) -> Catalog:
    """The catalog at ``path``, loaded once per process."""
    return load_catalog(Path(path).resolve())
