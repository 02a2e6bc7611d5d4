"""SQLite's single writer, in this process: people's turns go before background work.

Every unit of work on SQLite holds this lock (one writer at a time; waiting on an asyncio lock is
fair and instant where SQLite's busy handler sleeps and polls). While a big announcement goes
out, the outbox worker records an outcome per message and would queue ahead of people's
questions; so a waiter marked `urgent` (a turn someone is waiting for) is let in before any other
waiter. Background work still goes in turn among itself, and gets the lock whenever no turn waits.
"""

from __future__ import annotations

import asyncio
from collections import deque


class WriteLock:
    """A lock handed on first to urgent waiters, then to the others, each in arrival order."""

    def __init__(self) -> None:
        self._locked = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        """True while someone holds the lock."""
        return self._locked

    async def acquire(self, *, urgent: bool = False) -> None:
        """Wait for the lock (before the non-urgent waiters, when `urgent`)."""
        if not self._locked and not self._urgent and not self._others:
            self._locked = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._others
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed the lock as we were cancelled: pass it on
            else:
                queue.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the lock to the next waiter (urgent first), or free it."""
        for queue in (self._urgent, self._others):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the lock stays taken, now by the waiter
                    return
        self._locked = False
