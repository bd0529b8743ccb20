"""A test drive kept or called off, as lead rows and notifications. The action server's booking
actions (actions/booking.py) call these; free of Rasa.

Keeping a booking makes the conversation's lead an O lead with the booking's phone and model, a
follow-up the day before the visit and the booking as its reason, and tells the team. What the
lead was before is returned with the booking, so a no right after it (``cancel_booking``) can undo
it: a lead the booking created is deleted with its phone number, a lead that existed before gets
back what the customer had agreed to then. The team is told of the cancellation too, so nobody
calls to confirm."""

import datetime as dt
from typing import Any, Dict, Mapping, Optional

from bot.leads.store import Conversation, Forgotten, Lead, LeadStore, lead_from_state
from bot.notify import NotifyEvent, notify

BOOKING_GRADE = "O"
BOOKING_REASON = "预约试驾 {when}"  # the lead row's reason, for the sales team (python -m bot leads, WeCom)


def _previous(lead: Optional[Lead]) -> Optional[Dict[str, Any]]:
    if lead is None:
        return None
    return {
        "phone": lead.phone,
        "grade": lead.grade,
        "car_model": lead.car_model,
        "reason": lead.reason,
        "follow_up_date": lead.follow_up_date.isoformat() if lead.follow_up_date else None,
    }


def keep_booking(
    conversation: Conversation,
    *,
    phone: str,
    car_model: Optional[str],
    when: dt.datetime,
    when_text: str,
    today: dt.date,
) -> Optional[Dict[str, Any]]:
    """Saves the booking as the conversation's lead and notifies the team. Returns what a
    cancellation needs (``when``, ``model``, the lead as it was before), or None when the person
    asked to be forgotten (nothing is kept)."""
    sender_id = conversation.sender_id
    lead = lead_from_state(conversation, today)
    lead.phone, lead.grade, lead.car_model = phone, BOOKING_GRADE, car_model or lead.car_model
    lead.follow_up_date = max(today, when.date() - dt.timedelta(days=1))
    lead.reason = BOOKING_REASON.format(when=when_text)
    store = LeadStore()
    before = store.get(sender_id)
    try:
        store.save(lead, conversation_started=conversation.started)
    except Forgotten:
        return None
    notify(
        NotifyEvent(
            "booking",
            lead.channel,
            sender_id,
            car_model=lead.car_model,
            when=when,
            grade=BOOKING_GRADE,
            phone=phone,
            phone_consent=True,
            name=lead.name,
        )
    )
    return {"when": when.isoformat(), "model": lead.car_model, "previous": _previous(before)}


def cancel_booking(sender_id: str, channel: Optional[str], kept: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """Undoes the booking ``kept`` (what ``keep_booking`` returned) and notifies the team. Returns the
    lead as it was before the booking (None: the booking had created it, and it is deleted)."""
    store = LeadStore()
    lead = store.get(sender_id)
    previous = kept.get("previous")
    previous = previous if isinstance(previous, dict) else None
    if lead is not None:
        if previous is None:
            store.delete(sender_id)
        else:  # back to what the customer had agreed to before the booking
            lead.phone = previous.get("phone") or lead.phone
            lead.grade, lead.car_model = previous.get("grade"), previous.get("car_model")
            lead.reason = previous.get("reason")
            follow = previous.get("follow_up_date")
            lead.follow_up_date = dt.date.fromisoformat(follow) if follow else None
            store.save(lead)
    when = dt.datetime.fromisoformat(kept["when"]) if kept.get("when") else None
    notify(NotifyEvent("cancel", channel or "rest", sender_id, car_model=kept.get("model"), when=when))
    return previous
