"""Promises the bot keeps: a script that says 记下了 / 请顾问… / 整理一份 names what is recorded
(``records`` in data/playbook, checked against policy.yml ``promises``); saying it writes the lead
with that reason and tells the sales team, as a handoff or a booking does."""

import datetime as dt
from typing import TYPE_CHECKING, Optional

from bot.leads.handoff import record_lead

if TYPE_CHECKING:
    from bot.leads.store import Conversation, Lead

REASON_MAX = 200  # the leads table's reason column


def record_promise(conversation: "Conversation", reason: str, now: dt.datetime) -> None:
    """The lead row (new, or the sender's existing one) with ``reason`` added, and the team's
    notification. A phone number is kept only when the customer agreed to it (contact form)."""
    from bot.leads.store import Forgotten

    def update(lead: "Lead", existing: Optional["Lead"]) -> None:
        before = existing.reason if existing and existing.reason else ""
        lead.reason = (reason if not before or reason in before else f"{before}；{reason}")[:REASON_MAX]

    try:
        record_lead(conversation, "lead", reason, now, update)
    except Forgotten:  # the person asked to be forgotten meanwhile: nothing is kept, nobody is told
        return
