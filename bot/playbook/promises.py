"""Promises the bot keeps: a script that says 记下了 / 请顾问… / 整理一份 names what is recorded
(``records`` in data/playbook, checked against policy.yml ``promises``); saying it writes the lead
with that reason and tells the sales team, as a handoff or a booking does."""

import datetime as dt
from typing import TYPE_CHECKING

from bot.leads.handoff import consented_phone

if TYPE_CHECKING:
    from bot.leads.store import Conversation

REASON_MAX = 200  # the leads table's reason column


def record_promise(conversation: "Conversation", reason: str, now: dt.datetime) -> None:
    """The lead row (new, or the sender's existing one) with ``reason`` added, and the team's
    notification. A phone number is kept only when the customer agreed to it (contact form)."""
    from bot.leads.store import Forgotten, LeadStore, keep_known, lead_from_state
    from bot.notify import NotifyEvent, notify

    store = LeadStore()
    slots = conversation.slots
    lead = lead_from_state(conversation, now.date())
    existing = store.get(conversation.sender_id)
    lead.phone, lead.name = consented_phone(slots) or "", slots.get("lead_name")
    keep_known(lead, existing)
    before = existing.reason if existing and existing.reason else ""
    lead.reason = (reason if not before or reason in before else f"{before}；{reason}")[:REASON_MAX]
    try:
        store.save(lead, conversation_started=conversation.started)
    except Forgotten:  # the person asked to be forgotten meanwhile: nothing is kept, nobody is told
        return
    notify(
        NotifyEvent(
            "lead",
            conversation.channel or "unknown",
            conversation.sender_id,
            car_model=lead.car_model,
            reason=reason,
            grade=lead.grade,
            phone=lead.phone or None,
            phone_consent=bool(lead.phone),
            name=lead.name,
            at=now,
        )
    )
