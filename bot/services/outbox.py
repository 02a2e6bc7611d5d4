"""Drains the outbox within the flood limits: claim due rows, send, record each outcome.

A row is recorded right after its own send, and at most `SENDERS` sends are in flight, so a
process killed mid-run repeats at most that many messages when its rows are recovered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import metrics
from bot.core.delivery import (
    OutsideWindow,
    RateLimited,
    Rejected,
    Transient,
    Unreachable,
    reply_from_dict,
)
from bot.core.engine import Sender
from bot.services.rate_limits import FloodLimits
from storage.engine import Database
from storage.models import utcnow
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SENDERS = 3  # sends in flight at once
CLAIM_BATCH = 30
MAX_ATTEMPTS = 6
MAX_BACKOFF = timedelta(minutes=30)
OUTSIDE_WINDOW = "outside window"  # last_error of rows the channel may not send now


@dataclass
class OutboxWorker:
    """Sends what the outbox holds, through the channels' senders."""

    database: Database
    senders: Mapping[str, Sender]
    limits: FloodLimits
    on_batch_progress: Callable[[set[int]], Awaitable[None]] | None = None
    lease: timedelta = timedelta(seconds=30)  # a claimed row is another process's this long
    only: list[int] | None = None  # drain just these rows (a staff command's own notices)
    _kick: asyncio.Event = field(default_factory=asyncio.Event)
    _stopping: bool = False

    def kick(self) -> None:
        """Something was queued: look now rather than at the next tick."""
        self._kick.set()

    def stop(self) -> None:
        """Finish the rows in hand and stop."""
        self._stopping = True
        self._kick.set()

    async def recover(self, *, at_start: bool = False) -> int:
        """Rows a dead process left `sending` go back to pending.

        SQLite serves one process, so at start every such row is orphaned; with PostgreSQL
        another process may be sending them, so only rows older than the lease come back.
        """
        single = self.database.engine.dialect.name == "sqlite"
        older_than = timedelta(0) if single and at_start else self.lease
        async with UnitOfWork(self.database) as uow:
            recovered = await uow.repo(OutboxRepo).recover_stuck(older_than)
            await uow.commit()
        if recovered:
            log.warning("%d outbox rows were left half-sent; they go out again", recovered)
        return recovered

    async def run(self) -> None:
        """Drain until stopped, recovering orphaned rows at start and now and then."""
        await self.recover(at_start=True)
        last_recovery = asyncio.get_running_loop().time()
        while not self._stopping:
            if asyncio.get_running_loop().time() - last_recovery > self.lease.total_seconds() / 2:
                await self.recover()
                last_recovery = asyncio.get_running_loop().time()
            sent = await self.drain_once()
            if sent == 0:
                self._kick.clear()
                try:
                    await asyncio.wait_for(self._kick.wait(), timeout=1.0)
                except TimeoutError:
                    pass

    async def drain_once(self) -> int:
        """Claim one batch of due rows and send them; returns how many were handled."""
        async with UnitOfWork(self.database) as uow:
            rows = await uow.repo(OutboxRepo).claim_due(CLAIM_BATCH, channels=list(self.senders),
                                                        only=self.only)
            await uow.commit()
        if not rows:
            return 0
        queue: asyncio.Queue[OutboxMessage] = asyncio.Queue()
        for row in rows:
            queue.put_nowait(row)
        batches: set[int] = set()

        async def sender_task() -> None:
            while not queue.empty():
                row = queue.get_nowait()
                await self._deliver(row)
                if row.batch_id is not None:
                    batches.add(row.batch_id)

        await asyncio.gather(*(sender_task() for _ in range(SENDERS)))
        if batches and self.on_batch_progress is not None:
            await self.on_batch_progress(batches)
        return len(rows)

    async def _deliver(self, row: OutboxMessage) -> None:
        assert row.id is not None
        sender = self.senders.get(row.channel)
        expires = row.payload.get("expires_at")
        if expires and datetime.fromisoformat(expires) <= utcnow():
            await self._record(row.id, "skipped", "expired")
            return
        assert sender is not None  # only rows of our channels are claimed
        wait = self.limits.chat_wait(row.chat_id)
        if wait > 0:
            await self._retry(row, "chat limit", count=False, after=timedelta(seconds=wait))
            return
        await self.limits.acquire(row.chat_id)
        try:
            await self._send(sender, row)
        except Unreachable as exc:
            outcome = "unreachable"
            await self._unreachable(row, str(exc))
        except RateLimited as exc:
            outcome = "rate_limited"
            self.limits.pause(exc.retry_after)
            await self._retry(row, str(exc), count=False, after=timedelta(seconds=exc.retry_after))
        except OutsideWindow:
            outcome = "outside_window"
            await self._record(row.id, "skipped", OUTSIDE_WINDOW)
        except Rejected as exc:
            outcome = "failed"
            await self._record(row.id, "failed", str(exc))
        except (Transient, OSError, TimeoutError) as exc:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                outcome = "failed"
                await self._record(row.id, "failed", str(exc) or type(exc).__name__)
            else:
                outcome = "retry"
                backoff = min(timedelta(seconds=2 ** (row.attempts + 1)), MAX_BACKOFF)
                await self._retry(row, str(exc) or type(exc).__name__, count=True, after=backoff)
        else:
            outcome = "sent"
            await self._record(row.id, "sent")
        metrics.DELIVERIES.labels(row.channel, outcome).inc()

    @staticmethod
    async def _send(sender: Sender, row: OutboxMessage) -> None:
        payload = row.payload
        replies = [reply_from_dict(r) for r in payload.get("replies", [])]
        copy = payload.get("copy")
        copier = getattr(sender, "copy", None)
        if copy and copier is not None:
            buttons = replies[0].buttons if replies else []
            await copier(row.chat_id, copy["chat_id"], copy["message_id"], buttons)
            return
        await sender.send(row.chat_id, replies, row.thread_id, kind=row.kind)

    async def _record(self, row_id: int, state: str, error: str | None = None) -> None:
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).finish(row_id, state, error)
            await uow.commit()

    async def _retry(self, row: OutboxMessage, error: str, *, count: bool,
                     after: timedelta) -> None:
        assert row.id is not None
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).retry_later(row.id, utcnow() + after, error,
                                                   count_attempt=count)
            await uow.commit()

    async def _unreachable(self, row: OutboxMessage, error: str) -> None:
        assert row.id is not None
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(OutboxRepo)
            await repo.finish(row.id, "skipped", "unreachable")
            if row.person_id is not None:
                await repo.mark_unreachable(row.person_id, error)
            await uow.commit()

