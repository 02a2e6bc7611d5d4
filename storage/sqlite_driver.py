"""SQLite statements run on the event loop itself, each in one call, with BEGIN riding along.

SQLAlchemy's aiosqlite adapter sends every statement to aiosqlite's worker thread as four trips
(open a cursor, execute, fetch, close). A trip is a queue put, a thread switch, a GIL hand-over
and an event-loop wake-up: ~70 µs, and far more when the loop is busy — while the statement
itself, an indexed read or write on a local file, takes 5–50 µs. On SQLite the unit of work
holds the writer lock through all of it. So here a statement runs right away on the loop's
thread: execute, fetch and close in one call; a transaction's `BEGIN IMMEDIATE` is sent with
its first statement (a transaction without statements costs nothing). aiosqlite still opens and
closes the connection (in its thread; `check_same_thread` is off for that).

The price: the loop waits while SQLite works. That is microseconds for this bot's statements;
it is longer only when another process holds the write lock (a `hubbot` command; bounded by the
busy timeout) or at a WAL checkpoint. Production with several processes uses PostgreSQL.
`scripts/bench_telegram.py` measures the difference (README, "Performance").
"""

from __future__ import annotations

import collections
import sqlite3
from threading import Thread
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, list[Any], int, int | None]
T = TypeVar("T")


BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another process's write to finish


def _begin(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")  # writers queue here, not half-way through their work


def _statement(connection: sqlite3.Connection, operation: str, parameters: Any,
               many: bool) -> _Outcome:
    """Execute, fetch everything, close — in one call."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _waiting(connection: sqlite3.Connection, call: Callable[[], T]) -> T:
    """In aiosqlite's thread: `call` with SQLite's busy timeout on, so it waits for the lock."""
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return call()
    finally:
        connection.execute("PRAGMA busy_timeout=0")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY,
                                                               sqlite3.SQLITE_LOCKED)


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs in one call; rows are kept on this side."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:  # noqa: D107
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no cursor lives between statements
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Rows are always fetched whole; nothing to size."""

    async def _async_soft_close(self) -> None:
        """Nothing stays open between statements."""

    def close(self) -> None:
        self._rows.clear()

    async def _run(self, operation: str, parameters: Any, many: bool) -> None:
        adapted: InlineConnection = self._adapt_connection  # type: ignore[assignment]
        outcome = await adapted.run(operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._run(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._run(operation, seq_of_parameters, True)


class InlineConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection: inline cursors, and BEGIN sent with the first statement."""

    __slots__ = ("begin_pending",)
    _cursor_cls = InlineCursor

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:  # noqa: D107
        super().__init__(dbapi, connection)
        self.begin_pending = False

    async def run(self, operation: str, parameters: Any, many: bool = False) -> _Outcome:
        """Run one statement (after the pending BEGIN), right here."""
        sqlite = self._sqlite()
        if self.begin_pending:
            self.begin_pending = False
            await self._unless_busy(sqlite, partial(_begin, sqlite))
        return await self._unless_busy(sqlite, partial(_statement, sqlite, operation, parameters,
                                                       many))

    async def _unless_busy(self, sqlite: sqlite3.Connection, call: Callable[[], T]) -> T:
        """Run `call` here at once; if another process holds the write lock (SQLite answers
        "busy" without waiting: busy timeout 0), wait for it in aiosqlite's thread instead, so
        the event loop — and whatever it runs that may be holding the lock — goes on."""
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
        return await self._connection._execute(_waiting, sqlite, call)  # type: ignore[no-any-return]

    def commit(self) -> None:
        if not self._discard_pending_begin():
            self._sqlite().commit()

    def rollback(self) -> None:
        if not self._discard_pending_begin() and self._connection._connection is not None:
            self._sqlite().rollback()

    def _sqlite(self) -> sqlite3.Connection:
        try:
            return self._connection._conn
        except ValueError as error:  # aiosqlite's "no active connection"
            self._handle_exception(error)

    def _discard_pending_begin(self) -> bool:
        """True when the transaction never ran a statement: there is nothing to end."""
        pending, self.begin_pending = self.begin_pending, False
        return pending


class InlineDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy's aiosqlite dialect uses, with inline connections."""

    def connect(self, *arg: Any, **kw: Any) -> InlineConnection:
        kw["check_same_thread"] = False  # used on the loop's thread; opened and closed in aiosqlite's
        kw["timeout"] = 0  # never wait on the loop's thread (see `InlineConnection._unless_busy`)
        connection = aiosqlite.connect(*arg, **kw)
        thread = connection if isinstance(connection, Thread) else connection._thread
        thread.daemon = True  # as SQLAlchemy does: an unclosed connection must not block exit
        return InlineConnection(self, await_(connection))


def inline_dbapi() -> InlineDBAPI:
    """Pass as `module=` to `create_async_engine` for a `sqlite+aiosqlite://` URL."""
    return InlineDBAPI(aiosqlite, sqlite3)
