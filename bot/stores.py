"""Rasa stores configured from the environment (see ``bot.database``), named in endpoints.yml:

    tracker_store:
      type: bot.stores.DealerTrackerStore
    lock_store:
      type: bot.stores.DealerLockStore

One endpoints file then serves the demo (SQLite, in-memory lock) and a scaled-out deployment
(PostgreSQL shared by several Rasa processes, Redis lock so one conversation is processed by one
instance at a time), switched by ``DB_HOST`` and ``REDIS_HOST``.
"""

import logging
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot.database import database_settings, redis_settings

logger = logging.getLogger(__name__)


class DealerTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on SQLite (default) or PostgreSQL (``DB_HOST`` set)."""

    def __init__(self, domain: Optional[Domain] = None, host: Optional[str] = None,
                 event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        settings = database_settings()
        logger.info("conversations are stored in %s", settings.describe())
        kwargs.pop("type", None)
        super().__init__(domain=domain, event_broker=event_broker, **settings.tracker_store_kwargs(), **kwargs)


class DealerLockStore:
    """Redis lock store when ``REDIS_HOST`` is set (several Rasa processes), else in-memory.

    Rasa instantiates a custom lock store as ``cls(endpoint_config=...)``; this returns the
    matching Rasa lock store itself, so Rasa's own tested implementations do the locking."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        settings = redis_settings()
        if settings is None:
            return InMemoryLockStore()
        logger.info("conversation locks in Redis %s:%s/%s", settings["host"], settings["port"], settings["db"])
        return RedisLockStore(**settings)
