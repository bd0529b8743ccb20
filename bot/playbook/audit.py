"""What a trainer checks when reading a script, as functions a test and ``python -m bot validate`` run:
does the script carry the principle it is labelled with (principles.yml ``carried_by``), does it stay
on the topic of its objection (rule_table.yml ``topic``), and which scripts a customer can meet in one
escalation of the same objection (the variety check). Pure: no Rasa, no I/O."""

import re
from typing import Any, Iterable, List, Mapping, Optional, Set, Tuple

from bot.catalog import Catalog
from bot.playbook.facts import PLACEHOLDER, fill, resolve_facts
from bot.playbook.model import Carrier, ObjectionRule, Playbook, Principle, Script

CLAUSE_BREAK = re.compile(r"[，。？！；：、,.?!;:“”‘’「」（）()《》\s…—~～]+")
MIN_SHARED = 8  # a shared run of this many characters reads as the same sentence twice
ATTEMPTS = range(1, 7)  # enough pushes to reach every open-ended row of rule_table.yml more than once


def own_words(text: str) -> str:
    """The script's own words: each ``{fact}`` becomes a break, so a cue never comes from a fact."""
    return PLACEHOLDER.sub("|", text)


def script_words(script: Script) -> str:
    return own_words(" ".join([script.text, script.follow_up or ""] + [b.title for b in script.buttons]))


def carrier_holds(carrier: Carrier, script: Script) -> bool:
    facts = set(script.facts)
    if not set(carrier.all_facts) <= facts:
        return False
    if carrier.any_fact and not facts & set(carrier.any_fact):
        return False
    words = script_words(script)
    return not carrier.any_cue or any(cue in words for cue in carrier.any_cue)


def carrying(principle: Principle, script: Script) -> Optional[Carrier]:
    """The first way ``script`` carries ``principle``; None when it carries it in no way."""
    return next((c for c in principle.carried_by if carrier_holds(c, script)), None)


def carries(principle: Principle, script: Script) -> bool:
    return not principle.carried_by or carrying(principle, script) is not None


def on_topic(rule: ObjectionRule, script: Script) -> bool:
    """The script's own words name the objection's topic (any of the rule's topic words)."""
    words = script_words(script)
    return not rule.topic or any(w in words for w in rule.topic)


def clauses(text: str) -> List[str]:
    return [c for c in CLAUSE_BREAK.split(text) if c]


def _grams(text: str, n: int) -> Set[str]:
    return {c[i : i + n] for c in clauses(text) for i in range(len(c) - n + 1)}


def shared_runs(a: str, b: str, n: int = MIN_SHARED) -> Set[str]:
    """Runs of ``n`` characters, inside one clause of each text, that both texts say."""
    return _grams(a, n) & _grams(b, n)


def meetable_attempts(playbook: Playbook, script: Script, attempts: Iterable[int] = ATTEMPTS) -> Tuple[int, ...]:
    """The attempts at which the engine could pick ``script`` (its own ``when.attempt`` and a rule row
    of that attempt making its move; other conditions of the row may hold, so they are ignored)."""
    rule = playbook.rules[script.objection]
    out = []
    for a in attempts:
        if a < script.when.attempt_min or (script.when.attempt_max is not None and a > script.when.attempt_max):
            continue
        rows = [
            r for r in rule.rows if a >= r.when.attempt_min and (r.when.attempt_max is None or a <= r.when.attempt_max)
        ] or [rule.rows[-1]]
        if any(script.move in r.moves for r in rows):
            out.append(a)
    return tuple(out)


def met_together(playbook: Playbook, a: Script, b: Script) -> bool:
    """Whether one customer pushing the same objection again and again can hear both scripts."""
    ta, tb = meetable_attempts(playbook, a), meetable_attempts(playbook, b)
    return any(i != j for i in ta for j in tb)


def render(
    playbook: Playbook, catalog: Catalog, script: Script, slots: Mapping[str, Any], gifts_offered: int = 0
) -> Optional[str]:
    """What a customer reads of ``script`` in this context (text, follow-up and button titles, one per
    line), filled from the catalog as the engine fills it; None when a fact it needs is missing."""
    rule = playbook.rules[script.objection]
    facts = resolve_facts(
        catalog,
        slots,
        gifts_offered,
        rule.aspects,
        playbook.aspect_words,
        playbook.policy.gifts_per_conversation,
        playbook.policy.sample_labels,
    )
    if not all(f in facts for f in script.facts):
        return None
    parts = [script.text, script.follow_up or ""] + [b.title for b in script.buttons]
    return "\n".join(fill(p, facts) for p in parts if p)
