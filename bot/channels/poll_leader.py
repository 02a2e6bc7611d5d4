"""One long-polling process per bot on a PostgreSQL database, elected by an advisory lock.

Telegram serves one getUpdates at a time per token: a second poller makes every call of the
first end in 409 Conflict. So with several processes on one database only the holder of a
session-level advisory lock polls; the others retry the lock every few seconds. The lock lives
on a connection of its own, held for as long as this process polls: when the process dies, its
connection closes and PostgreSQL releases the lock, and another process takes over.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0  # a standby tries the lock this often
CHECK_SECONDS = 3.0  # the holder checks its lock connection this often
CHECK_TIMEOUT = 5.0  # an answer slower than this counts as a lost connection


def polling_lock_key(bot_token: str) -> int:
    """The advisory lock key of one bot: from its public id, so two bots on a database differ."""
    bot_id = bot_token.split(":", 1)[0]
    digest = hashlib.blake2b(f"hubbot telegram getUpdates {bot_id}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)  # PostgreSQL's bigint


class PollLeader:
    """Holds (or waits for) the polling lock of one bot on a dedicated database connection."""

    def __init__(self, engine: AsyncEngine, key: int, *, retry_seconds: float = RETRY_SECONDS,
                 check_seconds: float = CHECK_SECONDS, check_timeout: float = CHECK_TIMEOUT) -> None:
        self.engine = engine
        self.key = key
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.check_timeout = check_timeout
        self._connection: AsyncConnection | None = None

    @property
    def holds(self) -> bool:
        """True while this elector believes it holds the lock."""
        return self._connection is not None

    async def acquire(self) -> bool:
        """Try the lock once without waiting; True when this elector holds it now."""
        if self._connection is not None:
            return True
        connection = await self.engine.connect()
        try:
            # Autocommit: the lock belongs to the session, so no transaction need stay open.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            won = (await connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})).scalar_one()
        except BaseException:
            await _discard(connection)
            raise
        if not won:
            await connection.close()  # the lock is not ours: the connection may be reused
            return False
        self._connection = connection
        return True

    async def alive(self) -> bool:
        """Whether the lock connection still answers (if not, the lock is gone with it)."""
        connection = self._connection
        if connection is None:
            return False
        try:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), self.check_timeout)
            return True
        except (SQLAlchemyError, OSError, TimeoutError):
            return False

    async def release(self) -> None:
        """Give the lock up by closing its connection for good."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await _discard(connection)

    async def lead(self, start: Callable[[], Awaitable[None]],
                   stop: Callable[[], Awaitable[None]]) -> None:
        """Until cancelled: `start` polling once elected, `stop` before the lock goes or is lost."""
        standing_by = False
        try:
            while True:
                try:
                    won = await self.acquire()
                except (SQLAlchemyError, OSError) as exc:
                    log.warning("cannot try the polling lock (%s); retrying", type(exc).__name__)
                    won = False
                if not won:
                    if not standing_by:
                        log.info("another process long-polls Telegram; this one stands by")
                        standing_by = True
                    await asyncio.sleep(self.retry_seconds)
                    continue
                standing_by = False
                log.info("this process is now the one that long-polls Telegram")
                await self._poll_while_held(start, stop)
                await asyncio.sleep(self.retry_seconds)
        finally:
            await self.release()

    async def _poll_while_held(self, start: Callable[[], Awaitable[None]],
                               stop: Callable[[], Awaitable[None]]) -> None:
        try:
            await start()
            while await self.alive():
                await asyncio.sleep(self.check_seconds)
            log.warning("lost the polling lock with its database connection; polling stopped")
        except Exception:  # noqa: BLE001 — e.g. Telegram unreachable: another try, maybe elsewhere
            log.exception("long polling failed; giving the polling lock up")
        finally:
            await stop()  # before the lock goes, so two processes never poll together
            await self.release()


async def _discard(connection: AsyncConnection) -> None:
    """Close the DBAPI connection itself: a pooled connection must never keep the lock."""
    try:
        await connection.invalidate()
    finally:
        await connection.close()
