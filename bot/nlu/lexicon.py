"""Entity vocabulary generated from the data files: the single source for entity patterns
and the jieba dictionary.

- car_model: ``data/catalog.yml`` (model names and aliases), value = the model's name;
- competitor: ``data/lexicon/competitors.yml``, value = the brand's or model's name;
- family_member: ``data/lexicon/family_members.yml``, value = spouse / parent / child / other;
- money: ``data/lexicon/money.yml`` (see :mod:`bot.nlu.money`).
"""

import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple, Union

from bot.catalog import load_catalog
from bot.constants import ENTITY_CAR_MODEL, ENTITY_COMPETITOR, ENTITY_FAMILY_MEMBER, FAMILY_ROLES
from bot.exceptions import DataFileError
from bot.nlu.money import MoneySpec
from bot.validation import Checker, read_mapping
from bot.yamlfile import read_yaml

COMPETITORS_FILE = "competitors.yml"
FAMILY_FILE = "family_members.yml"
MONEY_FILE = "money.yml"

# Frequency given to our terms in the jieba dictionary: high enough that jieba keeps each term
# whole (and splits 我妈 into 我 + 妈) instead of gluing it to a neighbour.
JIEBA_TERM_FREQUENCY = 200000

_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Term:
    text: str
    label: str
    value: str


@dataclass(frozen=True)
class Lexicon:
    terms: Tuple[Term, ...]
    money: MoneySpec

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-serialisable form, stored inside the trained model."""
        return {"terms": [asdict(t) for t in self.terms], "money": asdict(self.money)}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Lexicon":
        money = dict(data["money"])
        money["currency_suffixes"] = tuple(money["currency_suffixes"])
        money["non_money_followers"] = tuple(money["non_money_followers"])
        return cls(tuple(Term(**t) for t in data["terms"]), MoneySpec(**money))

    def surface_forms(self) -> List[Term]:
        """Every spelling to match: each term, lower and upper case, and Latin terms without spaces."""
        seen = set()
        forms = []
        for term in self.terms:
            for text in spelling_variants(term.text):
                key = (text, term.label)
                if key not in seen:
                    seen.add(key)
                    forms.append(Term(text, term.label, term.value))
        return forms

    def jieba_lines(self) -> List[str]:
        """Lines of a jieba user dictionary (``word freq tag``) keeping every term one token."""
        words = sorted({f.text for f in self.surface_forms() if " " not in f.text})
        return [f"{w} {JIEBA_TERM_FREQUENCY} nz" for w in words]


def spelling_variants(text: str) -> List[str]:
    """The ways a customer may type ``text``: as written, lower and upper case, without spaces."""
    variants = [text]
    if _LATIN.search(text):
        for v in (text.lower(), text.upper(), text.replace(" ", ""), text.lower().replace(" ", "")):
            if v not in variants:
                variants.append(v)
    return variants


def data_files(catalog_path: Union[str, Path], lexicon_dir: Union[str, Path]) -> List[Path]:
    """The files the lexicon is built from (for fingerprinting the trained model)."""
    d = Path(lexicon_dir)
    return [Path(catalog_path), d / COMPETITORS_FILE, d / FAMILY_FILE, d / MONEY_FILE]


def fingerprint(paths: Iterable[Path]) -> str:
    """A digest of the given files' contents; a change to any of them means retraining."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(str(p.name).encode())
        h.update(p.read_bytes() if p.is_file() else b"<missing>")
    return h.hexdigest()


def load_lexicon(catalog_path: Union[str, Path], lexicon_dir: Union[str, Path]) -> Lexicon:
    """Reads the catalog and the lexicon files, validating every field.

    Raises:
        DataFileError: naming file and field of every problem found.
    """
    problems: List[str] = []
    terms: List[Term] = []
    try:
        catalog = load_catalog(catalog_path)
        for m in catalog.models:
            terms += [Term(t, ENTITY_CAR_MODEL, m.name) for t in (m.name,) + m.aliases]
    except DataFileError as e:
        problems += e.problems
    d = Path(lexicon_dir)
    for loader in (competitor_terms, _family_terms):
        try:
            terms += loader(d)
        except DataFileError as e:
            problems += e.problems
    money = None
    try:
        money = _money_spec(d / MONEY_FILE)
    except DataFileError as e:
        problems += e.problems
    if problems or money is None:
        raise DataFileError(problems)
    owners: Dict[str, Term] = {}
    for t in terms:
        other = owners.get(t.text.lower())
        if other is not None and (other.label, other.value) != (t.label, t.value):
            problems.append(
                f"'{t.text}' is listed as {t.label}={t.value} and as {other.label}={other.value} "
                f"(in {catalog_path} / {lexicon_dir}): each spelling may mean one thing only"
            )
        owners[t.text.lower()] = t
    if problems:
        raise DataFileError(problems)
    return Lexicon(tuple(terms), money)


def competitor_terms(lexicon_dir: Path, file_name: str = COMPETITORS_FILE) -> List[Term]:
    """The competitor brands and models of ``lexicon_dir``/``file_name``, each name followed by its
    aliases, in the file's order.

    Raises:
        DataFileError: naming file and field of every problem found.
    """
    path = lexicon_dir / file_name
    raw = read_yaml(path)
    c = Checker(path)
    terms: List[Term] = []
    if c.mapping(raw, "", ("brands",)) and isinstance(raw["brands"], list):
        for i, b in enumerate(raw["brands"]):
            w = f"brands[{i}]"
            if not c.mapping(b, w, ("name", "aliases", "models")):
                continue
            name = c.text(b["name"], f"{w}.name")
            terms += [Term(t, ENTITY_COMPETITOR, name) for t in (name,) + c.texts(b["aliases"], f"{w}.aliases")]
            models = b["models"] if isinstance(b["models"], list) else []
            if not isinstance(b["models"], list):
                c.fail(f"{w}.models", "expected a list")
            for j, m in enumerate(models):
                mw = f"{w}.models[{j}]"
                if c.mapping(m, mw, ("name",), ("aliases",)):
                    mname = c.text(m["name"], f"{mw}.name")
                    aliases = c.texts(m.get("aliases", []), f"{mw}.aliases")
                    terms += [Term(t, ENTITY_COMPETITOR, mname) for t in (mname,) + aliases]
    elif isinstance(raw, dict):
        c.fail("brands", "expected a list")
    c.raise_if_any()
    return terms


def _family_terms(lexicon_dir: Path) -> List[Term]:
    raw, c = read_mapping(lexicon_dir / FAMILY_FILE, FAMILY_ROLES)
    terms = [Term(t, ENTITY_FAMILY_MEMBER, role) for role in FAMILY_ROLES for t in c.texts(raw[role], role)]
    c.raise_if_any()
    return terms


def _money_spec(path: Path) -> MoneySpec:
    fields = (
        "digits",
        "small_units",
        "big_units",
        "latin_units",
        "currency_suffixes",
        "bare_number_min",
        "bare_number_max",
        "non_money_followers",
    )
    raw, c = read_mapping(path, fields)

    def table(key: str) -> Dict[str, int]:
        value = raw[key]
        if not isinstance(value, dict) or not value:
            c.fail(key, "expected a non-empty mapping of character to number")
            return {}
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or len(k) != 1:
                c.fail(f"{key}.{k}", "keys must be single characters")
            out[str(k).lower()] = c.integer(v, f"{key}.{k}")
        return out

    spec = MoneySpec(
        digits=table("digits"),
        small_units=table("small_units"),
        big_units=table("big_units"),
        latin_units=table("latin_units"),
        currency_suffixes=c.texts(raw["currency_suffixes"], "currency_suffixes"),
        bare_number_min=c.integer(raw["bare_number_min"], "bare_number_min", 1),
        bare_number_max=c.integer(raw["bare_number_max"], "bare_number_max", 1),
        non_money_followers=c.texts(raw["non_money_followers"], "non_money_followers"),
    )
    c.raise_if_any()
    return spec
