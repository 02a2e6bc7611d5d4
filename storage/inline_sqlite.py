"""A SQLite driver connection for asyncio that runs each statement in the calling thread.

aiosqlite runs every statement in a thread of its own: each statement is a hand-over to that
thread and back to the event loop (~80 µs of CPU on both sides, measured with
`scripts/bench_telegram.py`), and a person's turn makes five of them (BEGIN, claim, person,
question, COMMIT). A turn's statements are small indexed reads and writes that SQLite itself
runs in microseconds, so for turns (and only for them: see `storage/engine.py`) the statements
run where they are awaited. Background work and anything that may read a lot stays on
aiosqlite's thread, so it never holds the loop.

It is handed to SQLAlchemy through `create_async_engine(async_creator=...)`, the documented way
to supply "a driver-level asyncio connection", and speaks aiosqlite's public interface, which
SQLAlchemy's aiosqlite dialect uses: a `cursor()` awaited as a context (with awaitable
`execute`, `executemany`, `fetch*`, `close`), awaitable `commit`, `rollback`, `close` and
`create_function`, `stop()`, plus `execute_fetchall` (storage/engine.py's BEGIN IMMEDIATE and
storage/one_trip.py).

Waiting for another process's write lock never blocks the loop: SQLite's busy handler is off
(`busy_timeout=0`) and a statement that finds the database locked is tried again after an
asyncio sleep, up to the same overall wait as the threaded connections get.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Self, TypeVar

T = TypeVar("T")
# Another connection holds the lock (or is recovering the WAL): the statement did nothing.
# (Not SQLITE_BUSY_SNAPSHOT: only a new transaction helps there, and turns begin IMMEDIATE.)
WAIT_ON = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY, sqlite3.SQLITE_BUSY_TIMEOUT})
FIRST_RETRY_SECONDS = 0.001
LONGEST_RETRY_SECONDS = 0.05


async def _when_free(call: Callable[[], T], wait_seconds: float) -> T:
    """Run `call`; while the database is locked by another connection, sleep and try again."""
    delay, deadline = FIRST_RETRY_SECONDS, None
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode not in WAIT_ON:
                raise
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + wait_seconds
            if now >= deadline:
                raise
            await asyncio.sleep(delay)  # the statement did nothing: trying again is safe
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)


class InlineCursor:
    """A sqlite3 cursor behind aiosqlite's awaitable cursor interface."""

    def __init__(self, cursor: sqlite3.Cursor, wait_seconds: float) -> None:
        self._cursor = cursor
        self._wait = wait_seconds

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        """Column descriptions of the last query (None after a write)."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last write."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The row id of the last inserted row."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Rows per `fetchmany` by default."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Self:
        """Run one statement."""
        await _when_free(lambda: self._cursor.execute(sql, parameters), self._wait)
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Self:
        """Run one statement for each row of parameters."""
        rows = list(rows)  # an iterator could not be replayed after a busy retry
        await _when_free(lambda: self._cursor.executemany(sql, rows), self._wait)
        return self

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to `size` rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """The remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Free the cursor."""
        self._cursor.close()


class InlineConnection:
    """A sqlite3 connection behind aiosqlite's awaitable connection interface."""

    def __init__(self, connection: sqlite3.Connection, wait_seconds: float) -> None:
        # SQLAlchemy's aiosqlite adapter checks that a connection is open by this attribute
        # (aiosqlite's own name for the sqlite3 connection) before COMMIT and ROLLBACK.
        self._connection: sqlite3.Connection | None = connection
        self._wait = wait_seconds

    @property
    def isolation_level(self) -> str | None:
        """Always None: sqlite3 starts no transactions of its own (storage/engine.py does)."""
        return self._open().isolation_level

    def cursor(self) -> InlineCursor:
        """A new cursor (awaited as a context by SQLAlchemy)."""
        return InlineCursor(self._open().cursor(), self._wait)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()
                               ) -> list[Any]:
        """Run one statement and return all its rows."""
        connection = self._open()
        cursor = await _when_free(lambda: connection.execute(sql, parameters), self._wait)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    async def commit(self) -> None:
        """Commit (a no-op outside a transaction)."""
        connection = self._open()
        await _when_free(connection.commit, self._wait)

    async def rollback(self) -> None:
        """Roll back (a no-op outside a transaction)."""
        self._open().rollback()

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any], *,
                              deterministic: bool = False) -> None:
        """Make a Python function callable from SQL (SQLAlchemy adds `regexp` and `floor`)."""
        self._open().create_function(name, num_params, func, deterministic=deterministic)

    async def close(self) -> None:
        """Close the connection (again: nothing happens)."""
        self.stop()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's `terminate`); there is no thread to stop."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("Connection closed")  # aiosqlite's words, which SQLAlchemy maps
        return self._connection


def inline_connector(path: str, *, wait_seconds: float
                     ) -> Callable[[], Awaitable[InlineConnection]]:
    """The `async_creator` for SQLAlchemy: opens `path` in autocommit mode (no implicit BEGIN)."""

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from another thread at exit;
        # statements only ever run in the event loop's thread.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                     timeout=0)
        return InlineConnection(connection, wait_seconds)

    return connect
