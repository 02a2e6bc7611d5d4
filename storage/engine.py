"""The async engines: SQLite (WAL, foreign keys, busy timeout, immediate writes) or PostgreSQL.

On a SQLite file there are two engines on the same file: the ordinary one (aiosqlite: statements
in a thread, so long reads and background work never hold the event loop) and the turn engine
(storage/inline_sqlite.py: statements where they are awaited) for people's turns, whose few
small statements cost less than the hand-overs to a thread. One in-process write lock covers
both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.inline_sqlite import inline_connector
from storage.write_lock import WriteLock

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another process's write to finish


def make_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine for a URL already normalised to an async driver."""
    kwargs.setdefault("hide_parameters", True)  # people's messages never reach the logs
    if database_url.startswith("sqlite"):
        # Sessions always end their transaction, so the pool's extra ROLLBACK is a wasted trip.
        kwargs.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(database_url, **kwargs)
        _tune_sqlite(engine, busy_timeout_ms=BUSY_TIMEOUT_MS)
        return engine
    kwargs.setdefault("pool_size", 10)
    engine = create_async_engine(database_url, **kwargs)
    _ping_on_checkout(engine)
    return engine


def sqlite_file(database_url: str) -> str | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def make_turn_engine(database_url: str) -> AsyncEngine | None:
    """SQLite files: an engine whose statements run in the event loop's thread (None elsewhere).

    SQLite's busy handler is off on its connections; a locked database is waited for with
    asyncio sleeps instead (storage/inline_sqlite.py), for as long as the threaded ones wait."""
    path = sqlite_file(database_url)
    if path is None:
        return None
    engine = create_async_engine(
        database_url, hide_parameters=True, pool_reset_on_return=None,
        async_creator=inline_connector(path, wait_seconds=BUSY_TIMEOUT_MS / 1000))
    _tune_sqlite(engine, busy_timeout_ms=0)
    return engine


def _ping_on_checkout(engine: AsyncEngine) -> None:
    """A pooled PostgreSQL connection that died (a restart, a failover) is replaced before use.

    SQLAlchemy's `pool_pre_ping` does this with three round trips on asyncpg (BEGIN, a query,
    ROLLBACK); a plain `SELECT 1` outside a transaction is one. Raising DisconnectionError from the
    pool's checkout event is SQLAlchemy's documented way to have the pool connect afresh."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        try:
            dbapi_connection.run_async(_ping)
        except Exception as exc:  # any failure: this connection is not to be trusted
            raise DisconnectionError("the pooled connection did not answer") from exc


async def _ping(driver_connection: Any) -> None:
    await driver_connection.execute("SELECT 1")  # the simple query protocol: one round trip


def _tune_sqlite(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    """Pragmas per connection, and BEGIN IMMEDIATE so concurrent writers wait instead of failing.

    The recipe of SQLAlchemy's SQLite documentation ("Enabling Non-Legacy SQLite Transactional
    Modes"): sqlite3 emits no BEGIN of its own, SQLAlchemy's `begin` event emits ours.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection.isolation_level is not None:  # the turn engine's already is
            dbapi_connection.isolation_level = None  # sqlite3 stays out of transaction control
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Statements run in aiosqlite's thread, so waiting for another process's lock there
        # leaves the event loop free (the turn engine waits with asyncio sleeps instead).
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
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
    """The engines, their session factories, and (SQLite only) the in-process writer lock.

    `sessions` serve background work, the console and the command line; `turn_sessions` serve
    people's turns (on a SQLite file, the turn engine; elsewhere the same sessions). SQLite
    allows one writer; waiting on an asyncio lock is fair and instant, while SQLite's own busy
    handler sleeps and polls (people's turns go first: see write_lock.py). BEGIN IMMEDIATE still
    guards other processes.
    """

    engine: AsyncEngine
    turn_engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    turn_sessions: async_sessionmaker[AsyncSession] = field(init=False)
    write_lock: WriteLock | None = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = make_session_factory(self.engine)
        self.turn_sessions = (make_session_factory(self.turn_engine)
                              if self.turn_engine is not None else self.sessions)
        self.write_lock = WriteLock() if self.engine.dialect.name == "sqlite" else None

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.turn_engine is not None:
            await self.turn_engine.dispose()


def open_database(database_url: str, **kwargs: Any) -> Database:
    """Engines, sessions and lock for a URL already normalised to an async driver."""
    return Database(make_engine(database_url, **kwargs), make_turn_engine(database_url))
