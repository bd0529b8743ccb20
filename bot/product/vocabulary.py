"""The words visitors use to ask for a fact: data/lexicon/specs.yml, validated on load.

Which spec a question asks is decided by these words only; the engine (bot.product.answers)
knows how to answer each name in :data:`SPECS` from the catalog, and answers every name under
``not_in_catalog`` honestly as not known.
"""

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

from bot.validation import Checker, WordLists, read_mapping

SPECS_FILE = "specs.yml"

# The facts the engine answers from the catalog.
SPECS = (
    "price",
    "economy",
    "range",
    "seats",
    "feature",
    "address",
    "hours",
    "phone",
    "warranty",
    "maintenance_cost",
    "service",
    "delivery",
    "safety_rating",
    "engine",
    "on_the_road",
    "monthly",
    "down_payment",
    "colours",
    "body",
    "popularity",
    "popular_trim",
    "dealer",
    "trade_in",
    "finance_plan",
)
# Of those, the facts about the showroom rather than a model.
DEALER_SPECS = ("address", "hours", "phone", "warranty", "service", "dealer", "trade_in", "finance_plan")
# Amounts of money other than the price: a price word right after one of these belongs to it
# (落地多少钱, 保养一次多少钱, 月供多少钱 ask no price).
COST_SPECS = ("maintenance_cost", "on_the_road", "monthly", "down_payment")
SUPERLATIVES = ("cheapest", "dearest")
TRIM_RANKS = ("lowest", "highest")
BUDGET_KINDS = ("max", "min", "around")

# Kinds of the words the term matcher finds (bot.product.matching).
SPEC, UNKNOWN_SPEC, PRICE_IF_ALONE, FEATURE, COLOUR = "spec", "unknown_spec", "price_if_alone", "feature", "colour"
SUPERLATIVE, RANK, BUDGET, BUDGET_RANGE = "superlative", "rank", "budget", "budget_range"
ENERGY, BODY, DRIVE = "energy", "body", "drive"
PRONOUN, QUESTION, CONJUNCTION, FILLER = "pronoun", "question", "conjunction", "filler"

_SECTIONS = (
    "specs",
    "not_in_catalog",
    "price_if_alone",
    "features",
    "colour_names",
    "superlatives",
    "trim_ranks",
    "budget",
    "budget_range",
    "energy",
    "body",
    "drive",
    "seat_units",
    "people_units",
    "pronouns",
    "questions",
    "conjunctions",
    "fillers",
)


# The sections of the vocabulary that map a value to its words, and those that are one list of words,
# with the kind of word each holds (in the order the matcher is given them).
_TABLE_KINDS = {
    "features": FEATURE,
    "colour_names": COLOUR,
    "superlatives": SUPERLATIVE,
    "trim_ranks": RANK,
    "budget": BUDGET,
    "energy": ENERGY,
    "body": BODY,
    "drive": DRIVE,
}
_LIST_KINDS = {
    "budget_range": BUDGET_RANGE,
    "pronouns": PRONOUN,
    "questions": QUESTION,
    "conjunctions": CONJUNCTION,
    "fillers": FILLER,
}


def match_form(word: str) -> str:
    """How a word is compared with the visitor's text: NFKC, lower case, inner spaces kept single."""
    return " ".join(unicodedata.normalize("NFKC", word).lower().split())


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    words: Tuple[str, ...]


@dataclass(frozen=True)
class SpecVocabulary:
    specs: Dict[str, Spec]
    not_in_catalog: Dict[str, Spec]
    price_if_alone: Tuple[str, ...]
    features: Dict[str, Tuple[str, ...]]
    colour_names: Dict[str, Tuple[str, ...]]
    superlatives: Dict[str, Tuple[str, ...]]
    trim_ranks: Dict[str, Tuple[str, ...]]
    budget: Dict[str, Tuple[str, ...]]
    budget_range: Tuple[str, ...]
    energy: Dict[str, Tuple[str, ...]]
    body: Dict[str, Tuple[str, ...]]
    drive: Dict[str, Tuple[str, ...]]
    seat_units: Tuple[str, ...]
    people_units: Tuple[str, ...]
    pronouns: Tuple[str, ...]
    questions: Tuple[str, ...]
    conjunctions: Tuple[str, ...]
    fillers: Tuple[str, ...]

    def label(self, spec: str) -> str:
        """How an answer names ``spec`` (价格, 百公里加速...)."""
        found = self.specs.get(spec) or self.not_in_catalog.get(spec)
        return found.label if found else spec

    def terms(self) -> List[Tuple[str, str, str, str]]:
        """Every word the matcher looks for, as (match form, kind, value, where in the file)."""
        out: List[Tuple[str, str, str, str]] = []
        for name, spec in self.specs.items():
            out += [(w, SPEC, name, f"specs.{name}") for w in spec.words]
        for name, spec in self.not_in_catalog.items():
            out += [(w, UNKNOWN_SPEC, name, f"not_in_catalog.{name}") for w in spec.words]
        out += [(w, PRICE_IF_ALONE, "price", "price_if_alone") for w in self.price_if_alone]
        for section, kind in _TABLE_KINDS.items():
            table: WordLists = getattr(self, section)
            for value, words in table.items():
                out += [(w, kind, value, f"{section}.{value}") for w in words]
        for section, kind in _LIST_KINDS.items():
            listed: Tuple[str, ...] = getattr(self, section)
            out += [(w, kind, match_form(w) if kind == QUESTION else "", section) for w in listed]
        return [(match_form(w), kind, value, where) for w, kind, value, where in out]


def _words(c: Checker, value: Any, where: str) -> Tuple[str, ...]:
    if not isinstance(value, list) or not value:
        c.fail(where, "expected a non-empty list of words")
        return ()
    return tuple(
        c.text(str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v, f"{where}[{i}]")
        for i, v in enumerate(value)
    )


def _spec_table(c: Checker, raw: Any, where: str) -> Dict[str, Spec]:
    out: Dict[str, Spec] = {}
    if not isinstance(raw, dict) or not raw:
        c.fail(where, "expected a mapping of spec name to {label, words}")
        return out
    for name, entry in raw.items():
        w = f"{where}.{name}"
        if c.mapping(entry, w, ("label", "words")):
            out[str(name)] = Spec(
                str(name), c.text(entry["label"], f"{w}.label"), _words(c, entry["words"], f"{w}.words")
            )
    return out


def _word_table(c: Checker, raw: Any, where: str, keys: Tuple[str, ...] = ()) -> WordLists:
    out: WordLists = {}
    if not isinstance(raw, dict) or not raw:
        c.fail(where, "expected a mapping of name to a list of words")
        return out
    for key in keys:
        if key not in raw:
            c.fail(where, f"missing field '{key}'")
    for name, words in raw.items():
        if keys and name not in keys:
            c.fail(f"{where}.{name}", f"unknown field (use {', '.join(keys)})")
        out[str(name)] = _words(c, words, f"{where}.{name}")
    return out


def load_spec_vocabulary(lexicon_dir: Union[str, Path]) -> SpecVocabulary:
    """Reads data/lexicon/specs.yml.

    Raises:
        DataFileError: naming file and field of every problem (a missing or unknown spec, an empty
            list, a word listed twice).
    """
    raw, c = read_mapping(Path(lexicon_dir) / SPECS_FILE, _SECTIONS)
    specs = _spec_table(c, raw["specs"], "specs")
    for name in SPECS:
        if name not in specs:
            c.fail("specs", f"missing spec '{name}' (the engine answers it from the catalog)")
    for name in specs:
        if name not in SPECS:
            c.fail(
                f"specs.{name}",
                "not a spec the engine answers from the catalog " "(facts the catalog lacks go under not_in_catalog)",
            )
    not_in_catalog = _spec_table(c, raw["not_in_catalog"], "not_in_catalog")
    for name in not_in_catalog:
        if name in SPECS:
            c.fail(f"not_in_catalog.{name}", "is a spec the engine answers from the catalog (list it under specs)")
    colours = _word_table(c, raw["colour_names"], "colour_names")
    for key in colours:
        if len(key) != 1:
            c.fail(f"colour_names.{key}", "keys must be single characters (the character a colour name holds)")
    features = _word_table(c, raw["features"], "features")
    # the name of a piece of equipment is always one of its words (360全景影像)
    features = {
        name: words if match_form(name) in {match_form(w) for w in words} else (name,) + words
        for name, words in features.items()
    }
    vocab = SpecVocabulary(
        specs=specs,
        not_in_catalog=not_in_catalog,
        price_if_alone=_words(c, raw["price_if_alone"], "price_if_alone"),
        features=features,
        colour_names=colours,
        superlatives=_word_table(c, raw["superlatives"], "superlatives", SUPERLATIVES),
        trim_ranks=_word_table(c, raw["trim_ranks"], "trim_ranks", TRIM_RANKS),
        budget=_word_table(c, raw["budget"], "budget", BUDGET_KINDS),
        budget_range=_words(c, raw["budget_range"], "budget_range"),
        energy=_word_table(c, raw["energy"], "energy"),
        body=_word_table(c, raw["body"], "body"),
        drive=_word_table(c, raw["drive"], "drive"),
        seat_units=_words(c, raw["seat_units"], "seat_units"),
        people_units=_words(c, raw["people_units"], "people_units"),
        pronouns=_words(c, raw["pronouns"], "pronouns"),
        questions=_words(c, raw["questions"], "questions"),
        conjunctions=_words(c, raw["conjunctions"], "conjunctions"),
        fillers=_words(c, raw["fillers"], "fillers"),
    )
    seen: Dict[str, str] = {}
    for word, _, _, where in vocab.terms():
        if not word:
            continue
        if word in seen and seen[word] != where:
            c.fail(where, f"'{word}' is also listed in {seen[word]} (a word may mean one thing only)")
        elif word in seen:
            c.fail(where, f"'{word}' is listed twice")
        seen[word] = where
    c.raise_if_any()
    return vocab


@functools.lru_cache(maxsize=4)
def get_spec_vocabulary(lexicon_dir: str) -> SpecVocabulary:
    return load_spec_vocabulary(lexicon_dir)
