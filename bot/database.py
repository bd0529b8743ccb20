"""Where conversations and leads are kept, from the environment.

Without ``DB_HOST`` everything goes to a SQLite file, ``$BOT_DATA_DIR/rasa.db`` (default ``var/``,
git-ignored): what ``make demo`` and the tests use. With ``DB_HOST`` set, PostgreSQL:
``DB_HOST``, ``DB_PORT`` (5432), ``DB_NAME`` (rasa), ``DB_USER``, ``DB_PASSWORD``. Rasa's tracker
store (``bot.rasa.stores.DealerTrackerStore``), the action server's lead rows and the ``python -m bot
leads``/``forget`` commands all read these same variables, so they always share one database.
"""

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

DEFAULT_DATA_DIR = "var"
SQLITE_FILE = "rasa.db"


@dataclass(frozen=True)
class DatabaseSettings:
    dialect: str  # "sqlite" or "postgresql"
    db: str  # the SQLite file, or the PostgreSQL database name
    host: Optional[str] = None
    port: Optional[int] = None
    username: Optional[str] = None
    password: Optional[str] = None

    def tracker_store_kwargs(self) -> Dict[str, Any]:
        """Keyword arguments for Rasa's SQLTrackerStore: the settings' fields, by name."""
        return asdict(self)

    def url(self) -> Any:
        """A SQLAlchemy URL for the same database."""
        from sqlalchemy.engine.url import URL

        if self.dialect == "sqlite":
            return URL.create("sqlite", database=self.db)
        return URL.create(
            "postgresql",
            username=self.username,
            password=self.password,
            host=self.host,
            port=self.port,
            database=self.db,
        )

    def describe(self) -> str:
        """Where the data is, without the password."""
        if self.dialect == "sqlite":
            return f"SQLite {self.db}"
        return f"PostgreSQL {self.username or ''}@{self.host}:{self.port}/{self.db}"


def engine_for(url: str) -> Any:
    """A SQLAlchemy engine for one of our database URLs: the pooled write-ahead-log SQLite engine
    below, or a PostgreSQL engine that checks its pooled connections before use."""
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return sqlite_engine(url, future=True)
    return sa.create_engine(url, pool_pre_ping=True, future=True)


def sqlite_engine(url: Any, **kwargs: Any) -> Any:
    """A SQLAlchemy engine for a SQLite file that keeps its connections open and writes through a
    write-ahead log.

    SQLAlchemy 1.4 opens and closes a new SQLite connection for every session of a file database,
    and SQLite's default rollback journal syncs the disk several times per commit. Here a pool keeps
    connections open, the journal is a write-ahead log (readers do not wait for the writer; Rasa's
    events and the action server's lead rows come from two processes, and a writer waits up to 15 s
    for the other's short write) and ``synchronous=NORMAL`` syncs at checkpoints. A killed process loses nothing committed (the restart
    tests kill Rasa with SIGKILL); only a power cut can lose the last commits before a checkpoint.
    What it gained is measured in BENCHMARKS.md ("SQLite kept open").
    """
    import sqlalchemy as sa

    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=5,
        max_overflow=10,
        connect_args={"check_same_thread": False, "timeout": 15},
        **kwargs,
    )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def data_dir() -> Path:
    return Path(os.environ.get("BOT_DATA_DIR") or DEFAULT_DATA_DIR)


def database_settings(env: Optional[Mapping[str, str]] = None) -> DatabaseSettings:
    env = os.environ if env is None else env
    host = (env.get("DB_HOST") or "").strip()
    if not host:
        folder = Path(env.get("BOT_DATA_DIR") or DEFAULT_DATA_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        return DatabaseSettings("sqlite", str(folder / SQLITE_FILE))
    port = (env.get("DB_PORT") or "5432").strip()
    if not port.isdigit():
        raise ValueError(f"DB_PORT: '{port}' is not a port number")
    return DatabaseSettings(
        "postgresql",
        env.get("DB_NAME") or "rasa",
        host,
        int(port),
        env.get("DB_USER") or None,
        env.get("DB_PASSWORD") or None,
    )


def redis_settings(env: Optional[Mapping[str, str]] = None) -> Optional[Dict[str, Any]]:
    """Rasa RedisLockStore arguments when ``REDIS_HOST`` is set, else None (one process only)."""
    env = os.environ if env is None else env
    host = (env.get("REDIS_HOST") or "").strip()
    if not host:
        return None
    port, db = (env.get("REDIS_PORT") or "6379").strip(), (env.get("REDIS_DB") or "1").strip()
    for name, value in (("REDIS_PORT", port), ("REDIS_DB", db)):
        if not value.isdigit():
            raise ValueError(f"{name}: '{value}' is not a number")
    return {
        "host": host,
        "port": int(port),
        "db": int(db),
        "password": env.get("REDIS_PASSWORD") or None,
        "key_prefix": env.get("REDIS_KEY_PREFIX") or "showroom",
    }
