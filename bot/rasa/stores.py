"""Rasa stores configured from the environment (see ``bot.database``), named in endpoints.yml:

    tracker_store:
      type: bot.rasa.stores.DealerTrackerStore
    lock_store:
      type: bot.rasa.stores.DealerLockStore

One endpoints file then serves the demo (SQLite, in-memory lock) and a scaled-out deployment
(PostgreSQL shared by several Rasa processes, Redis lock so one conversation is processed by one
instance at a time), switched by ``DB_HOST`` and ``REDIS_HOST``.
"""

import json
import logging
import os
import time
from typing import Any, Callable, Iterator, Optional, Tuple, TypeVar

from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.database import database_settings, redis_settings, sqlite_engine

logger = logging.getLogger(__name__)
T = TypeVar("T")
ENV_HANDOFF_TIMEOUT = "BOT_HANDOFF_TIMEOUT"  # minutes
DEFAULT_HANDOFF_TIMEOUT_MIN = 30.0


class DealerTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on SQLite (default) or PostgreSQL (``DB_HOST`` set)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        settings = database_settings()
        logger.info("conversations are stored in %s", settings.describe())
        kwargs.pop("type", None)
        super().__init__(domain=domain, event_broker=event_broker, **settings.tracker_store_kwargs(), **kwargs)
        if settings.dialect == "sqlite":  # pooled connections and a write-ahead log (bot.database)
            import sqlalchemy as sa

            self.engine.dispose()  # type: ignore[has-type]
            self.engine = sqlite_engine(settings.url())
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        from bot.privacy.retention import ensure_tables

        ensure_tables(self.engine)

    async def retrieve(self, sender_id: str) -> Any:
        """Rasa's tracker; a conversation handed to a person (paused by ``action_hand_over``) resumes
        by itself once ``BOT_HANDOFF_TIMEOUT`` minutes (30, like WeChat's customer service) have
        passed since the handover, so the bot answers again."""
        tracker = await super().retrieve(sender_id)
        if tracker is not None and tracker.is_paused():
            from rasa.shared.core.events import ConversationPaused, ConversationResumed

            paused_at = next((e.timestamp for e in reversed(tracker.events) if isinstance(e, ConversationPaused)), None)
            if paused_at is not None and time.time() - paused_at > handoff_timeout_s():
                logger.info("a conversation handed to a person resumes after the handoff timeout")
                tracker.update(ConversationResumed())
        return tracker

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        """Rasa's new events of ``tracker``, or none when the person was forgotten (``python -m bot
        forget``) after this conversation began: a turn in flight during the forget must not write
        the deleted session back (``bot.privacy.retention``)."""
        from bot.privacy.retention import forgotten_at

        since = forgotten_at(session, tracker.sender_id)
        if since is not None and tracker.events and (tracker.events[0].timestamp or 0) <= since:
            logger.info("a conversation forgotten while its turn ran was not saved again")
            return iter(())
        return super()._additional_events(session, tracker)


def handoff_timeout_s() -> float:
    try:
        minutes = float(os.environ.get(ENV_HANDOFF_TIMEOUT, "") or DEFAULT_HANDOFF_TIMEOUT_MIN)
    except ValueError:
        minutes = DEFAULT_HANDOFF_TIMEOUT_MIN
    return max(minutes, 0.0) * 60


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with each change of a conversation's ticket lock made atomically.

    Rasa 3.6 reads the lock, changes it and writes it back as separate commands, so two instances
    receiving messages of one conversation at the same moment could both take ticket 0 and process
    them at once; one turn's events were then lost (seen in the scale-out test). Here every
    read-change-write runs in a Redis transaction (WATCH/MULTI) and is retried on a conflict."""

    def _atomic(
        self, conversation_id: str, change: Callable[[Optional[TicketLock]], Tuple[T, Optional[TicketLock]]]
    ) -> T:
        import redis

        key = self.key_prefix + conversation_id
        while True:
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    result, lock = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another instance changed this lock meanwhile: redo on the new value

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: Optional[TicketLock]) -> Tuple[int, Optional[TicketLock]]:
            lock = lock or TicketLock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._atomic(conversation_id, change)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}")

    def update_lock(self, conversation_id: str) -> None:
        self._edit_lock(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._edit_lock(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._edit_lock(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number), drop_if_idle=True)

    def _edit_lock(self, conversation_id: str, edit: Callable[[TicketLock], None], drop_if_idle: bool = False) -> None:
        """``edit`` applied to the conversation's stored lock, if there is one, in one transaction;
        ``drop_if_idle``: the lock is deleted in the same transaction when nobody waits any more."""

        def change(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock:
                edit(lock)
                if drop_if_idle and not lock.is_someone_waiting():
                    lock = None
            return None, lock

        self._atomic(conversation_id, change)


class DealerLockStore:
    """Redis lock store when ``REDIS_HOST`` is set (several Rasa processes), else in-memory.

    Rasa instantiates a custom lock store as ``cls(endpoint_config=...)``; this returns the
    matching Rasa lock store itself, so Rasa's own tested implementations do the locking."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:
        settings = redis_settings()
        if settings is None:
            return InMemoryLockStore()
        logger.info("conversation locks in Redis %s:%s/%s", settings["host"], settings["port"], settings["db"])
        return AtomicRedisLockStore(**settings)
