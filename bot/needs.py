"""Understanding the answers of the model-choice form (usage, passengers, priority) and
recommending one model. Vocabulary from data/lexicon/needs.yml; pure functions."""

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from bot.catalog import ASPECTS, Catalog, CarModel
from bot.validation import Checker
from bot.yamlfile import read_yaml

NEEDS_FILE = "needs.yml"
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class NeedsVocabulary:
    aspects: Dict[str, Tuple[str, ...]]
    usage: Dict[str, Tuple[str, ...]]


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
    if c.mapping(raw, "", ("aspects", "usage")):
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
    return NeedsVocabulary(aspects, usage)


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
    m = re.search(r"([一二两俩三仨四五六七八九])\s*(?:个|口|人|位|座)", text) or re.search(r"[一家]*([一二两俩三仨四五六七八九])口", text)
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
            needs.usage == "commute" and m.seats <= 5 and "SUV" not in m.body)
        return (int(seats_ok), int(budget_ok), aspect + family_fit, -low)

    return max(catalog.models, key=score)
