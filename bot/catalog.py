"""The dealer catalog (data/catalog.yml): the dealer, its models, trims and prices.

The catalog is the single source of every model name, alias and number the bot may say.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from bot.validation import Checker
from bot.yamlfile import read_yaml


@dataclass(frozen=True)
class Trim:
    name: str
    price: int  # yuan, manufacturer's suggested retail price


@dataclass(frozen=True)
class CarModel:
    id: str
    name: str
    aliases: Tuple[str, ...]
    body: str
    seats: int
    energy: str
    trims: Tuple[Trim, ...]

    @property
    def price_range(self) -> Tuple[int, int]:
        prices = [t.price for t in self.trims]
        return min(prices), max(prices)


@dataclass(frozen=True)
class Dealer:
    id: str
    name: str
    brand: str
    sample_data: bool


@dataclass(frozen=True)
class Catalog:
    dealer: Dealer
    models: Tuple[CarModel, ...]

    def model_by_name(self, name: str) -> Optional[CarModel]:
        """The model whose canonical name or id is ``name``."""
        for m in self.models:
            if name in (m.name, m.id):
                return m
        return None


def load_catalog(path: Union[str, Path]) -> Catalog:
    """Reads and validates the catalog.

    Raises:
        DataFileError: listing every problem as ``file: field: reason``.
    """
    path = Path(path)
    raw = read_yaml(path)
    c = Checker(path)
    if not c.mapping(raw, "", ("dealer", "models")):
        c.raise_if_any()
    d = raw["dealer"]
    dealer = Dealer("", "", "", True)
    if c.mapping(d, "dealer", ("id", "name", "brand"), ("sample_data", "city")):
        dealer = Dealer(
            c.text(d["id"], "dealer.id"),
            c.text(d["name"], "dealer.name"),
            c.text(d["brand"], "dealer.brand"),
            bool(d.get("sample_data", False)),
        )
    models: List[CarModel] = []
    if not isinstance(raw["models"], list) or not raw["models"]:
        c.fail("models", "expected a non-empty list")
    else:
        seen: Dict[str, str] = {}
        for i, m in enumerate(raw["models"]):
            w = f"models[{i}]"
            if not c.mapping(m, w, ("id", "name", "aliases", "body", "seats", "energy", "trims")):
                continue
            trims: List[Trim] = []
            if not isinstance(m["trims"], list) or not m["trims"]:
                c.fail(f"{w}.trims", "expected a non-empty list")
            else:
                for j, t in enumerate(m["trims"]):
                    tw = f"{w}.trims[{j}]"
                    if c.mapping(t, tw, ("name", "price")):
                        trims.append(Trim(c.text(t["name"], f"{tw}.name"), c.integer(t["price"], f"{tw}.price", 1)))
            model = CarModel(
                id=c.text(m["id"], f"{w}.id"),
                name=c.text(m["name"], f"{w}.name"),
                aliases=c.texts(m["aliases"], f"{w}.aliases"),
                body=c.text(m["body"], f"{w}.body"),
                seats=c.integer(m["seats"], f"{w}.seats", 1),
                energy=c.text(m["energy"], f"{w}.energy"),
                trims=tuple(trims),
            )
            for term in (model.name,) + model.aliases:
                key = term.lower()
                if key in seen and seen[key] != model.id:
                    c.fail(f"{w}.aliases", f"'{term}' is already used by model '{seen[key]}'")
                seen[key] = model.id
            models.append(model)
    c.raise_if_any()
    return Catalog(dealer=dealer, models=tuple(models))
