"""Drains the outbox within the flood limits: claim due rows, send, record each outcome.

Nothing here holds a transaction or a lock while it talks to a platform: rows are claimed in
one short unit of work, sent, and their outcome recorded in another. An error on one row is
that row's outcome (retried with back-off for up to `DELIVERY_GIVE_UP`), never the worker's
death; and if the worker itself stops (the database went away), it restarts with back-off.

What an unknown outcome (no answer) means depends on the kind: kinds in `AT_MOST_ONCE` are
not sent again, because a duplicate would reach a person and losing one is tolerable (a bot
reply, an announcement, a reminder); every other kind is sent again, because losing it hurts
(a ticket's way to staff, a staff answer, a notice about a person's own affairs).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot import metrics
from bot.core.delivery import (
    ChatMoved,
    OutsideWindow,
    RateLimited,
    Rejected,
    Sender,
    Transient,
    Unknown,
    Unreachable,
    reply_from_dict,
)
from bot.redact import scrub
from bot.services.rate_limits import FloodLimits
from storage.engine import Database
from storage.models import utcnow
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
from storage.repos.people import PeopleRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SENDERS = 3  # sends in flight at once (at the free 30 messages a second)
MAX_SENDERS = 8  # at higher rates (paid broadcasts): the HTTP pool keeps room for replies
CLAIM_BATCH = 30
FIRST_BACKOFF = 2.0  # seconds; doubles per try up to DELIVERY_RETRY_MAX, with jitter
OUTSIDE_WINDOW = "outside window"  # last_error of rows the channel may not send now
AT_MOST_ONCE = frozenset({"reply", "response", "announcement", "reminder"})
RESTART_BACKOFF_MAX = 30.0
UNKNOWN_NOT_RESENT = "no answer from the platform; not sent again"

# A kind's own work instead of a plain send (e.g. a ticket's topic in the staff chat).
Action = Callable[[OutboxMessage], Awaitable[None]]
# Told when a row ends without being delivered: (row, outcome, error).
FinalHook = Callable[[OutboxMessage, str, str | None], Awaitable[None]]
# Told when a group moved to a new id: (channel, old chat id, new chat id).
MovedHook = Callable[[str, str, str], Awaitable[None]]


def senders_for(rate: float) -> int:
    """Sends in flight needed to reach `rate` messages a second (about 0.1 s each)."""
    if not rate:  # no limit configured (tests, benchmarks): as before
        return SENDERS
    return max(SENDERS, min(MAX_SENDERS, math.ceil(rate / 10)))


@dataclass
class OutboxWorker:
    """Sends what the outbox holds, through the channels' senders (or a kind's action)."""

    database: Database
    senders: Mapping[str, Sender]
    limits: FloodLimits
    on_batch_progress: Callable[[set[int]], Awaitable[None]] | None = None
    lease: timedelta = timedelta(seconds=30)  # a claimed row is another process's this long
    only: list[int] | None = None  # drain just these rows (a staff command's own notices)
    give_up_after: timedelta = timedelta(hours=24)
    retry_max: timedelta = timedelta(minutes=30)
    actions: Mapping[str, Action] = field(default_factory=dict)
    on_final: FinalHook | None = None
    on_chat_moved: MovedHook | None = None
    senders_in_flight: int = SENDERS
    paid_kinds: frozenset[str] = frozenset()  # sent as paid broadcasts (their own budget)
    running: bool = False  # the drain loop is alive (for /healthz and /metrics)
    restarts: int = 0
    last_beat: float = 0.0  # monotonic time of the last loop turn
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
        """Drain until stopped; on any failure of the loop itself, restart with back-off."""
        delay = 1.0
        first = True
        while not self._stopping:
            try:
                await self._loop(at_start=first)
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. the database went away; try again later
                self.running = False
                self.restarts += 1
                metrics.OUTBOX_WORKER_RESTARTS.inc()
                log.exception("the outbox worker stopped on an error; restarting in %.0f s", delay)
                await self._pause(delay)
                delay = min(delay * 2, RESTART_BACKOFF_MAX)
            else:
                break
            first = False
        self.running = False

    async def _loop(self, *, at_start: bool) -> None:
        await self.recover(at_start=at_start)
        self.running = True
        loop = asyncio.get_running_loop()
        last_recovery = loop.time()
        while not self._stopping:
            self.last_beat = time.monotonic()
            if loop.time() - last_recovery > self.lease.total_seconds() / 2:
                await self.recover()
                last_recovery = loop.time()
            if await self.drain_once() == 0:
                await self._pause(1.0)

    async def _pause(self, seconds: float) -> None:
        self._kick.clear()
        try:
            await asyncio.wait_for(self._kick.wait(), timeout=seconds)
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

        results = await asyncio.gather(*(sender_task() for _ in range(self.senders_in_flight)),
                                       return_exceptions=True)
        if batches and self.on_batch_progress is not None:
            await self.on_batch_progress(batches)
        for result in results:
            if isinstance(result, BaseException):
                raise result  # recording an outcome failed: the loop restarts, rows recover
        return len(rows)

    async def _deliver(self, row: OutboxMessage) -> None:
        assert row.id is not None
        expires = row.payload.get("expires_at")
        if expires and datetime.fromisoformat(expires) <= utcnow():
            await self._record(row, "skipped", "expired")
            return
        wait = self.limits.chat_wait(row.chat_id)
        if wait > 0:
            await self._retry(row, "chat limit", count=False, after=timedelta(seconds=wait))
            return
        await self.limits.acquire(row.chat_id, paid=row.kind in self.paid_kinds)
        try:
            await self._attempt(row)
        except Unreachable as exc:
            outcome = "unreachable"
            await self._unreachable(row, str(exc))
        except RateLimited as exc:
            outcome = "rate_limited"
            self.limits.pause(exc.retry_after)
            await self._retry(row, str(exc), count=False, after=timedelta(seconds=exc.retry_after),
                              sent=exc.sent)
        except OutsideWindow:
            outcome = "outside_window"
            await self._record(row, "skipped", OUTSIDE_WINDOW)
        except ChatMoved as exc:
            outcome = "moved"
            await self._moved(row, exc.new_chat_id)
        except Rejected as exc:
            outcome = "failed"
            await self._record(row, "failed", str(exc))
        except Unknown as exc:
            if row.kind in AT_MOST_ONCE:
                outcome = "unknown"
                await self._record(row, "sent", UNKNOWN_NOT_RESENT)
            else:
                outcome = await self._transient(row, exc)
        except (Transient, OSError, TimeoutError) as exc:
            outcome = await self._transient(row, exc)
        except Exception as exc:  # a bug or a database hiccup: this row's outcome
            log.exception("outbox row %s (%s) raised; it will be tried again", row.id, row.kind)
            outcome = await self._transient(row, exc)
        else:
            outcome = "sent"
            await self._record(row, "sent")
        metrics.DELIVERIES.labels(row.channel, outcome).inc()

    async def _attempt(self, row: OutboxMessage) -> None:
        action = self.actions.get(row.kind)
        if action is not None:
            await action(row)
            return
        sender = self.senders.get(row.channel)
        assert sender is not None  # only rows of our channels are claimed
        payload = row.payload
        replies = [reply_from_dict(r) for r in payload.get("replies", [])]
        copy = payload.get("copy")
        copier = getattr(sender, "copy", None)
        if copy and copier is not None:
            buttons = replies[0].buttons if replies else []
            await copier(row.chat_id, copy["chat_id"], copy["message_id"], buttons, kind=row.kind)
            return
        await sender.send(row.chat_id, replies, row.thread_id, kind=row.kind)

    async def _transient(self, row: OutboxMessage, exc: BaseException) -> str:
        """Try again later with back-off, or give up once the row is older than the limit."""
        error = str(exc) or type(exc).__name__
        if utcnow() - row.created_at >= self.give_up_after:
            await self._record(row, "failed", error)
            return "failed"
        backoff = min(FIRST_BACKOFF * 2 ** row.attempts, self.retry_max.total_seconds())
        backoff *= random.uniform(0.5, 1.0)  # jitter, not security
        await self._retry(row, error, count=True, after=timedelta(seconds=backoff),
                          sent=getattr(exc, "sent", 0))
        return "retry"

    async def _record(self, row: OutboxMessage, state: str, error: str | None = None) -> None:
        assert row.id is not None
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).finish(row.id, state, scrub(error) if error else None)
            await uow.commit()
        if state in ("failed", "skipped") and self.on_final is not None:
            await self._tell(row, state if error != OUTSIDE_WINDOW else "outside_window", error)

    async def _tell(self, row: OutboxMessage, outcome: str, error: str | None) -> None:
        assert self.on_final is not None
        try:
            await self.on_final(row, outcome, error)
        except Exception:  # telling staff is a courtesy; the row is recorded
            log.exception("could not report the outcome of outbox row %s", row.id)

    async def _retry(self, row: OutboxMessage, error: str, *, count: bool,
                     after: timedelta, sent: int = 0) -> None:
        assert row.id is not None
        payload: dict[str, Any] | None = None
        if sent and row.payload.get("replies"):  # only what did not go out is sent again
            payload = {**row.payload, "replies": row.payload["replies"][sent:]}
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).retry_later(row.id, utcnow() + after, scrub(error),
                                                   count_attempt=count, payload=payload)
            await uow.commit()

    async def _unreachable(self, row: OutboxMessage, error: str) -> None:
        assert row.id is not None
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(OutboxRepo)
            await repo.finish(row.id, "skipped", "unreachable")
            if row.person_id is not None:
                await repo.mark_unreachable(row.person_id, scrub(error))
            await uow.commit()
        if self.on_final is not None:
            await self._tell(row, "unreachable", error)

    async def _moved(self, row: OutboxMessage, new_chat_id: str) -> None:
        """Follow `migrate_to_chat_id`: this row, the rows still to send and the people there."""
        assert row.id is not None
        log.warning("a %s group chat moved to a new id; messages follow it", row.channel)
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).move_chat(row.channel, row.chat_id, new_chat_id)
            await uow.repo(PeopleRepo).move_chat(row.channel, row.chat_id, new_chat_id)
            await uow.repo(OutboxRepo).retry_later(row.id, utcnow(), "chat moved",
                                                   count_attempt=False)
            await uow.commit()
        if self.on_chat_moved is not None:
            await self.on_chat_moved(row.channel, row.chat_id, new_chat_id)
