"""Recommending one model once the needs form is complete."""

import logging
from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._context import objection_context
from actions.objections import catalog, utter_choice
from bot.exceptions import BotError
from bot.playbook.loader import get_playbook
from bot.playbook.rules import select_script
from bot.product.needs import Needs, recommend
from bot.rasa.names import (
    ACTION_RECOMMEND_MODEL,
    GENERAL_ANSWERS,
    SLOT_BUDGET,
    SLOT_CAR_MODEL,
    SLOT_LAST_PRINCIPLE,
    SLOT_PASSENGERS,
    SLOT_PRIORITY,
    SLOT_SALES_STAGE,
    SLOT_USAGE,
    SLOT_USED_SCRIPTS,
)

logger = logging.getLogger(__name__)
OBJECTION = "choose_model"  # the intent whose playbook scripts present the model


class ActionRecommendModel(Action):
    """Picks the model for the customer's needs and presents it with a value script (FAB and,
    where the catalog has it, social proof)."""

    def name(self) -> Text:
        return ACTION_RECOMMEND_MODEL

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        try:
            cat = catalog()
            needs = Needs(
                tracker.get_slot(SLOT_USAGE),
                tracker.get_slot(SLOT_PASSENGERS),
                tracker.get_slot(SLOT_BUDGET),
                tracker.get_slot(SLOT_PRIORITY),
            )
            model = recommend(cat, needs)
            ctx = objection_context(tracker, OBJECTION)
            # The needs are known now: the rule table's row for a later attempt (value) applies.
            ctx = replace(ctx, slots={**ctx.slots, SLOT_CAR_MODEL: model.name}, attempt=max(ctx.attempt, 2))
            choice = select_script(get_playbook(), cat, ctx)
        except BotError:
            logger.exception("playbook or catalog could not be loaded")
            dispatcher.utter_message(response=GENERAL_ANSWERS[OBJECTION])
            return []
        events: List[EventType] = [SlotSet(SLOT_CAR_MODEL, model.name)]
        if choice is None:
            dispatcher.utter_message(response=GENERAL_ANSWERS[OBJECTION])
            return events
        utter_choice(dispatcher, choice)
        if model.image:
            dispatcher.utter_message(image=model.image)
        return events + [
            SlotSet(SLOT_USED_SCRIPTS, list(ctx.used_scripts) + [choice.script_id]),
            SlotSet(SLOT_LAST_PRINCIPLE, choice.principle),
            SlotSet(SLOT_SALES_STAGE, choice.stage),
        ]
