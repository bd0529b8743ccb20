"""A second objection in one message (太贵了，而且还得问问老婆; 能不能再低点，另外提车要多久).

The classifier names one intent per message. ``objections_in_message`` finds the others: the
message is cut into clauses at punctuation and connectives (而且, 另外, 还有…), and a clause whose
words match another objection's cue words (data/lexicon/objection_cues.yml; some cues count only
with an entity of the right kind in the same clause) adds that objection. The result is in the
order the customer said them; the main intent is placed where its own cue words are, else first.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple, Union

from bot.constants import OBJECTION_INTENTS
from bot.nlu.text import to_simplified
from bot.validation import Checker
from bot.yamlfile import read_yaml

CUES_FILE = "objection_cues.yml"
ENTITY_KINDS = ("family_member", "competitor", "car_model", "money")
# Clause boundaries: punctuation, and connectives that start a new point.
_BOUNDARY = re.compile(r"[，,。.；;！!？?\n、~～]+|而且|另外|还有就是|还有|再说|并且|顺便问一?下|同时|然后|再问一?下")


@dataclass(frozen=True)
class Cue:
    intent: str
    words: Tuple[str, ...]
    with_entity: Optional[str] = None
    alone: Tuple[str, ...] = ()  # words that count even without the entity (别家 for a competitor)


@dataclass(frozen=True)
class Cues:
    cues: Tuple[Cue, ...]
    same_topic: Tuple[FrozenSet[str], ...] = ()

    def related(self, a: str, b: str) -> bool:
        return any(a in group and b in group for group in self.same_topic)


def load_cues(path: Union[str, Path]) -> Cues:
    """Reads the cue file; DataFileError naming the file and the field."""
    path = Path(path)
    raw = read_yaml(path)
    c = Checker(path)
    cues, groups = [], []
    if c.mapping(raw, "", ("cues",), ("same_topic",)):
        if not isinstance(raw["cues"], dict):
            c.fail("cues", "expected a mapping of objection intents")
        else:
            for intent, entry in raw["cues"].items():
                where = f"cues.{intent}"
                if intent not in OBJECTION_INTENTS:
                    c.fail(where, f"not an objection intent ({', '.join(OBJECTION_INTENTS)})")
                    continue
                if c.mapping(entry, where, ("words",), ("with_entity", "words_alone")):
                    entity = entry.get("with_entity")
                    if entity is not None and entity not in ENTITY_KINDS:
                        c.fail(f"{where}.with_entity", f"'{entity}' is not one of {', '.join(ENTITY_KINDS)}")
                    alone = c.texts(entry["words_alone"], f"{where}.words_alone") if "words_alone" in entry else ()
                    if alone and entity is None:
                        c.fail(f"{where}.words_alone", "only for cues with with_entity (words already count alone)")
                    cues.append(Cue(intent, c.texts(entry["words"], f"{where}.words"), entity, tuple(alone)))
        for i, group in enumerate(raw.get("same_topic") or []):
            names = c.texts(group, f"same_topic[{i}]")
            for name in names:
                if name not in OBJECTION_INTENTS:
                    c.fail(f"same_topic[{i}]", f"'{name}' is not an objection intent")
            groups.append(frozenset(names))
    c.raise_if_any()
    return Cues(tuple(cues), tuple(groups))


@functools.lru_cache(maxsize=4)
def get_cues(lexicon_dir: str) -> Cues:
    return load_cues(Path(lexicon_dir) / CUES_FILE)


def clauses(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each non-empty clause."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _matches(cue: Cue, text: str, span: Tuple[int, int], entities: Sequence[Dict[str, Any]]) -> bool:
    clause = text[span[0] : span[1]]
    if any(w in clause for w in cue.alone):
        return True
    if not any(w in clause for w in cue.words):
        return False
    if cue.with_entity is None:
        return True
    return any(e.get("entity") == cue.with_entity and span[0] <= int(e.get("start", -1)) < span[1] for e in entities)


def _found(
    text: str, spans: Sequence[Tuple[int, int]], entities: Sequence[Dict[str, Any]], cues: Cues
) -> Dict[str, int]:
    """objection -> index of the first clause whose cue words it matches."""
    found: Dict[str, int] = {}
    for index, span in enumerate(spans):
        for cue in cues.cues:
            if cue.intent not in found and _matches(cue, text, span, entities):
                found[cue.intent] = index
    return found


def mentions(text: str, objection: str, entities: Sequence[Dict[str, Any]], cues: Cues) -> bool:
    """Whether the text holds a cue word of ``objection`` anywhere (油耗呢 holds none of a quality doubt)."""
    text = to_simplified(text or "")
    return objection in _found(text, [(0, len(text))], entities, cues)


def objections_by_cues(text: str, entities: Sequence[Dict[str, Any]], cues: Cues) -> List[str]:
    """For a message the classifier could not place: the objections whose cue words stand in
    clauses of their own, in the order said, when there are at least two on different topics
    (太貴了，而且還要問問老婆); otherwise nothing (one cue word alone is too weak to act on)."""
    text = to_simplified(text or "")
    spans = clauses(text)
    if len(spans) < 2:
        return []
    found = _found(text, spans, entities, cues)
    ordered = [intent for intent, _ in sorted(found.items(), key=lambda kv: kv[1])]
    kept: List[str] = []
    for intent in ordered:
        if not any(cues.related(intent, k) for k in kept):
            kept.append(intent)
    if len(kept) < 2 or len({found[k] for k in kept[:2]}) < 2:
        return []
    return kept[:2]


def objections_in_message(text: str, main: str, entities: Sequence[Dict[str, Any]], cues: Cues) -> List[str]:
    """The objections of the message in the order said: ``main`` plus at most one other whose cue
    words stand in a clause of their own (Traditional characters read as Simplified)."""
    text = to_simplified(text or "")
    spans = clauses(text)
    if len(spans) < 2:
        return [main]
    found = _found(text, spans, entities, cues)
    main_at = found.get(main)
    others = [
        (i, intent) for intent, i in found.items() if intent != main and i != main_at and not cues.related(intent, main)
    ]
    if not others:
        return [main]
    at, other = min(others)
    return [other, main] if main_at is not None and at < main_at else [main, other]
