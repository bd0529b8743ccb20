"""Frozen dataclasses of the playbook."""

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from bot.constants import EXTRA_CASES, PRICE_MATCH  # noqa: F401 (the cases besides the objection intents)
from bot.rasa.names import (
    SLOT_BUDGET,
    SLOT_CAR_MODEL,
    SLOT_COMPETITOR,
    SLOT_CURRENT_CAR,
    SLOT_FAMILY_MEMBER,
    SLOT_PRIORITY,
)

PRINCIPLES = ("reciprocity", "social_proof", "commitment", "liking", "testimonial", "friendship", "peer_identity")
MOVES = ("acknowledge", "clarify", "value", "concession", "next_step")
# the slots a script may read (bot.rasa.names)
CONTEXT_SLOTS = (SLOT_CAR_MODEL, SLOT_BUDGET, SLOT_FAMILY_MEMBER, SLOT_COMPETITOR, SLOT_PRIORITY, SLOT_CURRENT_CAR)


@dataclass(frozen=True)
class When:
    """When a script or a rule row applies. Empty fields impose nothing."""

    attempt_min: int = 1
    attempt_max: Optional[int] = None
    known: Tuple[str, ...] = ()
    unknown: Tuple[str, ...] = ()
    after: Tuple[str, ...] = ()
    stages: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Script:
    id: str
    objection: str
    principle: str
    move: str
    when: When
    facts: Tuple[str, ...]
    text: str
    follow_up: Optional[str] = None
    buttons: Tuple[Button, ...] = ()
    source: str = ""  # file it was read from, for messages
    records: Optional[str] = None  # a promise made: the lead's reason (facts filled in); the team is told


@dataclass(frozen=True)
class Carrier:
    """One way a script can carry a principle (principles.yml ``carried_by``): it names every fact of
    ``all_facts``, at least one of ``any_fact`` (when given), and its own words (the text without
    the facts filled in) say at least one of ``any_cue`` (when given)."""

    means: str
    all_facts: Tuple[str, ...] = ()
    any_fact: Tuple[str, ...] = ()
    any_cue: Tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleRow:
    when: When
    moves: Tuple[str, ...]


@dataclass(frozen=True)
class ObjectionRule:
    objection: str
    stage: str
    rows: Tuple[RuleRow, ...]
    aspects: Tuple[str, ...] = ()  # the aspects an answer to this objection talks about, best first
    topic: Tuple[str, ...] = ()  # words of the topic: every script of the objection says one


@dataclass(frozen=True)
class Principle:
    tag: str
    zh: str
    why: str
    carried_by: Tuple[Carrier, ...] = ()  # empty: no definition (a script carries it by its label alone)


@dataclass(frozen=True)
class PriceMatchCues:
    """policy.yml ``price_match``: a same-model quote from another dealer, read inside ``within``."""

    within: Tuple[str, ...] = ()
    other_dealer: Tuple[str, ...] = ()
    same_model: Tuple[str, ...] = ()
    cheaper: Tuple[str, ...] = ()
    never_say: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """data/playbook/policy.yml: what every script respects."""

    gifts_per_conversation: int = 1
    commitment_words: Tuple[str, ...] = ()
    promise_words: Tuple[str, ...] = ()
    price_match: PriceMatchCues = PriceMatchCues()
    sample_labels: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Playbook:
    principles: Dict[str, Principle]
    moves: Dict[str, Principle]  # move tag -> zh name and why
    stages: Tuple[str, ...]
    rules: Dict[str, ObjectionRule]
    scripts: Tuple[Script, ...] = field(default=())
    aspect_words: Dict[str, str] = field(default_factory=dict)  # catalog aspect -> what a customer calls it
    policy: Policy = Policy()

    def scripts_for(self, objection: str) -> Tuple[Script, ...]:
        return tuple(s for s in self.scripts if s.objection == objection)

    def script(self, script_id: str) -> Optional[Script]:
        return next((s for s in self.scripts if s.id == script_id), None)
