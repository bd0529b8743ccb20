"""A message the classifier could not place (nlu_fallback) gets a second reading before the help
menu: two objections in clauses of their own (太貴了，而且還要問問老婆) are answered in order, and
a question the catalog answers (远山pro配的什么变速箱) is read again as ask_product_info."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions._context import reinterpret
from actions.objections import ActionAnswerObjection, cues
from bot.playbook.second_objection import objections_by_cues
from bot.rasa.names import ACTION_FALLBACK, UTTER_DEFAULT

logger = logging.getLogger(__name__)


class ActionFallback(Action):
    def name(self) -> Text:
        return ACTION_FALLBACK

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from actions.product import product_answer

        message = tracker.latest_message or {}
        objections = objections_by_cues(message.get("text") or "", message.get("entities") or [], cues())
        if objections:
            return await ActionAnswerObjection().answer_each(dispatcher, tracker, objections)
        try:
            result = product_answer(tracker)
        except Exception:  # the help menu still comes
            logger.exception("fact lookup failed")
            result = None
        if result is not None and result.answered and result.query.asks:
            return reinterpret(tracker, "ask_product_info", "the catalog answers it")
        dispatcher.utter_message(response=UTTER_DEFAULT)
        return []
