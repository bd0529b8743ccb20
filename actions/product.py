"""Answering a visitor's question with a fact from the dealer's data (the logic lives in
bot.product): the fact first, short, and the subject kept for follow-ups (那远山呢, 它油耗多少)."""

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.objections import catalog
from bot.rasa.names import (
    ACTION_ANSWER_PRODUCT,
    SLOT_CAR_MODEL,
    SLOT_PRODUCT_QUESTION,
    SLOT_PRODUCT_SUBJECT,
    UTTER_ASK_PRODUCT_DETAIL,
)

logger = logging.getLogger(__name__)


def product_answer(tracker: Tracker, now: Optional[dt.datetime] = None) -> Any:
    """The catalog's answer to the latest message, with the conversation's subject and last question."""
    from bot.product import answer

    text = tracker.latest_message.get("text") or ""
    subject = tracker.get_slot(SLOT_PRODUCT_SUBJECT) or tracker.get_slot(SLOT_CAR_MODEL)
    last = tracker.get_slot(SLOT_PRODUCT_QUESTION)
    previous = answer(last, catalog(), subject=subject) if last else None
    return answer(text, catalog(), subject=subject, now=now or dt.datetime.now(), previous=previous)


def remember(tracker: Tracker, result: Any) -> List[EventType]:
    """Slots that keep the subject and the question for a follow-up."""
    events: List[EventType] = [SlotSet(SLOT_PRODUCT_QUESTION, tracker.latest_message.get("text") or "")]
    if result.subject:
        events.append(SlotSet(SLOT_PRODUCT_SUBJECT, result.subject))
    if result.model and result.model != tracker.get_slot(SLOT_CAR_MODEL):
        events.append(SlotSet(SLOT_CAR_MODEL, result.model))
    return events


class ActionAnswerProduct(Action):
    """ask_product_info: the price, spec, feature, budget fit, on-the-road or monthly estimate, or
    the showroom's address and hours, from data/catalog.yml; what the catalog lacks is said honestly."""

    def name(self) -> Text:
        return ACTION_ANSWER_PRODUCT

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        result = product_answer(tracker)
        if not result.answered:
            dispatcher.utter_message(response=UTTER_ASK_PRODUCT_DETAIL)
            return []
        dispatcher.utter_message(text=customer_text(result.text))
        return remember(tracker, result)


def customer_text(text: str) -> str:
    """The answer without the demo catalog's marks (（示例数据）, data/playbook/policy.yml
    sample_labels): they stay in the catalog file, out of what customers read."""
    from bot.playbook.facts import strip_sample_labels
    from bot.playbook.loader import get_playbook

    return strip_sample_labels(text, get_playbook().policy.sample_labels)
