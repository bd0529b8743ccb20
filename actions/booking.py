"""Booking a test drive in as few messages as the customer gives (the logic lives in bot.booking):
the model, day and time and a phone number are read from every message of the booking and merged;
what is missing is asked (with the next possible slot at once when the time asked for cannot be
booked). The phone number the customer types to book is their yes to this booking: with model, day
and phone given and the slot as asked, the booking is kept at once — a lead graded O with its
follow-up before the visit, the sales team notified — and read back (masked phone); a no right
after it calls it off and deletes what it stored. A slot that had to move is read back first and
kept only on an explicit yes."""

import datetime as dt
import functools
import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._context import conversation, last_bot_action, latest_intent
from actions.objections import catalog
from bot.catalog.location import catalog_path
from bot.nlu.location import lexicon_dir
from bot.rasa.names import (
    ACTION_CANCEL_BOOKING,
    ACTION_SAVE_BOOKING,
    ACTION_START_BOOKING,
    ACTION_VALIDATE_TEST_DRIVE_FORM,
    SLOT_BOOKING_CONFIRMED,
    SLOT_BOOKING_KEPT,
    SLOT_BOOKING_PROMPT,
    SLOT_BOOKING_REQUEST,
    SLOT_BOOKING_START,
    SLOT_CAR_MODEL,
    SLOT_LEAD_CONSENT,
    SLOT_LEAD_GRADE,
    SLOT_LEAD_PHONE,
    UTTER_BOOKING_CANCELLED,
    UTTER_BOOKING_CANCELLED_ONLY,
    UTTER_BOOKING_NOT_KEPT,
    UTTER_DENY,
)

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def finder() -> Any:
    from bot.nlu.entities import EntityFinder
    from bot.nlu.lexicon import load_lexicon

    return EntityFinder(load_lexicon(str(catalog_path()), lexicon_dir()))


def _dump(request: Any) -> str:
    return json.dumps(
        {
            "model": request.model,
            "day": request.day.isoformat() if request.day else None,
            "day_given": request.day_given,
            "time_from": request.time_from.isoformat() if request.time_from else None,
            "time_to": request.time_to.isoformat() if request.time_to else None,
            "time_words": request.time_words,
            "asked_date": request.asked_date,
            "phone": request.phone,
            "problems": list(request.problems),
        },
        ensure_ascii=False,
    )


def _load(raw: Optional[str]) -> Any:
    from bot.booking import BookingRequest

    try:
        d = json.loads(raw or "")
    except ValueError:
        return BookingRequest()
    if not isinstance(d, dict):
        return BookingRequest()
    return BookingRequest(
        model=d.get("model"),
        day=dt.date.fromisoformat(d["day"]) if d.get("day") else None,
        day_given=bool(d.get("day_given")),
        time_from=dt.time.fromisoformat(d["time_from"]) if d.get("time_from") else None,
        time_to=dt.time.fromisoformat(d["time_to"]) if d.get("time_to") else None,
        time_words=d.get("time_words") or "",
        asked_date=d.get("asked_date") or "",
        phone=d.get("phone"),
        problems=tuple(p for p in d.get("problems") or () if isinstance(p, str)),
    )


def booking_so_far(tracker: Tracker, now: dt.datetime) -> Any:
    """The booking asked for until now, this message included (a model talked about before counts)."""
    from bot.booking import merge, parse_booking

    hours = catalog().dealer.opening_hours
    previous = _load(tracker.get_slot(SLOT_BOOKING_REQUEST))
    new = parse_booking(tracker.latest_message.get("text") or "", now, finder(), hours)
    request = merge(previous, new, now, hours)
    if request.model is None and tracker.get_slot(SLOT_CAR_MODEL):
        from dataclasses import replace

        request = replace(request, model=tracker.get_slot(SLOT_CAR_MODEL))
    return request


def next_prompt(tracker: Tracker, now: dt.datetime) -> Dict[Text, Any]:
    """The booking so far and what comes next: the question for what is missing (after the next
    possible slot, when the time asked for cannot be booked); with everything given, the booking
    itself (``booking_confirmed`` True: the customer typed the phone to book this test drive) or,
    when the slot had to move, the read-back of the slot proposed, to be answered yes or no."""
    from bot.booking import ask, booking_moved, choose_slot, missing, propose, read_back
    from bot.privacy.logs import mask_phone

    request = booking_so_far(tracker, now)
    slots: Dict[Text, Any] = {SLOT_BOOKING_REQUEST: _dump(request), SLOT_BOOKING_CONFIRMED: None}
    hours = catalog().dealer.opening_hours
    assert hours is not None, "booking needs dealer.opening_hours in the catalog"
    slot = choose_slot(request, now, hours)
    todo = missing(request)
    if todo:
        slots[SLOT_BOOKING_PROMPT] = propose(slot) + (ask(todo) or "")
        slots[SLOT_BOOKING_START] = None
        return slots
    slots[SLOT_BOOKING_START] = slot.start.isoformat() if slot.start else None
    if booking_moved(slot):
        slots[SLOT_BOOKING_PROMPT] = read_back(request, slot, mask_phone(request.phone))
    else:
        slots[SLOT_BOOKING_PROMPT] = None
        slots[SLOT_BOOKING_CONFIRMED] = True
    return slots


class ActionStartBooking(Action):
    """Reads the message that asked for a test drive (it may already hold the model, the day and
    the phone) before the booking form asks its first question."""

    def name(self) -> Text:
        return ACTION_START_BOOKING

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        slots = next_prompt(tracker, dt.datetime.now())
        return [SlotSet(k, v) for k, v in slots.items()]


class ValidateTestDriveForm(FormValidationAction):
    """Reads each message of the booking; the form asks ``booking_prompt`` until the customer says yes
    or no to the read-back."""

    def name(self) -> Text:
        return ACTION_VALIDATE_TEST_DRIVE_FORM

    async def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        from bot.leads.contact import Consent, read_consent

        now = dt.datetime.now()
        text = tracker.latest_message.get("text") or ""
        slots = next_prompt(tracker, now)
        changed = slots[SLOT_BOOKING_REQUEST] != (tracker.get_slot(SLOT_BOOKING_REQUEST) or _dump(_load(None)))
        if (
            slots[SLOT_BOOKING_CONFIRMED] is None and tracker.get_slot(SLOT_BOOKING_START) and not changed
        ):  # an answer to the read-back
            consent = read_consent(text, latest_intent(tracker))
            if consent is Consent.YES:
                return {SLOT_BOOKING_CONFIRMED: True}
            if consent is Consent.NO:
                return {SLOT_BOOKING_CONFIRMED: False}
        # booking_confirmed last: rasa_sdk drops the other (not required) slots it meets before it
        # and keeps what validate_booking_confirmed returns, which passes them on.
        confirmed = slots.pop(SLOT_BOOKING_CONFIRMED)
        return {**slots, SLOT_BOOKING_CONFIRMED: confirmed}

    def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # rasa_sdk keeps only the form's required slots from the extraction: the booking so far, the
        # next question and the slot read back are passed on from here (the extraction put them on
        # the tracker).
        return {
            SLOT_BOOKING_CONFIRMED: value if isinstance(value, bool) else None,
            **{s: tracker.get_slot(s) for s in (SLOT_BOOKING_REQUEST, SLOT_BOOKING_PROMPT, SLOT_BOOKING_START)},
        }


class ActionSaveBooking(Action):
    """After the read-back: on a yes, the lead (grade O, reason, follow-up the day before the visit)
    and the team's notification; on a no, nothing is kept."""

    def name(self) -> Text:
        return ACTION_SAVE_BOOKING

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from bot.booking import booked, format_when
        from bot.leads.booking import BOOKING_GRADE, keep_booking
        from bot.privacy.logs import mask_phone

        clear = [
            SlotSet(s, None)
            for s in (SLOT_BOOKING_REQUEST, SLOT_BOOKING_PROMPT, SLOT_BOOKING_CONFIRMED, SLOT_BOOKING_START)
        ]
        request = _load(tracker.get_slot(SLOT_BOOKING_REQUEST))
        start = tracker.get_slot(SLOT_BOOKING_START)
        if tracker.get_slot(SLOT_BOOKING_CONFIRMED) is not True or not start or not request.phone:
            dispatcher.utter_message(response=UTTER_BOOKING_NOT_KEPT)
            return clear
        when = dt.datetime.fromisoformat(start)
        kept = keep_booking(
            conversation(tracker, catalog().dealer),
            phone=request.phone,
            car_model=request.model,
            when=when,
            when_text=format_when(when),
            today=dt.date.today(),
        )
        if kept is None:  # the person asked to be forgotten: nothing is kept
            return clear
        dispatcher.utter_message(text=booked(request, when, mask_phone(request.phone)))
        return clear + [
            SlotSet(SLOT_LEAD_PHONE, request.phone),
            SlotSet(SLOT_LEAD_CONSENT, True),
            SlotSet(SLOT_LEAD_GRADE, BOOKING_GRADE),
            SlotSet(SLOT_CAR_MODEL, kept["model"]),
            SlotSet(SLOT_BOOKING_KEPT, json.dumps(kept, ensure_ascii=False)),
        ]


class ActionCancelBooking(Action):
    """A no right after a booking was kept (不约了, 取消): the booking is undone. A lead the booking
    created is deleted with its phone number; a lead that existed before keeps what the customer had
    agreed to then, without the booking. The team is told, so nobody calls to confirm. A no at any
    other time is answered as usual."""

    def name(self) -> Text:
        return ACTION_CANCEL_BOOKING

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from bot.leads.booking import cancel_booking

        try:
            kept = json.loads(tracker.get_slot(SLOT_BOOKING_KEPT) or "")
        except ValueError:
            kept = None
        if not isinstance(kept, dict) or last_bot_action(tracker) != ACTION_SAVE_BOOKING:
            dispatcher.utter_message(response=UTTER_DENY)
            return [SlotSet(SLOT_BOOKING_KEPT, None)]
        previous = cancel_booking(tracker.sender_id, tracker.get_latest_input_channel(), kept)
        slots = [SlotSet(SLOT_BOOKING_KEPT, None)]
        if previous is not None:
            dispatcher.utter_message(response=UTTER_BOOKING_CANCELLED_ONLY)
            return slots + [
                SlotSet(SLOT_LEAD_PHONE, previous.get("phone")),
                SlotSet(SLOT_LEAD_GRADE, previous.get("grade")),
            ]
        dispatcher.utter_message(response=UTTER_BOOKING_CANCELLED)
        return slots + [SlotSet(s, None) for s in (SLOT_LEAD_PHONE, SLOT_LEAD_CONSENT, SLOT_LEAD_GRADE)]
