"""Lead rows, in the same database as the conversations (``bot.database``), through SQLAlchemy.

One row per prospect (sender): written when they leave contact details with consent (the
widget's form, or in chat on any channel), updated when they leave them again. ``due`` lists the
follow-ups for the sales team; ``forget`` deletes a person's conversation and lead.
"""

import csv
import datetime as dt
import functools
import itertools
import json
import logging
from dataclasses import dataclass, field
from typing import IO, Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.constants import OBJECTION_INTENTS
from bot.database import database_settings, engine_for
from bot.exceptions import BotError
from bot.privacy.logs import mask_phone
from bot.privacy.safe_output import csv_cell
from bot.rasa.names import SLOT_CAR_MODEL, SLOT_FOLLOW_UP_DATE, SLOT_LEAD_GRADE, SLOT_LEAD_NAME, SLOT_LEAD_PHONE

logger = logging.getLogger(__name__)
metadata = sa.MetaData()
leads_table = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, unique=True),
    sa.Column("channel", sa.String(40)),
    sa.Column("name", sa.String(100)),
    sa.Column("phone", sa.String(32)),
    sa.Column("car_model", sa.String(60)),
    sa.Column("objections", sa.Text),  # JSON list of objection intents, in the order raised
    sa.Column("grade", sa.String(1)),  # O/A/B/C, or empty when not graded yet
    sa.Column("follow_up_date", sa.Date, index=True),
    sa.Column("dealer", sa.Text),  # JSON: dealer id and name, showroom/page/account the lead came from
    sa.Column("reason", sa.String(200)),  # why the sales team should call: 要求真人, 预约试驾 …
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
EXPORT_FIELDS = (
    "sender_id",
    "channel",
    "name",
    "phone",
    "car_model",
    "objections",
    "grade",
    "follow_up_date",
    "dealer",
    "reason",
    "created_at",
    "updated_at",
)


class Forgotten(BotError):
    """The person asked to be forgotten after this conversation began: nothing is written back."""


@dataclass
class Lead:
    sender_id: str
    channel: str
    name: Optional[str]
    phone: str
    car_model: Optional[str] = None
    objections: List[str] = field(default_factory=list)
    grade: Optional[str] = None
    follow_up_date: Optional[dt.date] = None
    dealer: Dict[str, Any] = field(default_factory=dict)
    created_at: Optional[dt.datetime] = None
    updated_at: Optional[dt.datetime] = None
    reason: Optional[str] = None

    def row(self) -> Dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "channel": self.channel,
            "name": self.name,
            "phone": self.phone,
            "car_model": self.car_model,
            "objections": json.dumps(self.objections, ensure_ascii=False),
            "grade": self.grade or "",
            "follow_up_date": self.follow_up_date,
            "dealer": json.dumps(self.dealer, ensure_ascii=False, sort_keys=True),
            "reason": self.reason,
        }

    @classmethod
    def from_row(cls, r: Any) -> "Lead":
        return cls(
            r.sender_id,
            r.channel,
            r.name,
            r.phone,
            r.car_model,
            json.loads(r.objections or "[]"),
            r.grade or None,
            r.follow_up_date,
            json.loads(r.dealer or "{}"),
            r.created_at,
            r.updated_at,
            getattr(r, "reason", None),
        )

    def __str__(self) -> str:  # what logs may show: never the whole phone number
        return f"lead {self.sender_id} ({self.channel}) {self.grade or '-'} phone {mask_phone(self.phone)}"


@functools.lru_cache(maxsize=8)
def _engine(url: str) -> sa.engine.Engine:
    engine = engine_for(url)
    metadata.create_all(engine)  # idempotent: creates the leads table on first use
    with engine.begin() as conn:  # a table from before the column was added gets it now
        if "reason" not in {c["name"] for c in sa.inspect(conn).get_columns("leads")}:
            conn.execute(sa.text("ALTER TABLE leads ADD COLUMN reason VARCHAR(200)"))
    return engine


class LeadStore:
    def __init__(self, url: Optional[Any] = None) -> None:
        self.url = str(url if url is not None else database_settings().url())
        self.engine = _engine(self.url)

    def save(
        self, lead: Lead, now: Optional[dt.datetime] = None, conversation_started: Optional[float] = None
    ) -> Tuple[Lead, bool]:
        """Inserts the lead, or updates the sender's row. Returns (stored lead, created).
        With ``conversation_started`` (UNIX time of the conversation's first event), a person forgotten
        since then (``python -m bot forget`` while this turn ran) is not written back: ``Forgotten``."""
        from bot.privacy.retention import ensure_tables, forgotten_at

        now = now or dt.datetime.now()
        values = lead.row()
        if conversation_started is not None:
            ensure_tables(self.engine)
        for attempt in (1, 2):
            with self.engine.begin() as conn:
                if conversation_started is not None:
                    since = forgotten_at(conn, lead.sender_id)
                    if since is not None and conversation_started <= since:
                        raise Forgotten(f"{lead.sender_id}: forgotten while the conversation went on")
                found = conn.execute(
                    sa.select(leads_table.c.id).where(leads_table.c.sender_id == lead.sender_id)
                ).first()
                if found:
                    conn.execute(
                        leads_table.update().where(leads_table.c.id == found.id).values(**values, updated_at=now)
                    )
                    created = False
                else:
                    try:
                        conn.execute(leads_table.insert().values(**values, created_at=now, updated_at=now))
                        created = True
                    except IntegrityError:  # written by another process a moment ago: update it
                        if attempt == 2:
                            raise
                        continue
            stored = self.get(lead.sender_id)
            assert stored is not None
            logger.info("%s %s", "new" if created else "updated", stored)
            return stored, created
        raise RuntimeError("unreachable")

    def get(self, sender_id: str) -> Optional[Lead]:
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(leads_table).where(leads_table.c.sender_id == sender_id)).first()
        return Lead.from_row(r) if r else None

    def all(self) -> List[Lead]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(leads_table).order_by(leads_table.c.follow_up_date, leads_table.c.id)).all()
        return [Lead.from_row(r) for r in rows]

    def due(self, until: dt.date) -> List[Lead]:
        """Leads whose follow-up is due on or before ``until`` (overdue ones included)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(leads_table)
                .where(leads_table.c.follow_up_date <= until)
                .order_by(leads_table.c.follow_up_date, leads_table.c.id)
            ).all()
        return [Lead.from_row(r) for r in rows]

    def delete(self, sender_id: str) -> bool:
        """Deletes the sender's lead row only (a booking called off at once); the conversation stays.
        Returns whether there was one."""
        with self.engine.begin() as conn:
            return bool(conn.execute(leads_table.delete().where(leads_table.c.sender_id == sender_id)).rowcount)

    def forget(self, sender_id: str) -> Dict[str, int]:
        """Deletes the person's leads and conversations on every channel (``bot.privacy.retention.forget``)."""
        from bot.privacy.retention import forget

        deleted = forget(sender_id, self.url)
        return {"leads": deleted["leads"], "events": deleted["events"]}


class UserMessage(NamedTuple):
    """A user's message as the classifier read it."""

    text: str
    intent: Optional[str]
    entities: List[Dict[str, Any]]


def user_messages_this_session(events: Sequence[Dict[str, Any]]) -> Iterator[UserMessage]:
    """The user's messages in the current session (after the latest ``session_started``), oldest
    first (events as dicts, as Rasa serialises them for the action server and in ``current_state``)."""
    start = 0
    for i, event in enumerate(events):
        if event.get("event") == "session_started":
            start = i + 1
    for event in itertools.islice(events, start, None):
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            yield UserMessage(
                event.get("text") or "", (parse.get("intent") or {}).get("name"), parse.get("entities") or []
            )


def objections_raised(events: Sequence[Dict[str, Any]]) -> List[str]:
    """Objection intents of the user's messages in the current session, oldest first (events as
    dicts, as Rasa serialises them for the action server and in ``current_state``)."""
    return [m.intent for m in user_messages_this_session(events) if m.intent in OBJECTION_INTENTS]


LEAD_SOURCE_KEYS = ("page", "showroom", "account")


@dataclass(frozen=True)
class Conversation:
    """What a lead is made from: whose conversation, on which channel, its slots and events so far
    (the tracker's, as plain dicts) and the dealer it belongs to."""

    sender_id: str
    channel: Optional[str]
    slots: Dict[str, Any]
    events: Sequence[Dict[str, Any]]
    dealer: Any

    @property
    def started(self) -> Optional[float]:
        """When the conversation began (its first event's timestamp), for the retention clock."""
        return next((e.get("timestamp") for e in self.events if e.get("timestamp")), None)


def lead_from_state(conversation: Conversation, today: dt.date) -> Lead:
    """The lead row for a conversation: contact details from the lead slots, the model of
    interest, the objections raised, the grade and follow-up date (tomorrow when not graded yet:
    a fresh contact is called within a day and graded then), and where it came from."""
    sender_id, channel, slots, events, dealer = (
        conversation.sender_id,
        conversation.channel,
        conversation.slots,
        conversation.events,
        conversation.dealer,
    )
    metadata: Dict[str, Any] = {}
    for event in reversed(events):
        if event.get("event") == "user":
            metadata = event.get("metadata") or {}
            break
    source = {k: v for k, v in metadata.items() if k in LEAD_SOURCE_KEYS and isinstance(v, (str, int))}
    try:
        follow_up = dt.date.fromisoformat(slots.get(SLOT_FOLLOW_UP_DATE) or "")
    except (TypeError, ValueError):
        follow_up = today + dt.timedelta(days=1)
    return Lead(
        sender_id=sender_id,
        channel=channel or "unknown",
        name=slots.get(SLOT_LEAD_NAME),
        phone=slots.get(SLOT_LEAD_PHONE) or "",
        car_model=slots.get(SLOT_CAR_MODEL),
        objections=list(dict.fromkeys(objections_raised(events))),
        grade=slots.get(SLOT_LEAD_GRADE),
        follow_up_date=follow_up,
        dealer={"id": dealer.id, "name": dealer.name, **source},
    )


def keep_known(lead: Lead, existing: Optional[Lead]) -> Lead:
    """``lead`` with what the sender's stored row already knows where the new one is empty (phone,
    name, grade, reason) and the earlier follow-up date: a later step never loses an earlier one."""
    if existing is not None:
        lead.phone = lead.phone or existing.phone
        lead.name = lead.name or existing.name
        lead.grade = lead.grade or existing.grade
        lead.reason = lead.reason or existing.reason
        if existing.follow_up_date and (lead.follow_up_date is None or existing.follow_up_date < lead.follow_up_date):
            lead.follow_up_date = existing.follow_up_date
    return lead


def write_csv(leads: Sequence[Lead], out: IO[str]) -> None:
    """The leads as CSV, phones in full; a name or sender id a spreadsheet would take for a formula
    (=HYPERLINK(...), +..., -..., @...) starts with ' (``bot.privacy.safe_output.csv_cell``)."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for lead in leads:
        row = {**lead.row(), "created_at": lead.created_at, "updated_at": lead.updated_at}
        writer.writerow({k: ("" if row[k] is None else csv_cell(row[k])) for k in EXPORT_FIELDS})
