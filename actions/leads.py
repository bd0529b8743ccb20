"""Grading the lead after the lead-grading form."""

import datetime as dt
import os
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.constants import DEFAULT_LEXICON_DIR, ENV_LEXICON_DIR
from bot.leads.grading import get_grade_rules, grade_lead


class ActionGradeLead(Action):
    """Grades the lead O/A/B/C from the purchase timeframe and sets the follow-up date."""

    def name(self) -> Text:
        return "action_grade_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        rules = get_grade_rules(os.environ.get(ENV_LEXICON_DIR, DEFAULT_LEXICON_DIR))
        grade = grade_lead(tracker.get_slot("purchase_timeframe") or "", rules, dt.date.today())
        if grade is None:  # the form only accepts answers with a timeframe; be safe anyway
            grade = grade_lead("不确定", rules, dt.date.today())
        assert grade is not None, "the grade rules have no row for 不确定"
        date = grade.follow_up_date.isoformat()
        dispatcher.utter_message(response="utter_lead_graded", follow_up_date=date)
        dispatcher.utter_message(json_message={"lead_grade": grade.grade, "follow_up_date": date})
        return [SlotSet("lead_grade", grade.grade), SlotSet("follow_up_date", date), SlotSet("lead_pending", False)]
