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
                if c.mapping(entry, where, ("words",), ("with_entity",)):
                    entity = entry.get("with_entity")
                    if entity is not None and entity not in ENTITY_KINDS:
                        c.fail(f"{where}.with_entity", f"'{entity}' is not one of {', '.join(ENTITY_KINDS)}")
                    cues.append(Cue(intent, c.texts(entry["words"], f"{where}.words"), entity))
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
        if text[start:m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _matches(cue: Cue, text: str, span: Tuple[int, int], entities: Sequence[Dict[str, Any]]) -> bool:
    clause = text[span[0]:span[1]]
    if not any(w in clause for w in cue.words):
        return False
    if cue.with_entity is None:
        return True
    return any(e.get("entity") == cue.with_entity and span[0] <= int(e.get("start", -1)) < span[1]
               for e in entities)


def objections_in_message(text: str, main: str, entities: Sequence[Dict[str, Any]], cues: Cues) -> List[str]:
    """The objections of the message in the order said: ``main`` plus at most one other whose cue
    words stand in a clause of their own."""
    spans = clauses(text or "")
    if len(spans) < 2:
        return [main]
    found: Dict[str, int] = {}
    for index, span in enumerate(spans):
        for cue in cues.cues:
            if cue.intent not in found and _matches(cue, text, span, entities):
                found[cue.intent] = index
    main_at = found.get(main)
    others = [(i, intent) for intent, i in found.items()
              if intent != main and i != main_at and not cues.related(intent, main)]
    if not others:
        return [main]
    at, other = min(others)
    return [other, main] if main_at is not None and at < main_at else [main, other]
