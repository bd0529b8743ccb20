"""Grading the lead after the lead-grading form."""

import datetime as dt
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.leads.grading import get_grade_rules, grade_lead
from bot.nlu.location import lexicon_dir
from bot.rasa.names import (
    ACTION_GRADE_LEAD,
    SLOT_FOLLOW_UP_DATE,
    SLOT_LEAD_GRADE,
    SLOT_LEAD_PENDING,
    SLOT_PURCHASE_TIMEFRAME,
    UTTER_LEAD_GRADED,
)


class ActionGradeLead(Action):
    """Grades the lead O/A/B/C from the purchase timeframe and sets the follow-up date."""

    def name(self) -> Text:
        return ACTION_GRADE_LEAD

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        rules = get_grade_rules(lexicon_dir())
        grade = grade_lead(tracker.get_slot(SLOT_PURCHASE_TIMEFRAME) or "", rules, dt.date.today())
        if grade is None:  # the form only accepts answers with a timeframe; be safe anyway
            grade = grade_lead("不确定", rules, dt.date.today())
        assert grade is not None, "the grade rules have no row for 不确定"
        date = grade.follow_up_date.isoformat()
        dispatcher.utter_message(response=UTTER_LEAD_GRADED, follow_up_date=date)
        dispatcher.utter_message(json_message={"lead_grade": grade.grade, "follow_up_date": date})
        return [
            SlotSet(SLOT_LEAD_GRADE, grade.grade),
            SlotSet(SLOT_FOLLOW_UP_DATE, date),
            SlotSet(SLOT_LEAD_PENDING, False),
        ]
