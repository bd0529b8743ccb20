"""Answering objections with the playbook (the logic lives in bot.playbook)."""

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._context import case_attempts, conversation, last_bot_action, latest_intent, objection_context, reinterpret
from bot.catalog import Catalog
from bot.catalog.location import catalog_from_env
from bot.constants import OBJECTION_INTENTS
from bot.exceptions import BotError
from bot.nlu.location import lexicon_dir
from bot.playbook.loader import get_playbook
from bot.playbook.model import PRICE_MATCH
from bot.playbook.price_match import is_price_match
from bot.playbook.rules import ScriptChoice, select_script
from bot.playbook.second_objection import get_cues, mentions, objections_in_message
from bot.rasa.names import (
    ACTION_ANSWER_OBJECTION,
    ACTION_ANSWER_PRODUCT,
    GENERAL_ANSWERS,
    SLOT_GIFTS_OFFERED,
    SLOT_LAST_PRINCIPLE,
    SLOT_LEAD_GRADE,
    SLOT_LEAD_PENDING,
    SLOT_SALES_STAGE,
    SLOT_USED_SCRIPTS,
    UTTER_DEFAULT,
)

logger = logging.getLogger(__name__)
# Objections that often come as a fact question (油耗多少？质保几年？提车要多久？月供多少？): the
# catalog's fact is said first. Price complaints and stalls are not questions, so never here.
# A short question ending in 呢 right after a fact answer (油耗呢, 旗舰版呢？) is a follow-up.
FOLLOW_UP_MAX_CHARS = 10
FACT_FIRST = ("objection_quality", "objection_after_sales", "ask_delivery", "ask_financing", "ask_trade_in")


def cues() -> Any:
    """The cue words for a second objection in one message (data/lexicon/objection_cues.yml)."""
    return get_cues(lexicon_dir())


def catalog() -> Catalog:
    """The dealer catalog ($BOT_CATALOG_PATH or data/catalog.yml), loaded once."""
    return catalog_from_env()


def utter_choice(dispatcher: CollectingDispatcher, choice: ScriptChoice) -> None:
    """Sends a script: its text with buttons, the follow-up line, and the annotation payload."""
    buttons = [{"title": b.title, "payload": b.payload} for b in choice.buttons]
    dispatcher.utter_message(text=choice.text, buttons=buttons or None)
    if choice.follow_up:
        dispatcher.utter_message(text=choice.follow_up)
    dispatcher.utter_message(json_message=choice.annotation())


class FactOnce:
    """The catalog's answer to the latest message (``actions.product.product_answer``), looked up at
    the first call and kept for the rest of the turn; None when the lookup failed (logged once)."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.looked_up = False
        self.result: Any = None

    def __call__(self) -> Any:
        if not self.looked_up:
            from actions.product import product_answer

            self.looked_up = True
            try:
                self.result = product_answer(self.tracker)
            except Exception:  # the objection is still answered
                logger.exception("fact lookup failed")
        return self.result


def keep_promise(tracker: Tracker, reason: str) -> None:
    """What a script promised (its ``records``) is written as the lead's reason and the team is told."""
    import datetime as dt

    from bot.playbook.promises import record_promise

    try:
        record_promise(conversation(tracker, catalog().dealer), reason, dt.datetime.now())
    except Exception:  # the answer has gone out; the log says what failed (phones masked)
        logger.exception("promise not recorded")


class ActionAnswerObjection(Action):
    """Answers the objection of the latest message with the next playbook script."""

    def name(self) -> Text:
        return ACTION_ANSWER_OBJECTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        objection = latest_intent(tracker)
        if objection not in OBJECTION_INTENTS:
            dispatcher.utter_message(response=UTTER_DEFAULT)
            return []
        fact = FactOnce(tracker)
        if self._follows_a_fact(tracker, objection, fact):
            return reinterpret(tracker, "ask_product_info", "a follow-up to the fact just given")
        if self._price_match(tracker, objection):  # a same-model quote from another dealer: its own case
            return self._answer(dispatcher, tracker, objection, case=PRICE_MATCH)
        parts = objections_in_message(
            tracker.latest_message.get("text") or "", objection, tracker.latest_message.get("entities") or [], cues()
        )
        if len(parts) > 1:  # two objections in one message: each answered, in order
            return await self.answer_each(dispatcher, tracker, parts)
        facts = self._fact_first(dispatcher, tracker, fact) if objection in FACT_FIRST else []
        return facts + self._answer(dispatcher, tracker, objection)

    @staticmethod
    def _follows_a_fact(tracker: Tracker, objection: str, fact: FactOnce) -> bool:
        """Right after a fact answer, a message that asks the same again of something else (那远山呢,
        旗舰版呢？) or a short question ending in 呢 (油耗呢) with none of the objection's own cue
        words is a follow-up question, whatever the classifier thought."""
        if last_bot_action(tracker) != ACTION_ANSWER_PRODUCT:
            return False
        text = tracker.latest_message.get("text") or ""
        if mentions(text, objection, tracker.latest_message.get("entities") or [], cues()):
            return False
        result = fact()
        if result is None:
            return False
        bare = text.strip().rstrip("?？!！。. ~～")
        return (
            result.answered
            and not result.not_sold
            and (result.follow_up or (bare.endswith("呢") and len(bare) <= FOLLOW_UP_MAX_CHARS))
        )

    @staticmethod
    def _price_match_test() -> Any:
        """Whether a message (text, intent, entities) is a price match: the test for counting the
        attempts at the one playbook case (bot.constants.EXTRA_CASES)."""
        cues = get_playbook().policy.price_match
        return lambda text, intent, entities: is_price_match(text, intent, entities, cues)

    @staticmethod
    def _price_match(tracker: Tracker, objection: str) -> bool:
        try:
            cues = get_playbook().policy.price_match
        except BotError:
            return False
        return is_price_match(
            tracker.latest_message.get("text") or "", objection, tracker.latest_message.get("entities") or [], cues
        )

    @staticmethod
    def _fact_first(dispatcher: CollectingDispatcher, tracker: Tracker, fact: FactOnce) -> List[EventType]:
        """A fact asked inside an objection (远山油耗多少，会不会很费油) is answered first, from the
        catalog; the script comes after (the domain brief's honesty rules)."""
        from actions.product import customer_text, remember

        result = fact()
        if result is None or not result.answered or result.honest_unknown or result.not_sold:
            return []
        dispatcher.utter_message(text=customer_text(result.text))
        return remember(tracker, result)

    async def answer_each(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, objections: List[str]
    ) -> List[EventType]:
        events: List[EventType] = []
        for objection in objections:
            answered = self._answer(dispatcher, tracker, objection, objections)
            events += answered
            for event in answered:  # the next answer sees this one's scripts and stage
                tracker.slots[event["name"]] = event["value"]
        return events

    def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        objection: str,
        in_message: Sequence[str] = (),
        case: Optional[str] = None,
    ) -> List[EventType]:
        try:
            attempt = case_attempts(tracker, self._price_match_test()) if case else 0
            ctx = objection_context(tracker, objection, in_message, case, attempt)
            choice = select_script(get_playbook(), catalog(), ctx)
        except BotError:
            logger.exception("playbook or catalog could not be loaded")
            ctx, choice = objection_context(tracker, objection, in_message), None
        if choice is None:
            # Every script for this objection was used (or the data is broken): the general answer.
            dispatcher.utter_message(response=GENERAL_ANSWERS[case or objection])
            return []
        utter_choice(dispatcher, choice)
        if choice.records:
            keep_promise(tracker, choice.records)
        events: List[EventType] = [
            SlotSet(SLOT_USED_SCRIPTS, list(ctx.used_scripts) + [choice.script_id]),
            SlotSet(SLOT_LAST_PRINCIPLE, choice.principle),
            SlotSet(SLOT_SALES_STAGE, choice.stage),
        ]
        if choice.offers_gift:
            events.append(SlotSet(SLOT_GIFTS_OFFERED, ctx.gifts_offered + 1))
        if objection == "delay_decision" and choice.move == "next_step" and not tracker.get_slot(SLOT_LEAD_GRADE):
            events.append(SlotSet(SLOT_LEAD_PENDING, True))  # a stall again: grade the lead next
        return events
