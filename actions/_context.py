"""Tracker → plain engine context (slot names: bot.rasa.names)."""

import copy
from typing import Any, Callable, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUtteranceReverted, UserUttered

from bot.leads.store import Conversation, objections_raised, user_messages_this_session
from bot.playbook.model import CONTEXT_SLOTS
from bot.playbook.rules import Context
from bot.rasa.names import ACTION_LISTEN, SLOT_GIFTS_OFFERED, SLOT_LAST_PRINCIPLE, SLOT_SALES_STAGE, SLOT_USED_SCRIPTS


def conversation(tracker: Tracker, dealer: Any) -> Conversation:
    """The conversation as bot.leads sees it (who, channel, slots, events, dealer)."""
    return Conversation(tracker.sender_id, tracker.get_latest_input_channel(), tracker.slots, tracker.events, dealer)


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the latest message (the classifier's top intent if the fallback took over)."""
    intent = tracker.get_intent_of_latest_message(skip_fallback_intent=True)
    return intent or (tracker.latest_message.get("intent") or {}).get("name")


def before_latest_message(tracker: Tracker, event: str, wanted: Any = None) -> Optional[Dict[str, Any]]:
    """The newest event of kind ``event`` ("action", "bot") between the previous user message and the
    latest one that ``wanted`` accepts (None: the first one found)."""
    seen_user = False
    for e in reversed(tracker.events):
        if e.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and e.get("event") == event and (wanted is None or wanted(e)):
            return e
    return None


def last_bot_action(tracker: Tracker) -> Optional[str]:
    """The last action before the latest message, other than listening (None at the start)."""
    found = before_latest_message(tracker, "action", lambda e: e.get("name") not in (ACTION_LISTEN, None))
    return found.get("name") if found else None


def reinterpret(tracker: Tracker, intent: str, why: str) -> List[EventType]:
    """The latest message read again as ``intent`` in the light of the conversation (油耗呢 right
    after a fact answer asks a fact, not a quality objection): the message is taken back and put
    again with the new intent, as Rasa's own two-stage fallback does, so the rules answer it and the
    tracker shows what it was. The classifier's reading is kept under ``reinterpreted``."""
    message = tracker.latest_message or {}
    parse = copy.deepcopy(message)
    before = (message.get("intent") or {}).get("name")
    parse["intent"] = {"name": intent, "confidence": 1.0}
    parse["reinterpreted"] = {"from": before, "why": why}
    again = UserUttered(message.get("text"), parse_data=parse, input_channel=tracker.get_latest_input_channel())
    if message.get("metadata"):
        again["metadata"] = message["metadata"]
    return [UserUtteranceReverted(), ActionExecuted(ACTION_LISTEN), again]


def raised_objections(tracker: Tracker) -> List[str]:
    """Objection intents of the user's messages in this session, oldest first."""
    return objections_raised(tracker.events)


def case_attempts(tracker: Tracker, is_case: Callable[[str, Optional[str], List[Dict[str, Any]]], bool]) -> int:
    """How many of the user's messages in this session were read as a playbook case (price_match),
    by ``is_case(text, intent, entities)``; the latest message included."""
    return sum(1 for m in user_messages_this_session(tracker.events) if is_case(m.text, m.intent, m.entities))


def objection_context(
    tracker: Tracker, objection: str, in_message: Sequence[str] = (), case: Optional[str] = None, case_attempt: int = 0
) -> Context:
    """The engine's view of the conversation for answering ``objection`` now; ``in_message``: the
    objections of the latest message in the order said, when there are two; ``case``: a playbook
    case read inside the objection (price_match), raised for the ``case_attempt``-th time."""
    raised = raised_objections(tracker)
    if len(in_message) > 1 and objection in in_message:
        # this one counts after the message's earlier objection, before its later one
        if raised and raised[-1] == latest_intent(tracker):
            raised = raised[:-1]
        raised += list(in_message[: list(in_message).index(objection) + 1])
    elif not raised or raised[-1] != objection:  # e.g. a button payload or a form answer
        raised.append(objection)
    slots: Dict[str, Any] = {name: tracker.get_slot(name) for name in CONTEXT_SLOTS}
    return Context(
        objection=objection,
        attempt=max(case_attempt, 1) if case else raised.count(objection),
        stage=tracker.get_slot(SLOT_SALES_STAGE),
        slots=slots,
        history=tuple(raised[:-1]),
        used_scripts=tuple(tracker.get_slot(SLOT_USED_SCRIPTS) or ()),
        last_principle=tracker.get_slot(SLOT_LAST_PRINCIPLE),
        gifts_offered=int(tracker.get_slot(SLOT_GIFTS_OFFERED) or 0),
        case=case,
    )
