"""The notification outbox: every notification is a row in the project's database (``bot.database``,
the same one as the conversations and leads) before anything is sent, so nothing is lost when the
robot is down or the process restarts.

Table ``outbox``, one row per notification:

=================  ==========  =====================================================================
column             type        meaning
=================  ==========  =====================================================================
id                 integer PK  order of arrival
kind               varchar 16  handoff / booking / lead
priority           integer     0 for a handoff (someone is waiting), 1 otherwise: sent first
sender_id          varchar 255 the conversation (for ``forget``)
channel            varchar 40  rest / widget / wechat
msgtype            varchar 16  text / markdown
content            text        the composed message (the phone only if the customer consented)
mentioned_list     text        JSON list of WeCom user ids to @-mention ("@all" for everyone)
mentioned_mobile…  text        JSON list of phone numbers of members to @-mention
status             varchar 16  pending / sent / failed (gave up after the last attempt)
attempts           integer     failed attempts so far
next_attempt_at    float       UNIX time before which the row is not sent (backoff)
last_error         varchar 255 why the last attempt failed, or "no webhook configured"
claim, claimed_…   varchar/flt a sender's lease on the row while it sends it (another process, or
                               this one after a crash, takes the row over when the lease expires)
created_at         float       UNIX time
sent_at            float       UNIX time the robot accepted it
=================  ==========  =====================================================================

Table ``outbox_sends``: the time of each request to the robot, so every process that delivers
(the action server, Rasa, ``python -m bot notify --deliver``) honours one rate limit.
"""

import functools
import json
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import sqlalchemy as sa

from bot.database import database_settings, engine_for
from bot.notify.message import Message

PENDING, SENT, FAILED = "pending", "sent", "failed"
metadata = sa.MetaData()
outbox_table = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, default=1),
    sa.Column("sender_id", sa.String(255), index=True),
    sa.Column("channel", sa.String(40)),
    sa.Column("msgtype", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("mentioned_list", sa.Text, nullable=False, default="[]"),
    sa.Column("mentioned_mobile_list", sa.Text, nullable=False, default="[]"),
    sa.Column("status", sa.String(16), nullable=False, default=PENDING),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("last_error", sa.String(255)),
    sa.Column("claim", sa.String(32)),
    sa.Column("claimed_until", sa.Float),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sent_at", sa.Float),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
)
sends_table = sa.Table(
    "outbox_sends",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    sender_id: Optional[str]
    channel: Optional[str]
    message: Message
    status: str
    attempts: int
    next_attempt_at: float
    last_error: Optional[str]
    created_at: float
    sent_at: Optional[float]

    @classmethod
    def from_row(cls, r: Any) -> "OutboxRow":
        message = Message(
            r.msgtype,
            r.content,
            tuple(json.loads(r.mentioned_list or "[]")),
            tuple(json.loads(r.mentioned_mobile_list or "[]")),
        )
        return cls(
            r.id,
            r.kind,
            r.sender_id,
            r.channel,
            message,
            r.status,
            r.attempts,
            r.next_attempt_at,
            r.last_error,
            r.created_at,
            r.sent_at,
        )

    def __repr__(self) -> str:  # never the content: it may hold a name and a phone number
        return f"OutboxRow({self.id}, {self.kind}, {self.status}, attempts={self.attempts})"


@functools.lru_cache(maxsize=8)
def _engine(url: str) -> sa.engine.Engine:
    engine = engine_for(url)
    metadata.create_all(engine)  # idempotent: creates the outbox tables on first use
    return engine


class Outbox:
    def __init__(self, url: Optional[Any] = None) -> None:
        self.url = str(url if url is not None else database_settings().url())
        self.engine = _engine(self.url)

    def add(self, kind: str, sender_id: Optional[str], channel: Optional[str], message: Message, now: float) -> int:
        """Stores a pending notification (committed when this returns); returns its id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                outbox_table.insert().values(
                    kind=kind,
                    priority=0 if kind == "handoff" else 1,
                    sender_id=sender_id,
                    channel=channel,
                    msgtype=message.msgtype,
                    content=message.content,
                    mentioned_list=json.dumps(list(message.mentioned_list), ensure_ascii=False),
                    mentioned_mobile_list=json.dumps(list(message.mentioned_mobile_list)),
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            return int(result.inserted_primary_key[0])

    def claim(self, now: float, limit: int, lease: float) -> List[OutboxRow]:
        """Takes up to ``limit`` due rows (pending, past their backoff, not leased by another sender)
        for ``lease`` seconds: handoffs first, then in order of arrival."""
        t = outbox_table
        free = sa.or_(t.c.claimed_until.is_(None), t.c.claimed_until <= now)
        token = uuid.uuid4().hex
        with self.engine.begin() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    sa.select(t.c.id)
                    .where(t.c.status == PENDING, t.c.next_attempt_at <= now, free)
                    .order_by(t.c.priority, t.c.id)
                    .limit(limit)
                )
            ]
            if not ids:
                return []
            # the condition again: a sender that took a row meanwhile keeps it
            conn.execute(
                t.update()
                .where(t.c.id.in_(ids), t.c.status == PENDING, free)
                .values(claim=token, claimed_until=now + lease)
            )
            rows = conn.execute(sa.select(t).where(t.c.claim == token).order_by(t.c.priority, t.c.id)).all()
        return [OutboxRow.from_row(r) for r in rows]

    def release(self, ids: Sequence[int]) -> None:
        if ids:
            with self.engine.begin() as conn:
                conn.execute(
                    outbox_table.update().where(outbox_table.c.id.in_(list(ids))).values(claim=None, claimed_until=None)
                )

    def mark_sent(self, ids: Sequence[int], now: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                outbox_table.update()
                .where(outbox_table.c.id.in_(list(ids)))
                .values(status=SENT, sent_at=now, last_error=None, claim=None, claimed_until=None)
            )

    def mark_failed(
        self, rows: Sequence[OutboxRow], now: float, error: str, delay: Callable[[int], Optional[float]]
    ) -> List[OutboxRow]:
        """Counts a failed attempt on each row: next try after ``delay(attempts)`` seconds, or, when
        that is None, status failed (no more attempts). Returns the rows as they are now."""
        t = outbox_table
        with self.engine.begin() as conn:
            for row in rows:
                attempts = row.attempts + 1
                wait = delay(attempts)
                values: Dict[str, Any] = {
                    "attempts": attempts,
                    "last_error": error[:255],
                    "claim": None,
                    "claimed_until": None,
                }
                if wait is None:
                    values["status"] = FAILED
                else:
                    values["next_attempt_at"] = now + wait
                conn.execute(t.update().where(t.c.id == row.id).values(**values))
        return self.get([r.id for r in rows])

    def note_pending(self, reason: str) -> int:
        """Writes ``reason`` as the last error of every pending row; returns how many are pending."""
        t = outbox_table
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(t.c.status == PENDING, sa.or_(t.c.last_error.is_(None), t.c.last_error != reason))
                .values(last_error=reason)
            )
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.status == PENDING)).scalar() or 0
            )

    def next_due(self) -> Optional[float]:
        """The earliest time a pending row can be sent (its backoff and any lease on it), or None."""
        t = outbox_table
        ready = sa.case((t.c.claimed_until > t.c.next_attempt_at, t.c.claimed_until), else_=t.c.next_attempt_at)
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.min(ready)).where(t.c.status == PENDING)).scalar()

    def record_send(self, now: float, keep: float) -> None:
        """Notes a request to the robot now and forgets those older than ``keep`` seconds."""
        with self.engine.begin() as conn:
            conn.execute(sends_table.insert().values(at=now))
            conn.execute(sends_table.delete().where(sends_table.c.at < now - keep))

    def sends_since(self, since: float) -> List[float]:
        """Times of the requests to the robot since ``since``, oldest first."""
        with self.engine.connect() as conn:
            return [
                r[0]
                for r in conn.execute(
                    sa.select(sends_table.c.at).where(sends_table.c.at > since).order_by(sends_table.c.at)
                )
            ]

    def get(self, ids: Iterable[int]) -> List[OutboxRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(outbox_table).where(outbox_table.c.id.in_(list(ids))).order_by(outbox_table.c.id)
            ).all()
        return [OutboxRow.from_row(r) for r in rows]

    def rows(self, status: Optional[str] = None) -> List[OutboxRow]:
        query = sa.select(outbox_table).order_by(outbox_table.c.id)
        if status:
            query = query.where(outbox_table.c.status == status)
        with self.engine.connect() as conn:
            return [OutboxRow.from_row(r) for r in conn.execute(query).all()]

    def counts(self) -> Dict[str, int]:
        with self.engine.connect() as conn:
            found = dict(
                conn.execute(sa.select(outbox_table.c.status, sa.func.count()).group_by(outbox_table.c.status)).all()
            )
        return {s: int(found.get(s, 0)) for s in (PENDING, SENT, FAILED)}

    def retry_failed(self, now: float) -> int:
        """Queues the rows that gave up again, with a fresh count of attempts."""
        t = outbox_table
        with self.engine.begin() as conn:
            return conn.execute(
                t.update()
                .where(t.c.status == FAILED)
                .values(status=PENDING, attempts=0, next_attempt_at=now, claim=None, claimed_until=None)
            ).rowcount

    def forget(self, sender_ids: Iterable[str]) -> int:
        """Deletes the notifications about these conversations (their content names the person)."""
        with self.engine.begin() as conn:
            return conn.execute(outbox_table.delete().where(outbox_table.c.sender_id.in_(list(sender_ids)))).rowcount

    def purge(self, before: float) -> int:
        """Deletes notifications sent, or given up, before ``before`` (UNIX time)."""
        t = outbox_table
        with self.engine.begin() as conn:
            return conn.execute(
                t.delete().where(
                    sa.or_(
                        sa.and_(t.c.status == SENT, t.c.sent_at < before),
                        sa.and_(t.c.status == FAILED, t.c.created_at < before),
                    )
                )
            ).rowcount
