"""The async engine: SQLite (WAL, foreign keys, busy timeout, immediate writes) or PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.write_lock import WriteLock

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another process's write to finish


def make_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine for a URL already normalised to an async driver."""
    kwargs.setdefault("hide_parameters", True)  # people's messages never reach the logs
    if database_url.startswith("sqlite"):
        # Sessions always end their transaction, so the pool's extra ROLLBACK is a wasted trip.
        kwargs.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(database_url, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(database_url, **kwargs)


def _tune_sqlite(engine: AsyncEngine) -> None:
    """Pragmas per connection, and BEGIN IMMEDIATE so concurrent writers wait instead of failing.

    The recipe of SQLAlchemy's SQLite documentation ("Enabling Non-Legacy SQLite Transactional
    Modes"): sqlite3 emits no BEGIN of its own, SQLAlchemy's `begin` event emits ours.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 stays out of transaction control
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Statements run in aiosqlite's thread, so waiting for another process's lock there
        # leaves the event loop free.
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers queue here, not half-way through their work with a read lock to upgrade.
        # Sent on aiosqlite's own connection (`run_async`, SQLAlchemy's documented way to await
        # the driver from an event): one trip to its thread instead of a cursor's three.
        connection.connection.dbapi_connection.run_async(_begin_immediate)


async def _begin_immediate(driver_connection: Any) -> None:
    await driver_connection.execute_fetchall("BEGIN IMMEDIATE")  # the cursor ends in its thread


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (no lazy loads under asyncio)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@dataclass
class Database:
    """An engine, its session factory, and (SQLite only) the in-process writer lock.

    SQLite allows one writer; waiting on an asyncio lock is fair and instant, while SQLite's
    own busy handler sleeps and polls (people's turns go first: see write_lock.py). BEGIN
    IMMEDIATE still guards other processes.
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    write_lock: WriteLock | None = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = make_session_factory(self.engine)
        self.write_lock = WriteLock() if self.engine.dialect.name == "sqlite" else None

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def open_database(database_url: str, **kwargs: Any) -> Database:
    """Engine, sessions and lock for a URL already normalised to an async driver."""
    return Database(make_engine(database_url, **kwargs))
