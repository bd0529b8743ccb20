"""Tracker → plain engine context. The only place that knows how our slots are named."""

from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker

from bot.leadstore import objections_raised
from bot.playbook.model import CONTEXT_SLOTS
from bot.playbook.rules import Context

SLOT_USED_SCRIPTS = "used_scripts"
SLOT_LAST_PRINCIPLE = "last_principle"
SLOT_SALES_STAGE = "sales_stage"
SLOT_GIFTS_OFFERED = "gifts_offered"
SLOT_LEAD_PENDING = "lead_pending"


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the latest message (the classifier's top intent if the fallback took over)."""
    intent = tracker.get_intent_of_latest_message(skip_fallback_intent=True)
    return intent or (tracker.latest_message.get("intent") or {}).get("name")


def raised_objections(tracker: Tracker) -> List[str]:
    """Objection intents of the user's messages in this session, oldest first."""
    return objections_raised(tracker.events)


def objection_context(tracker: Tracker, objection: str, in_message: Sequence[str] = ()) -> Context:
    """The engine's view of the conversation for answering ``objection`` now; ``in_message``: the
    objections of the latest message in the order said, when there are two."""
    raised = raised_objections(tracker)
    if len(in_message) > 1 and objection in in_message:
        # this one counts after the message's earlier objection, before its later one
        if raised and raised[-1] == latest_intent(tracker):
            raised = raised[:-1]
        raised += list(in_message[:list(in_message).index(objection) + 1])
    elif not raised or raised[-1] != objection:  # e.g. a button payload or a form answer
        raised.append(objection)
    slots: Dict[str, Any] = {name: tracker.get_slot(name) for name in CONTEXT_SLOTS}
    return Context(
        objection=objection,
        attempt=raised.count(objection),
        stage=tracker.get_slot(SLOT_SALES_STAGE),
        slots=slots,
        history=tuple(raised[:-1]),
        used_scripts=tuple(tracker.get_slot(SLOT_USED_SCRIPTS) or ()),
        last_principle=tracker.get_slot(SLOT_LAST_PRINCIPLE),
        gifts_offered=int(tracker.get_slot(SLOT_GIFTS_OFFERED) or 0),
    )
