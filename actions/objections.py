"""Answering objections with the playbook (the logic lives in bot.playbook)."""

import logging
import os
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._context import (
    SLOT_GIFTS_OFFERED,
    SLOT_LEAD_PENDING,
    SLOT_LAST_PRINCIPLE,
    SLOT_SALES_STAGE,
    SLOT_USED_SCRIPTS,
    latest_intent,
    objection_context,
)
from bot.catalog import Catalog, get_catalog
from bot.constants import DEFAULT_CATALOG_PATH, ENV_CATALOG_PATH, OBJECTION_INTENTS
from bot.exceptions import BotError
from bot.playbook.loader import get_playbook
from bot.playbook.rules import ScriptChoice, select_script

logger = logging.getLogger(__name__)
ACTION_ANSWER_OBJECTION = "action_answer_objection"


def catalog() -> Catalog:
    """The dealer catalog ($BOT_CATALOG_PATH or data/catalog.yml), loaded once."""
    return get_catalog(os.environ.get(ENV_CATALOG_PATH, DEFAULT_CATALOG_PATH))


def utter_choice(dispatcher: CollectingDispatcher, choice: ScriptChoice) -> None:
    """Sends a script: its text with buttons, the follow-up line, and the annotation payload."""
    buttons = [{"title": b.title, "payload": b.payload} for b in choice.buttons]
    dispatcher.utter_message(text=choice.text, buttons=buttons or None)
    if choice.follow_up:
        dispatcher.utter_message(text=choice.follow_up)
    dispatcher.utter_message(json_message=choice.annotation())


class ActionAnswerObjection(Action):
    """Answers the objection of the latest message with the next playbook script."""

    def name(self) -> Text:
        return ACTION_ANSWER_OBJECTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = latest_intent(tracker) or ""
        parts = [p for p in intent.split("+") if p in OBJECTION_INTENTS]
        if not parts:
            dispatcher.utter_message(response="utter_default")
            return []
        if len(parts) > 1:  # two objections in one message: each answered, in order
            return await self._answer_each(dispatcher, tracker, parts)
        return self._answer(dispatcher, tracker, parts[0])

    async def _answer_each(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           objections: List[str]) -> List[EventType]:
        events: List[EventType] = []
        for objection in objections:
            answered = self._answer(dispatcher, tracker, objection)
            events += answered
            for event in answered:  # the next answer sees this one's scripts and stage
                tracker.slots[event["name"]] = event["value"]
        return events

    def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, objection: str) -> List[EventType]:
        ctx = objection_context(tracker, objection)
        try:
            choice = select_script(get_playbook(), catalog(), ctx)
        except BotError:
            logger.exception("playbook or catalog could not be loaded")
            choice = None
        if choice is None:
            # Every script for this objection was used (or the data is broken): the general answer.
            dispatcher.utter_message(response=f"utter_{objection}")
            return []
        utter_choice(dispatcher, choice)
        events: List[EventType] = [
            SlotSet(SLOT_USED_SCRIPTS, list(ctx.used_scripts) + [choice.script_id]),
            SlotSet(SLOT_LAST_PRINCIPLE, choice.principle),
            SlotSet(SLOT_SALES_STAGE, choice.stage),
        ]
        if choice.offers_gift:
            events.append(SlotSet(SLOT_GIFTS_OFFERED, ctx.gifts_offered + 1))
        if objection == "delay_decision" and choice.move == "next_step" and not tracker.get_slot("lead_grade"):
            events.append(SlotSet(SLOT_LEAD_PENDING, True))  # a stall again: grade the lead next
        return events
