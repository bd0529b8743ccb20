"""Understanding the answers of the model-choice form (usage, passengers, priority) and
recommending one model. Vocabulary from data/lexicon/needs.yml; pure functions."""

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from bot.catalog import ASPECTS, CarModel, Catalog
from bot.validation import Checker
from bot.yamlfile import read_yaml

NEEDS_FILE = "needs.yml"
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "仨": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@dataclass(frozen=True)
class StatementWords:
    """needs.yml budget / own_car / compared: which statement fills which slot."""

    budget: Tuple[str, ...] = ()
    budget_asked: Tuple[str, ...] = ()
    not_budget: Tuple[str, ...] = ()
    budget_minimum: int = 0
    own_car: Tuple[str, ...] = ()
    compared: Tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedsVocabulary:
    aspects: Dict[str, Tuple[str, ...]]
    usage: Dict[str, Tuple[str, ...]]
    statements: StatementWords = StatementWords()


@dataclass(frozen=True)
class Needs:
    usage: Optional[str] = None  # family / commute / business / long_trip, or None
    passengers: Optional[int] = None
    budget: Optional[float] = None
    priority: Optional[str] = None  # one of the five aspects


def load_needs_vocabulary(lexicon_dir: Union[str, Path]) -> NeedsVocabulary:
    """Reads data/lexicon/needs.yml. Raises DataFileError naming file and field."""
    path = Path(lexicon_dir) / NEEDS_FILE
    raw = read_yaml(path)
    c = Checker(path)
    aspects: Dict[str, Tuple[str, ...]] = {}
    usage: Dict[str, Tuple[str, ...]] = {}
    statements = StatementWords()
    if c.mapping(raw, "", ("aspects", "usage"), ("budget", "own_car", "compared")):
        budget = raw.get("budget") or {}
        if budget and c.mapping(budget, "budget", ("words", "asked", "not_budget"), ("minimum",)):
            statements = StatementWords(
                c.texts(budget["words"], "budget.words"),
                c.texts(budget["asked"], "budget.asked"),
                c.texts(budget["not_budget"], "budget.not_budget"),
                c.integer(budget.get("minimum", 0), "budget.minimum"),
            )
        statements = StatementWords(
            statements.budget,
            statements.budget_asked,
            statements.not_budget,
            statements.budget_minimum,
            c.texts(raw.get("own_car", []), "own_car"),
            c.texts(raw.get("compared", []), "compared"),
        )
        for aspect in ASPECTS:
            if aspect not in (raw["aspects"] or {}):
                c.fail("aspects", f"missing '{aspect}'")
        for key, words in (raw["aspects"] or {}).items():
            if key not in ASPECTS:
                c.fail(f"aspects.{key}", "not one of the five aspects")
            aspects[key] = c.texts(words, f"aspects.{key}")
        for key, words in (raw["usage"] or {}).items():
            usage[str(key)] = c.texts(words, f"usage.{key}")
    c.raise_if_any()
    return NeedsVocabulary(aspects, usage, statements)


@functools.lru_cache(maxsize=4)
def get_needs_vocabulary(lexicon_dir: str) -> NeedsVocabulary:
    return load_needs_vocabulary(lexicon_dir)


def parse_priority(text: str, vocab: NeedsVocabulary) -> Optional[str]:
    """The aspect a customer's answer points to (the aspect named, or the first keyword found)."""
    for aspect in ASPECTS:
        if aspect in text:
            return aspect
    hits = [(text.find(w), aspect) for aspect, words in vocab.aspects.items() for w in words if w in text]
    return min(hits)[1] if hits else None


def parse_usage(text: str, vocab: NeedsVocabulary) -> Optional[str]:
    hits = [(text.find(w), kind) for kind, words in vocab.usage.items() for w in words if w in text]
    return min(hits)[1] if hits else None


def parse_passengers(text: str) -> Optional[int]:
    """How many people usually ride: 3个人, 五口人, 一家四口, 俩人, 7 → an integer 1–9."""
    m = re.search(r"(\d+)\s*(?:个|口|人|位|座)?", text)
    if m and 1 <= int(m.group(1)) <= 9:
        return int(m.group(1))
    m = re.search(r"([一二两俩三仨四五六七八九])\s*(?:个|口|人|位|座)", text) or re.search(
        r"[一家]*([一二两俩三仨四五六七八九])口", text
    )
    if m:
        return _CN_DIGITS[m.group(1)]
    if any(w in text for w in ("就我自己", "我一个", "一个人", "自己开")):
        return 1
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def recommend(catalog: Catalog, needs: Needs) -> CarModel:
    """One model for these needs: enough seats, within budget where possible, strong on the
    aspect that matters, suited to the usage (by its popular_with and body)."""

    def score(m: CarModel) -> Tuple[int, int, int, int]:
        seats_ok = needs.passengers is None or m.seats >= needs.passengers
        low = m.price_range[0]
        budget_ok = not needs.budget or low <= needs.budget * 1.05
        aspect = int(needs.priority is not None and m.headline_aspect == needs.priority)
        family_fit = int(needs.usage == "family" and "SUV" in m.body) + int(
            needs.usage == "commute" and m.seats <= 5 and "SUV" not in m.body
        )
        return (int(seats_ok), int(budget_ok), aspect + family_fit, -low)

    return max(catalog.models, key=score)


# Clause boundaries for statements: each clause says one thing (月供要4500，我扛不住).
_CLAUSE = re.compile(r"[，,。.；;！!？?\n~～]|而且|但是|不过|可是")


@dataclass(frozen=True)
class Statements:
    """What one message states about the customer: their budget, a car compared against ours, the
    car they drive now. None: not stated in this message (a slot already known stays)."""

    budget: Optional[float] = None
    competitor: Optional[str] = None
    current_car: Optional[str] = None


def _clause_of(text: str, start: int, end: int) -> str:
    """The clause of ``text`` around the span ``start``..``end``."""
    left = max((m.end() for m in _CLAUSE.finditer(text, 0, max(start, 0)) if m.end() <= start), default=0)
    right = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
    return text[left:right]


def _span(text: str, entity: Mapping[str, Any]) -> Tuple[int, int]:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text):
        return start, end
    found = text.find(str(entity.get("value") or ""))
    return (found, found + len(str(entity.get("value")))) if found >= 0 else (0, len(text))


def read_statements(
    text: str,
    entities: Sequence[Mapping[str, Any]],
    words: StatementWords,
    budget_asked: bool = False,
    comparison: bool = False,
) -> Statements:
    """The budget, competitor and current car a message states, each only from the right statement.

    Args:
        text: the customer's message.
        entities: its entities (``money`` with a number value, ``competitor`` with a name), with offsets.
        words: needs.yml budget / own_car / compared.
        budget_asked: the bot's message just before asked for the budget (the answer is a budget).
        comparison: the message was read as a comparison with another car (objection_competitor).

    An amount is a budget in a clause that says budget words (or any clause answering the budget
    question), never in a clause about a monthly payment, an income or a price difference. A
    competitor named in a clause about the customer's own car is their current car; otherwise it is
    a competitor only when the message compares.
    """
    budget: Optional[float] = None
    competitor: Optional[str] = None
    current: Optional[str] = None
    for e in entities:
        kind, value = e.get("entity"), e.get("value")
        clause = _clause_of(text, *_span(text, e))
        if kind == "money" and isinstance(value, (int, float)) and not isinstance(value, bool):
            if any(w in clause for w in words.not_budget) or value < words.budget_minimum:
                continue
            if budget_asked or any(w in clause for w in words.budget):
                budget = float(value)
        elif kind == "competitor" and isinstance(value, str) and value:
            if any(w in clause for w in words.own_car):
                current = value  # the last named, as Rasa's entity mappings keep
            elif comparison or any(w in text for w in words.compared):
                competitor = value
    return Statements(budget, competitor, current)


def asks_budget(bot_text: Optional[str], words: StatementWords) -> bool:
    """Whether the bot's message asked the customer's budget (a question naming it)."""
    text = bot_text or ""
    return any(w in text for w in words.budget_asked) and any(q in text for q in ("?", "\uff1f", "\u591a\u5c11"))
