"""Forgetting a person and expiring old data (PIPL: personal data is kept no longer than needed).

``forget(identifier)`` deletes every conversation and lead of one person: the identifier may be a
sender id, a bare WeChat OpenID (found under every account: ``wechat:<account>:<OpenID>``), a widget
visitor id, or a phone number; the person's other ids are found through the phone numbers of their
leads. Each forgotten sender id leaves a tombstone (its SHA-256, not the id, and the time), and the
tracker store (``bot.rasa.stores.DealerTrackerStore``) refuses to write back a conversation that began
before its tombstone: a turn in flight while the person was forgotten — in this or another
process — cannot re-save the session.

``purge(...)`` (``python -m bot purge``, for a cron job or a Kubernetes CronJob) deletes
conversations without a lead whose last event is older than ``BOT_RETENTION_DAYS`` (180), leads
(with their conversations) not updated for ``BOT_LEAD_RETENTION_DAYS`` (365), team notifications
sent (or given up) before the conversation cutoff, and tombstones older than a week. ``forget``
also deletes the team notifications about the person and trainers' corrections of the practice
visits of every sender id it forgets (a trainee's practice records are their conversations).
"""

import datetime as dt
import hashlib
import logging
import time
from typing import Any, Dict, Iterable, List, Optional, Set

import sqlalchemy as sa

from bot.privacy.phone import normalise_phone
from bot.validation import env_positive

logger = logging.getLogger(__name__)
metadata = sa.MetaData()
tombstones = sa.Table(
    "forgotten_senders",
    metadata,
    sa.Column("sender_hash", sa.String(64), primary_key=True),
    sa.Column("forgotten_at", sa.Float, nullable=False),  # UNIX time, comparable with Rasa's event timestamps
)
EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
ENV_CONVERSATION_DAYS = "BOT_RETENTION_DAYS"
ENV_LEAD_DAYS = "BOT_LEAD_RETENTION_DAYS"
DEFAULT_CONVERSATION_DAYS = 180
DEFAULT_LEAD_DAYS = 365
TOMBSTONE_DAYS = 7


def sender_hash(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8", "surrogatepass")).hexdigest()


def ensure_tables(engine: Any) -> None:
    metadata.create_all(engine)


def forgotten_at(conn: Any, sender_id: str) -> Optional[float]:
    """When ``sender_id`` was last forgotten (UNIX time), or None."""
    return conn.execute(
        sa.select(tombstones.c.forgotten_at).where(tombstones.c.sender_hash == sender_hash(sender_id))
    ).scalar()


def _engine(url: Optional[Any]) -> Any:
    from bot.leads.store import LeadStore

    return LeadStore(url).engine


def _has_events(conn: Any) -> bool:
    return sa.inspect(conn).has_table("events")


def _like_literal(text: str) -> str:
    """``text`` in a LIKE pattern (escape character ``\\``) matching only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _senders_for(conn: Any, identifier: str) -> Set[str]:
    """Every sender id that ``identifier`` names, including the person's ids on other channels
    (linked by the phone numbers of their leads)."""
    from bot.leads.store import leads_table

    senders: Set[str] = {identifier}
    # the identifier literally (LIKE's _ and % escaped, and SQLite's LIKE ignores case: checked again here)
    literal = _like_literal(identifier)
    like = [f"wechat:%:{literal}", f"widget:{literal}"]

    def names(sender: str) -> bool:
        if sender == f"widget:{identifier}":
            return True
        return (
            sender.startswith("wechat:")
            and sender.endswith(f":{identifier}")
            and len(sender) > len("wechat:") + len(identifier) + 1
        )

    columns = [leads_table.c.sender_id] + ([EVENTS.c.sender_id] if _has_events(conn) else [])
    for column in columns:
        for pattern in like:
            senders.update(
                r[0]
                for r in conn.execute(sa.select(column).distinct().where(column.like(pattern, escape="\\")))
                if names(r[0])
            )
    phones = {p for p in (normalise_phone(identifier),) if p}
    phones.update(
        r[0] for r in conn.execute(sa.select(leads_table.c.phone).where(leads_table.c.sender_id.in_(senders))) if r[0]
    )
    if phones:
        senders.update(
            r[0] for r in conn.execute(sa.select(leads_table.c.sender_id).where(leads_table.c.phone.in_(phones)))
        )
    return senders


def forget(
    identifier: str, url: Optional[Any] = None, now: Optional[float] = None, other_ids: bool = True
) -> Dict[str, Any]:
    """Deletes the person's conversations and leads (with ``other_ids`` False: only this exact sender
    id's). Returns the sender ids and rows deleted."""
    from bot.leads.store import leads_table

    engine = _engine(url)
    ensure_tables(engine)
    now = now or time.time()
    with engine.begin() as conn:
        senders = sorted(_senders_for(conn, identifier.strip()) if other_ids else {identifier})
        deleted = {"leads": 0, "events": 0, "corrections": 0}
        for sender in senders:
            _tombstone(conn, sender, now)
            deleted["leads"] += conn.execute(leads_table.delete().where(leads_table.c.sender_id == sender)).rowcount
            if _has_events(conn):
                deleted["events"] += conn.execute(EVENTS.delete().where(EVENTS.c.sender_id == sender)).rowcount
        deleted["corrections"] = _forget_practice_records(conn, senders)
    from bot.notify.outbox import Outbox

    deleted["notifications"] = Outbox(url).forget(senders)  # they name the person
    logger.info("forgot %d sender id(s): %s", len(senders), deleted)
    return {"senders": senders, **deleted}


def _forget_practice_records(conn: Any, senders: Iterable[str]) -> int:
    """Deletes trainers' corrections of the senders' practice visits (``trainer_corrections``, keyed
    by visit id ``<sender>#<n>``: ``bot.roleplay.records``); the visits themselves are rebuilt from
    the conversation's events, deleted with them. Returns the rows deleted."""
    from bot.roleplay.records import TABLE

    if not sa.inspect(conn).has_table(TABLE):
        return 0
    corrections = sa.table(TABLE, sa.column("visit"))
    deleted = 0
    for sender in senders:
        # '<sender>#' as a literal prefix (% and _ in an id match only themselves), then the visit number
        prefix = sender + "#"
        pattern = _like_literal(prefix) + "%"
        visits = [
            v
            for (v,) in conn.execute(
                sa.select(corrections.c.visit).distinct().where(corrections.c.visit.like(pattern, escape="\\"))
            )
            if v.startswith(prefix) and v[len(prefix) :].isdigit()
        ]
        for chunk in _chunks(visits, 500):
            deleted += conn.execute(corrections.delete().where(corrections.c.visit.in_(chunk))).rowcount
    return deleted


def _tombstone(conn: Any, sender: str, now: float) -> None:
    key = sender_hash(sender)
    if conn.execute(sa.select(tombstones.c.sender_hash).where(tombstones.c.sender_hash == key)).first():
        conn.execute(tombstones.update().where(tombstones.c.sender_hash == key).values(forgotten_at=now))
    else:
        conn.execute(tombstones.insert().values(sender_hash=key, forgotten_at=now))


def _days(env: str, default: int) -> int:
    return env_positive(env, default, int, "a whole number of days")


def purge(
    url: Optional[Any] = None,
    now: Optional[dt.datetime] = None,
    conversation_days: Optional[int] = None,
    lead_days: Optional[int] = None,
) -> Dict[str, int]:
    """Deletes what is past its retention period. Returns counts per kind."""
    from bot.leads.store import leads_table

    now = now or dt.datetime.now()
    conversation_days = conversation_days or _days(ENV_CONVERSATION_DAYS, DEFAULT_CONVERSATION_DAYS)
    lead_days = lead_days or _days(ENV_LEAD_DAYS, DEFAULT_LEAD_DAYS)
    conversation_cutoff = (now - dt.timedelta(days=conversation_days)).timestamp()
    lead_cutoff = now - dt.timedelta(days=lead_days)
    engine = _engine(url)
    ensure_tables(engine)
    counts = {"conversations": 0, "events": 0, "leads": 0, "tombstones": 0, "notifications": 0}
    with engine.begin() as conn:
        old_leads: List[str] = [
            r[0] for r in conn.execute(sa.select(leads_table.c.sender_id).where(leads_table.c.updated_at < lead_cutoff))
        ]
        counts["leads"] = conn.execute(leads_table.delete().where(leads_table.c.updated_at < lead_cutoff)).rowcount
        if _has_events(conn):
            with_lead = sa.select(leads_table.c.sender_id)
            stale = [
                r[0]
                for r in conn.execute(
                    sa.select(EVENTS.c.sender_id)
                    .group_by(EVENTS.c.sender_id)
                    .having(sa.func.max(EVENTS.c.timestamp) < conversation_cutoff)
                    .where(EVENTS.c.sender_id.not_in(with_lead))
                )
            ]
            for senders in _chunks(sorted(set(stale) | set(old_leads)), 500):
                counts["events"] += conn.execute(EVENTS.delete().where(EVENTS.c.sender_id.in_(senders))).rowcount
            counts["conversations"] = len(set(stale) | set(old_leads))
        counts["tombstones"] = conn.execute(
            tombstones.delete().where(tombstones.c.forgotten_at < (now - dt.timedelta(days=TOMBSTONE_DAYS)).timestamp())
        ).rowcount
    from bot.notify.outbox import Outbox

    # team notifications name the person: kept as long as a conversation without a lead
    counts["notifications"] = Outbox(url).purge(conversation_cutoff)
    logger.info(
        "purged: %s (conversations older than %d days, leads older than %d days)", counts, conversation_days, lead_days
    )
    return counts


def _chunks(items: List[str], size: int) -> Iterable[List[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
