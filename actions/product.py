"""Answering a visitor's question with a fact from the dealer's data (the logic lives in
bot.product): the fact first, short, and the subject kept for follow-ups (那远山呢, 它油耗多少)."""

import datetime as dt
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.objections import catalog

logger = logging.getLogger(__name__)


class ActionAnswerProduct(Action):
    """ask_product_info: the price, spec, feature, budget fit, on-the-road or monthly estimate, or
    the showroom's address and hours, from data/catalog.yml; what the catalog lacks is said honestly."""

    def name(self) -> Text:
        return "action_answer_product"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        from bot.product import answer

        text = tracker.latest_message.get("text") or ""
        result = answer(text, catalog(), subject=tracker.get_slot("car_model"), now=dt.datetime.now())
        dispatcher.utter_message(text=result.text)
        if result.model and result.model != tracker.get_slot("car_model"):
            return [SlotSet("car_model", result.model)]
        return []
