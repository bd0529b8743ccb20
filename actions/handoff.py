"""A person on request, on every channel: say honestly when and how a person answers, record it,
tell the sales team, and let the person have the conversation (the bot pauses until released)."""

import datetime as dt
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions._context import conversation
from actions.objections import catalog
from bot.leads.handoff import handoff_plan, record_handoff
from bot.rasa.names import ACTION_HAND_OVER

logger = logging.getLogger(__name__)


class ActionHandOver(Action):
    """Answers 找真人 / 转人工: when a person will answer (the showroom's hours from the catalog), the
    lead row updated with the reason, the team notified, ``{"handoff": ...}`` for the channel (WeChat
    hands the user to customer service, the widget opens the call-back form), then the conversation
    pauses: the bot stays silent until ``python -m bot release`` or the handoff timeout."""

    def name(self) -> Text:
        return ACTION_HAND_OVER

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        now = dt.datetime.now()
        plan = handoff_plan(catalog(), tracker.slots, now)
        dispatcher.utter_message(response=plan.response, **plan.variables)
        dispatcher.utter_message(json_message={"handoff": {"reason": plan.reason, "need_phone": plan.need_phone}})
        try:
            record_handoff(conversation(tracker, catalog().dealer), plan, now)
        except Exception:  # the answer has gone out; the log says what failed (phones masked)
            logger.exception("handoff not recorded")
        return [ConversationPaused()]
