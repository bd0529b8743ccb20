"""Leaving contact details in chat (any channel): the contact form and saving the lead row.
Parsing lives in bot.leads.contact, storage in bot.leads.store."""

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._context import conversation, latest_intent
from actions.objections import ActionAnswerObjection, catalog
from bot.constants import OBJECTION_INTENTS
from bot.leads.contact import Consent, contact_from_text, declines, read_consent
from bot.leads.store import Forgotten, LeadStore, lead_from_state
from bot.privacy.logs import mask_phone
from bot.privacy.phone import normalise_phone
from bot.rasa.names import (
    ACTION_SAVE_LEAD,
    ACTION_VALIDATE_CONTACT_FORM,
    FORM_CONTACT,
    SLOT_LEAD_CHANNEL,
    SLOT_LEAD_CONSENT,
    SLOT_LEAD_CONSENT_AGAIN,
    SLOT_LEAD_NAME,
    SLOT_LEAD_PHONE,
    SLOT_REQUESTED,
    UTTER_CONTACT_NOT_UNDERSTOOD,
    UTTER_LEAD_NOT_KEPT,
    UTTER_LEAD_SAVED,
)

logger = logging.getLogger(__name__)
DECLINED = "declined"
# What a declined or undone request leaves: no phone, name or consent kept.
NOTHING_KEPT = (SLOT_LEAD_PHONE, SLOT_LEAD_NAME, SLOT_LEAD_CONSENT, SLOT_LEAD_CONSENT_AGAIN)
# Answering the consent question with one of these (an objection, another question, a goodbye)
# instead of a yes keeps nothing; an objection is answered by action_save_lead.
UNRELATED_INTENTS = OBJECTION_INTENTS + ("goodbye", "out_of_scope")


def _requested(tracker: Tracker, *slots: str) -> bool:
    return tracker.active_loop.get("name") == FORM_CONTACT and tracker.get_slot(SLOT_REQUESTED) in slots


class ValidateContactForm(FormValidationAction):
    """A phone number (and a name if given) from free text, then an explicit yes to being called.
    Saying no, or raising an objection instead, ends the form without keeping anything. An answer
    that is neither yes nor no is asked about once more; unclear again, nothing is kept."""

    def name(self) -> Text:
        return ACTION_VALIDATE_CONTACT_FORM

    async def extract_lead_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not _requested(tracker, SLOT_LEAD_PHONE):
            return {}
        text = tracker.latest_message.get("text") or ""
        phone, _ = contact_from_text(text)
        if phone:
            return {SLOT_LEAD_PHONE: phone}
        intent = latest_intent(tracker)
        if intent == "deny" or declines(text) or intent in OBJECTION_INTENTS or intent == "goodbye":
            return {SLOT_LEAD_PHONE: DECLINED, SLOT_LEAD_CONSENT: False}
        dispatcher.utter_message(response=UTTER_CONTACT_NOT_UNDERSTOOD)
        return {}

    async def extract_lead_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not _requested(tracker, SLOT_LEAD_CONSENT, SLOT_LEAD_CONSENT_AGAIN):
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = latest_intent(tracker)
        reading = read_consent(text, intent)
        if reading is Consent.UNCLEAR and intent in UNRELATED_INTENTS:
            reading = Consent.NO  # not an answer to the question: keep nothing (an objection is answered)
        # the reading, decided on by validate_lead_consent
        return {SLOT_LEAD_CONSENT: reading.value}

    def validate_lead_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value == DECLINED:
            return {SLOT_LEAD_PHONE: value}
        if isinstance(value, str) and normalise_phone(value) == value:  # as extracted from the text
            # the name given in the same message (extracted slots outside required_slots are not kept)
            _, name = contact_from_text(tracker.latest_message.get("text") or "")
            return {SLOT_LEAD_PHONE: value, SLOT_LEAD_NAME: name or tracker.get_slot(SLOT_LEAD_NAME)}
        return {SLOT_LEAD_PHONE: None}

    def validate_lead_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """True only for a yes (or True set by the widget form). Unclear the first time: ask again
        (requested_slot → utter_ask_lead_consent_again); unclear the second time, or no: False."""
        if value is True or value == Consent.YES:
            return {SLOT_LEAD_CONSENT: True}
        if value == Consent.UNCLEAR and not tracker.get_slot(SLOT_LEAD_CONSENT_AGAIN):
            return {SLOT_LEAD_CONSENT: None, SLOT_LEAD_CONSENT_AGAIN: 1, SLOT_REQUESTED: SLOT_LEAD_CONSENT_AGAIN}
        return {SLOT_LEAD_CONSENT: False}


class ActionSaveLead(Action):
    """Writes the lead row after a consented phone number; otherwise keeps nothing."""

    def name(self) -> Text:
        return ACTION_SAVE_LEAD

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        phone: Optional[str] = tracker.get_slot(SLOT_LEAD_PHONE)
        if tracker.get_slot(SLOT_LEAD_CONSENT) is True and phone and phone != DECLINED:
            chat = conversation(tracker, catalog().dealer)
            try:
                lead, _ = LeadStore().save(lead_from_state(chat, dt.date.today()), conversation_started=chat.started)
            except Forgotten:
                logger.info("lead not saved: the person was forgotten during this conversation")
                return [SlotSet(s, None) for s in NOTHING_KEPT]
            dispatcher.utter_message(
                response=UTTER_LEAD_SAVED,
                masked_phone=mask_phone(lead.phone),
                follow_up_date=lead.follow_up_date.isoformat() if lead.follow_up_date else "",
            )
            dispatcher.utter_message(
                json_message={
                    "lead_saved": True,
                    "lead_grade": lead.grade,
                    "follow_up_date": lead.follow_up_date.isoformat() if lead.follow_up_date else None,
                }
            )
            return [SlotSet(SLOT_LEAD_CHANNEL, lead.channel), SlotSet(SLOT_LEAD_CONSENT_AGAIN, None)]
        events: List[EventType] = [SlotSet(s, None) for s in NOTHING_KEPT]
        if latest_intent(tracker) in OBJECTION_INTENTS:
            # They answered the phone question with an objection: answer it rather than drop it.
            return events + await ActionAnswerObjection().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response=UTTER_LEAD_NOT_KEPT)
        return events
