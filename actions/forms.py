"""Validation of the needs form (model choice) and the lead-grading form; parsing lives in bot/."""

import os
from typing import Any, Dict, Optional, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.constants import DEFAULT_LEXICON_DIR, ENV_LEXICON_DIR
from bot.leads import days_until_purchase, get_grade_rules
from bot.needs import get_needs_vocabulary, parse_passengers, parse_priority, parse_usage

NOT_UNDERSTOOD = "utter_needs_not_understood"


def _lexicon_dir() -> str:
    return os.environ.get(ENV_LEXICON_DIR, DEFAULT_LEXICON_DIR)


def _money(tracker: Tracker) -> Optional[float]:
    for e in tracker.latest_message.get("entities", []):
        if e.get("entity") == "money" and isinstance(e.get("value"), (int, float)):
            return float(e["value"])
    return None


class ValidateModelNeedsForm(FormValidationAction):
    """Turns free-text answers about usage, passengers, budget and priority into slot values."""

    def name(self) -> Text:
        return "validate_model_needs_form"

    def validate_usage(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if not text:
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return {"usage": None}
        # Any description of use is kept; a recognised kind is stored in its place.
        return {"usage": parse_usage(text, get_needs_vocabulary(_lexicon_dir())) or text[:100]}

    def validate_passengers(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> Dict[Text, Any]:
        n = value if isinstance(value, (int, float)) else parse_passengers(str(value or ""))
        if n is None or not 1 <= n <= 9:
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return {"passengers": None}
        return {"passengers": float(n)}

    def validate_budget(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[Text, Any]:
        if isinstance(value, (int, float)) and value > 0:
            return {"budget": float(value)}
        amount = _money(tracker)
        if amount:
            return {"budget": amount}
        dispatcher.utter_message(response=NOT_UNDERSTOOD)
        return {"budget": None}

    def validate_priority(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        aspect = parse_priority(str(value or ""), get_needs_vocabulary(_lexicon_dir()))
        if aspect is None:
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
        return {"priority": aspect}


class ValidateLeadGradeForm(FormValidationAction):
    """Accepts an answer to "when do you plan to buy?" only if it says something about time."""

    def name(self) -> Text:
        return "validate_lead_grade_form"

    def validate_purchase_timeframe(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if not text or days_until_purchase(text, get_grade_rules(_lexicon_dir())) is None:
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return {"purchase_timeframe": None}
        return {"purchase_timeframe": text[:100]}
