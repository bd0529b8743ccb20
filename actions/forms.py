"""Validation of the needs form (model choice) and the lead-grading form, and the statements every
message is read for (budget, competitor, current car); parsing lives in bot/."""

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._context import before_latest_message
from bot.leads.grading import days_until_purchase, get_grade_rules
from bot.nlu.location import lexicon_dir
from bot.product.needs import (
    asks_budget,
    get_needs_vocabulary,
    parse_passengers,
    parse_priority,
    parse_usage,
    read_statements,
)
from bot.rasa.names import (
    ACTION_READ_STATEMENTS,
    ACTION_VALIDATE_LEAD_GRADE_FORM,
    ACTION_VALIDATE_MODEL_NEEDS_FORM,
    SLOT_BUDGET,
    SLOT_COMPETITOR,
    SLOT_CURRENT_CAR,
    SLOT_PASSENGERS,
    SLOT_PRIORITY,
    SLOT_PURCHASE_TIMEFRAME,
    SLOT_REQUESTED,
    SLOT_USAGE,
    UTTER_NEEDS_NOT_UNDERSTOOD,
)


def _bot_text_before(tracker: Tracker) -> Optional[str]:
    """What the bot said last before the latest message (its last text line)."""
    found = before_latest_message(tracker, "bot", lambda e: bool(e.get("text")))
    return found["text"] if found else None


def _not_understood(dispatcher: CollectingDispatcher, slot: str) -> Dict[Text, Any]:
    """An answer the form cannot use: said so, and the slot asked again."""
    dispatcher.utter_message(response=UTTER_NEEDS_NOT_UNDERSTOOD)
    return {slot: None}


def _read_answer(
    dispatcher: CollectingDispatcher, slot: str, value: Any, read: Callable[[str], Optional[str]]
) -> Dict[Text, Any]:
    """The slot's value that ``read`` finds in the free-text answer (None: not understood)."""
    text = str(value or "").strip()
    found = read(text) if text else None
    return _not_understood(dispatcher, slot) if found is None else {slot: found}


class ActionReadStatements(Action):
    """The slot mapping of ``budget``, ``competitor`` and ``current_car`` (domain.yml, custom with
    this action), run by Rasa for every message: each is set only from the statement that says it
    (bot.product.needs.read_statements). 月供要4500 is no budget; 我现在开的是一台卡罗拉 is the current car, not a
    competitor. A slot already known stays unless the message states it again."""

    def name(self) -> Text:
        return ACTION_READ_STATEMENTS

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        words = get_needs_vocabulary(lexicon_dir()).statements
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        asked = tracker.get_slot(SLOT_REQUESTED) == SLOT_BUDGET or asks_budget(_bot_text_before(tracker), words)
        said = read_statements(
            message.get("text") or "",
            message.get("entities") or [],
            words,
            budget_asked=asked,
            comparison=intent == "objection_competitor",
        )
        events: List[EventType] = []
        for slot, value in (
            (SLOT_BUDGET, said.budget),
            (SLOT_COMPETITOR, said.competitor),
            (SLOT_CURRENT_CAR, said.current_car),
        ):
            if value is not None and value != tracker.get_slot(slot):
                events.append(SlotSet(slot, value))
        return events


class ValidateModelNeedsForm(FormValidationAction):
    """Turns free-text answers about usage, passengers, budget and priority into slot values."""

    def name(self) -> Text:
        return ACTION_VALIDATE_MODEL_NEEDS_FORM

    def validate_usage(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # Any description of use is kept; a recognised kind is stored in its place.
        vocabulary = get_needs_vocabulary(lexicon_dir())
        return _read_answer(dispatcher, SLOT_USAGE, value, lambda text: parse_usage(text, vocabulary) or text[:100])

    def validate_passengers(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        n = value if isinstance(value, (int, float)) else parse_passengers(str(value or ""))
        if n is None or not 1 <= n <= 9:
            return _not_understood(dispatcher, SLOT_PASSENGERS)
        return {SLOT_PASSENGERS: float(n)}

    def validate_budget(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return {SLOT_BUDGET: float(value)}
        # the answer to the budget question: an amount, unless it is a monthly payment or an income
        message = tracker.latest_message or {}
        said = read_statements(
            message.get("text") or "",
            message.get("entities") or [],
            get_needs_vocabulary(lexicon_dir()).statements,
            budget_asked=True,
        )
        if said.budget:
            return {SLOT_BUDGET: said.budget}
        return _not_understood(dispatcher, SLOT_BUDGET)

    def validate_priority(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        vocabulary = get_needs_vocabulary(lexicon_dir())
        return _read_answer(dispatcher, SLOT_PRIORITY, value, lambda text: parse_priority(text, vocabulary))


class ValidateLeadGradeForm(FormValidationAction):
    """Accepts an answer to "when do you plan to buy?" only if it says something about time."""

    def name(self) -> Text:
        return ACTION_VALIDATE_LEAD_GRADE_FORM

    def validate_purchase_timeframe(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        rules = get_grade_rules(lexicon_dir())
        return _read_answer(
            dispatcher,
            SLOT_PURCHASE_TIMEFRAME,
            value,
            lambda text: text[:100] if days_until_purchase(text, rules) is not None else None,
        )
