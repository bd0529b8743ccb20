"""Recording a consented lead from outside a Rasa turn (the widget's call-back form), the same way a
turn does: under Rasa's conversation lock, and with the database writes off the event loop.

In chat the lead is saved by ``action_save_lead`` on the action server, inside the turn (which holds
the conversation lock). The widget form has no turn, so ``record_form_lead`` takes the lock itself,
adds the contact slots and the reply to the tracker, saves it, and writes the lead row with the same
``lead_from_state`` / ``LeadStore.save`` in a worker thread.
"""

import asyncio
import datetime as dt
from typing import Any, Optional, Tuple

from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import EventVerbosity

from bot.leads.store import Conversation, Lead, LeadStore, keep_known, lead_from_state
from bot.rasa.names import SLOT_LEAD_CHANNEL, SLOT_LEAD_CONSENT, SLOT_LEAD_NAME, SLOT_LEAD_PHONE


async def record_form_lead(
    agent: Any,
    sender: str,
    channel: str,
    name: str,
    phone: str,
    reply: str,
    dealer: Any,
    today: Optional[dt.date] = None,
) -> Tuple[Lead, bool]:
    """Adds the consented contact details to ``sender``'s conversation and writes the lead row.
    Returns (stored lead, created)."""
    async with agent.lock_store.lock(sender):
        tracker = await agent.processor.fetch_tracker_and_update_session(sender, output_channel=None)
        for event in (
            SlotSet(SLOT_LEAD_NAME, name),
            SlotSet(SLOT_LEAD_PHONE, phone),
            SlotSet(SLOT_LEAD_CONSENT, True),
            SlotSet(SLOT_LEAD_CHANNEL, channel),
            BotUttered(reply),
        ):
            tracker.update(event)
        await agent.tracker_store.save(tracker)
        state = tracker.current_state(EventVerbosity.ALL)
        conversation = Conversation(sender, channel, state["slots"], state["events"], dealer)
        lead = lead_from_state(conversation, today or dt.date.today())
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, lambda: _save_and_notify(lead, conversation.started))


def _save_and_notify(lead: Lead, started: Optional[float]) -> Tuple[Lead, bool]:
    """Writes the lead without losing what an earlier step recorded on it (a handoff's reason and its
    same-day follow-up), then tells the sales team the number the customer left (with consent)."""
    from bot.notify import NotifyEvent, notify

    store = LeadStore()
    keep_known(lead, store.get(lead.sender_id))
    stored, created = store.save(lead, conversation_started=started)
    notify(
        NotifyEvent(
            "lead",
            stored.channel,
            stored.sender_id,
            car_model=stored.car_model,
            reason=stored.reason,
            grade=stored.grade,
            phone=stored.phone,
            phone_consent=True,
            name=stored.name,
        )
    )
    return stored, created
