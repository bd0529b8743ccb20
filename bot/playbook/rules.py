"""The rules engine: from the objection, how often it was raised, the sales step and what we know,
pick the next script (data/playbook/rule_table.yml decides the moves), fill it from the catalog, and
say why. Pure: no Rasa, no I/O."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.catalog import Catalog
from bot.playbook.facts import fill, resolve_facts
from bot.playbook.model import Button, Playbook, Script, When


@dataclass(frozen=True)
class Context:
    """What the engine knows about the conversation (built from the tracker by the action)."""

    objection: str
    attempt: int = 1  # how many times this objection has been raised, this time included
    stage: Optional[str] = None  # current sales step
    slots: Mapping[str, Any] = field(default_factory=dict)
    history: Tuple[str, ...] = ()  # objections raised before this one, oldest first
    used_scripts: Tuple[str, ...] = ()
    last_principle: Optional[str] = None
    gifts_offered: int = 0
    case: Optional[str] = None  # a playbook case read inside the objection (price_match), else None


@dataclass(frozen=True)
class Alternative:
    script_id: str
    principle: str
    principle_zh: str
    move: str
    text: str


@dataclass(frozen=True)
class ScriptChoice:
    script_id: str
    objection: str
    principle: str
    principle_zh: str
    move: str
    attempt: int
    stage: str
    text: str
    follow_up: Optional[str]
    buttons: Tuple[Button, ...]
    offers_gift: bool
    principle_why: str = ""
    move_zh: str = ""
    alternatives: Tuple[Alternative, ...] = ()
    records: Optional[str] = None  # the promise made, as the lead's reason (facts filled in)
    case: Optional[str] = None

    def annotation(self) -> Dict[str, Any]:
        """The ``custom`` payload: the output contract's keys, plus what coach mode shows (why the
        principle works here, the move's name, and other scripts for the same situation)."""
        return {
            "objection": self.objection,
            "principle": self.principle,
            "principle_zh": self.principle_zh,
            "move": self.move,
            "script_id": self.script_id,
            "attempt": self.attempt,
            "stage": self.stage,
            "principle_why": self.principle_why,
            "move_zh": self.move_zh,
            "alternatives": [a.__dict__ for a in self.alternatives],
            **({"case": self.case} if self.case else {}),
        }


def _known(slots: Mapping[str, Any], name: str) -> bool:
    return slots.get(name) not in (None, "", [])


def matches(when: When, ctx: Context) -> bool:
    """Whether a script's or a rule row's conditions hold in ``ctx``."""
    if ctx.attempt < when.attempt_min or (when.attempt_max is not None and ctx.attempt > when.attempt_max):
        return False
    if not all(_known(ctx.slots, s) for s in when.known) or any(_known(ctx.slots, s) for s in when.unknown):
        return False
    if when.after and not set(when.after) & set(ctx.history):
        return False
    return not when.stages or ctx.stage in when.stages


def eligible(script: Script, ctx: Context, facts: Mapping[str, str]) -> bool:
    """Unused in this conversation, its conditions hold, and every fact it needs exists."""
    return script.id not in ctx.used_scripts and matches(script.when, ctx) and all(f in facts for f in script.facts)


def next_stage(playbook: Playbook, current: Optional[str], objection: str) -> str:
    """The sales step after this objection: the step it belongs to, forward or back. A customer who
    says 再看看 in negotiation is at 跟踪 for that answer, and back at 协商 with the next price push; a
    quality doubt after the price talk goes back to 介绍产品 (the step says where the customer is, so
    the next answer fits it, not how far the conversation once got)."""
    return playbook.rules[objection].stage


def select_script(playbook: Playbook, catalog: Catalog, ctx: Context) -> Optional[ScriptChoice]:
    """The next answer to ``ctx.objection``, or None when no script is eligible any more.

    The first rule row matching ``ctx`` gives the moves in order of preference. Among the
    eligible scripts of those moves the first whose principle differs from the previous answer's
    is taken; the same principle twice in a row only when nothing else is eligible.
    """
    answered = ctx.case or ctx.objection  # the rules and scripts of the case, when one was read
    rule = playbook.rules.get(answered)
    if rule is None:
        return None
    policy = playbook.policy
    facts = resolve_facts(
        catalog,
        ctx.slots,
        ctx.gifts_offered,
        rule.aspects,
        playbook.aspect_words,
        policy.gifts_per_conversation,
        policy.sample_labels,
    )
    row = next((r for r in rule.rows if matches(r.when, ctx)), rule.rows[-1])
    candidates: List[Script] = []
    for move in row.moves:
        candidates += [s for s in playbook.scripts_for(answered) if s.move == move and eligible(s, ctx, facts)]
    if not candidates:
        return None
    script = next((s for s in candidates if s.principle != ctx.last_principle), candidates[0])
    others = [s for s in candidates if s.id != script.id]
    others.sort(key=lambda s: s.principle == script.principle)  # prefer other principles
    alternatives = tuple(
        Alternative(s.id, s.principle, playbook.principles[s.principle].zh, s.move, fill(s.text, facts))
        for s in others[:2]
    )
    return ScriptChoice(
        script_id=script.id,
        objection=ctx.objection,
        principle=script.principle,
        principle_zh=playbook.principles[script.principle].zh,
        move=script.move,
        attempt=ctx.attempt,
        stage=next_stage(playbook, ctx.stage, answered),
        text=fill(script.text, facts),
        follow_up=fill(script.follow_up, facts) if script.follow_up else None,
        buttons=tuple(Button(fill(b.title, facts), fill(b.payload, facts)) for b in script.buttons),
        offers_gift="dealer.gift" in script.facts,
        records=fill(script.records, facts) if script.records else None,
        case=ctx.case,
        principle_why=playbook.principles[script.principle].why,
        move_zh=playbook.moves[script.move].zh,
        alternatives=alternatives,
    )
