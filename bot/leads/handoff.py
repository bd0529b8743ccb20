"""Handing a customer to a person: what to tell them, and what to record and send to the team.

``handoff_plan`` decides the answer from the showroom's opening hours (catalog) and whether a
consented phone number is known; ``record_handoff`` writes or updates the lead row with the reason
(tomorrow's follow-up becomes today) and sends the team a notification (``bot.notify``: written to
the outbox first, delivered in the background, so a slow robot never delays the answer).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

from bot.catalog.hours import clock
from bot.privacy.logs import mask_phone
from bot.rasa.names import (
    SLOT_LEAD_CONSENT,
    SLOT_LEAD_NAME,
    SLOT_LEAD_PHONE,
    UTTER_HAND_OVER_CLOSED,
    UTTER_HAND_OVER_CLOSED_PHONE,
    UTTER_HAND_OVER_OPEN,
    UTTER_HAND_OVER_OPEN_PHONE,
)

if TYPE_CHECKING:
    from bot.leads.store import Conversation, Lead

REASON = "客户要求真人顾问"


@dataclass(frozen=True)
class HandoffPlan:
    response: str  # the domain response to utter
    variables: Dict[str, str] = field(default_factory=dict)
    need_phone: bool = True
    reason: str = REASON


def consented_phone(slots: Dict[str, Any]) -> Optional[str]:
    phone = slots.get(SLOT_LEAD_PHONE)
    return phone if slots.get(SLOT_LEAD_CONSENT) is True and isinstance(phone, str) and phone[:1].isdigit() else None


def handoff_plan(catalog: Any, slots: Dict[str, Any], now: dt.datetime) -> HandoffPlan:
    """Open now: a consultant answers today; closed: when the showroom opens next. With a consented
    phone number the consultant calls it; without one the customer is asked for one."""
    phone = consented_phone(slots)
    hours = getattr(catalog.dealer, "opening_hours", None)
    variables = {"hours": hours.describe() if hours else "营业时间内"}
    if phone:
        variables["masked_phone"] = mask_phone(phone)
    if hours is None or hours.is_open(now):
        name, with_phone = UTTER_HAND_OVER_OPEN, UTTER_HAND_OVER_OPEN_PHONE
        variables["close"] = clock(hours.close) if hours else ""
    else:
        name, with_phone = UTTER_HAND_OVER_CLOSED, UTTER_HAND_OVER_CLOSED_PHONE
        opens = hours.next_open(now)
        day = (
            "今天"
            if opens.date() == now.date()
            else "明天"
            if opens.date() == now.date() + dt.timedelta(days=1)
            else f"{opens.month}月{opens.day}日"
        )
        variables["next_open"] = f"{day}{clock(opens.time())}"
    return HandoffPlan(with_phone if phone else name, variables, need_phone=phone is None)


def record_lead(
    conversation: "Conversation",
    kind: str,
    reason: str,
    now: dt.datetime,
    update: Callable[["Lead", Optional["Lead"]], None],
) -> None:
    """The lead row (new, or the sender's existing one) with the consented phone number and name,
    what the stored row already knows, then ``update(lead, existing)``; saved, and the team told
    (a ``kind`` notification naming ``reason``).

    Raises:
        Forgotten: the person asked to be forgotten meanwhile (nothing saved, nobody told).
    """
    from bot.leads.store import LeadStore, keep_known, lead_from_state
    from bot.notify import NotifyEvent, notify

    store = LeadStore()
    slots = conversation.slots
    lead = lead_from_state(conversation, now.date())
    existing = store.get(conversation.sender_id)
    lead.phone, lead.name = consented_phone(slots) or "", slots.get(SLOT_LEAD_NAME)
    keep_known(lead, existing)
    update(lead, existing)
    store.save(lead, conversation_started=conversation.started)
    notify(
        NotifyEvent(
            kind,
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


def record_handoff(conversation: "Conversation", plan: HandoffPlan, now: dt.datetime) -> None:
    """The lead row (new, or the existing one updated) with the reason and follow-up today, and the
    team's notification."""

    def update(lead: "Lead", existing: Optional["Lead"]) -> None:
        lead.follow_up_date = now.date()
        lead.reason = plan.reason

    record_lead(conversation, "handoff", plan.reason, now, update)
