"""The outbox: queue once, claim safely (SKIP LOCKED on PostgreSQL), record every outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, or_, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import utcnow
from storage.models_outbox import OutboxMessage, UnreachablePerson

FINISHED = ("sent", "failed", "skipped")
OUTBOX = sa_inspect(OutboxMessage).local_table  # the table, for Core statements
SKIP_REASONS = ("unreachable", "outside window")  # counted apart in an announcement's report


class OutboxRepo:
    """Rows of the outbox and their state changes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind else "sqlite"

    async def enqueue(self, rows: list[dict[str, Any]], *, known: set[str] | None = None) -> int:
        """Insert rows whose key is new; returns how many were queued.

        One Core statement on the table, compiled once and executed with a list of parameters
        (executemany): no ORM bookkeeping per row, so a slice of a few hundred rows costs the
        event loop a few milliseconds. Keys already queued are left out first (`known`, when
        the caller looked them up already). A key another process queues in the same instant
        is skipped by the database (and counted here as queued)."""
        if not rows:
            return 0
        if known is None:
            known = set(await self.known_keys([str(row["dedupe_key"]) for row in rows]))
        now = utcnow()
        defaults = {"not_before": now, "created_at": now, "state": "pending", "attempts": 0,
                    "quiet_hours": False, "order_key": None, "thread_id": None,
                    "person_id": None, "batch_id": None, "event_id": None}
        fresh: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row["dedupe_key"] not in known:
                fresh.setdefault(str(row["dedupe_key"]), {**defaults, **row})
        if not fresh:
            return 0
        insert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        statement = insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
        await self.session.exec(statement, params=list(fresh.values()))  # type: ignore[call-overload]
        self.session.info["outbox_queued"] = True  # the unit of work wakes the worker
        return len(fresh)

    async def known_keys(self, keys: list[str]) -> list[str]:
        """Which of these keys are queued already (any state)."""
        found: list[str] = []
        for start in range(0, len(keys), 500):  # within every database's parameter limit
            found += (await self.session.exec(select(OutboxMessage.dedupe_key).where(
                col(OutboxMessage.dedupe_key).in_(keys[start:start + 500])))).all()
        return found

    async def finished_page(self, before: datetime, *, since: datetime | None = None,
                            after: tuple[datetime, int] | None = None, limit: int = 500
                            ) -> list[tuple[datetime, int]]:
        """(created_at, id) of finished rows created in [since, before), in that order, after
        `after`: retention walks the history a page at a time on `ix_outbox_created`."""
        statement = select(OutboxMessage.created_at, OutboxMessage.id).where(
            col(OutboxMessage.created_at) < before, col(OutboxMessage.state).in_(FINISHED))
        if since is not None:
            statement = statement.where(col(OutboxMessage.created_at) >= since)
        if after is not None:
            created, row_id = after
            statement = statement.where(or_(
                col(OutboxMessage.created_at) > created,
                and_(col(OutboxMessage.created_at) == created, col(OutboxMessage.id) > row_id)))
        statement = statement.order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
        return list((await self.session.exec(statement.limit(limit))).all())  # type: ignore[arg-type]

    async def blank(self, ids: list[int]) -> int:
        """Forget the texts and errors of these rows."""
        result = await self.session.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
            col(OutboxMessage.id).in_(ids)).values(payload={}, last_error=None))
        return result.rowcount or 0

    async def delete_ids(self, ids: list[int]) -> int:
        """Drop these rows."""
        result = await self.session.exec(delete(OutboxMessage).where(  # type: ignore[call-overload]
            col(OutboxMessage.id).in_(ids)))
        return result.rowcount or 0

    async def claim_due(self, limit: int, *, channels: list[str],
                        only: list[int] | None = None) -> list[OutboxMessage]:
        """Due pending rows (of `only`, if given), now `sending`; other processes skip them.

        A row waits while an older row of its order key is pending or being sent, so one
        person's messages and one ticket's work go out in order, one at a time."""
        now = utcnow()
        earlier = aliased(OutboxMessage)
        blocked = exists().where(earlier.order_key == OutboxMessage.order_key,
                                 col(earlier.id) < OutboxMessage.id,
                                 col(earlier.state).in_(("pending", "sending")))
        statement = (select(OutboxMessage)
                     .where(OutboxMessage.state == "pending", OutboxMessage.not_before <= now,
                            or_(col(OutboxMessage.order_key).is_(None), ~blocked))
                     .order_by(col(OutboxMessage.id)).limit(limit))
        statement = statement.where(col(OutboxMessage.channel).in_(channels))
        if only is not None:
            statement = statement.where(col(OutboxMessage.id).in_(only))
        if self._dialect == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        rows = list((await self.session.exec(statement)).all())
        for row in rows:
            row.state, row.claimed_at = "sending", now
            self.session.add(row)
        return rows

    async def finish(self, row_id: int, state: str, error: str | None = None) -> None:
        """Record a final outcome: sent, failed or skipped."""
        await self.session.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
            col(OutboxMessage.id) == row_id).values(
            state=state, last_error=error[:300] if error else None,
            sent_at=utcnow() if state == "sent" else None))

    async def retry_later(self, row_id: int, when: datetime, error: str,
                          *, count_attempt: bool = True,
                          payload: dict[str, Any] | None = None) -> None:
        """Back to pending, not before `when` (with what is left to send, when given)."""
        values: dict[str, Any] = {"state": "pending", "not_before": when,
                                  "last_error": error[:300]}
        if payload is not None:
            values["payload"] = payload
        if count_attempt:
            values["attempts"] = OutboxMessage.attempts + 1  # type: ignore[assignment]
        await self.session.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
            col(OutboxMessage.id) == row_id).values(**values))

    async def recover_stuck(self, older_than: timedelta) -> int:
        """Rows left `sending` by a process that died go back to pending."""
        result = await self.session.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
            OutboxMessage.state == "sending",
            col(OutboxMessage.claimed_at) < utcnow() - older_than).values(state="pending"))
        return result.rowcount or 0

    async def batch_counts(self, batch_id: int) -> dict[str, int]:
        """How many rows of a batch are in each state (failures split by reason).

        Skipped rows are grouped by reason in SQL, so a batch of many sent rows with their
        different error texts does not come back row group by row group."""
        reason = case((col(OutboxMessage.last_error).in_(SKIP_REASONS), OutboxMessage.last_error),
                      else_=None)
        rows = (await self.session.exec(
            select(OutboxMessage.state, reason, func.count())
            .where(OutboxMessage.batch_id == batch_id)
            .group_by(OutboxMessage.state, reason))).all()
        counts: dict[str, int] = {}
        for state, error, count in rows:
            key = error if state == "skipped" and error in SKIP_REASONS else state
            counts[key] = counts.get(key, 0) + count
        return counts

    async def batch_unfinished(self, batch_id: int) -> bool:
        """True while a row of the batch waits or is being sent (one indexed look)."""
        return (await self.session.exec(select(OutboxMessage.id).where(
            OutboxMessage.batch_id == batch_id,
            col(OutboxMessage.state).in_(("pending", "sending"))).limit(1))).first() is not None

    async def batch_size(self, batch_id: int) -> int:
        """Rows queued for a batch."""
        return (await self.session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.batch_id == batch_id))).one()

    async def mark_unreachable(self, person_id: int, reason: str) -> None:
        """Stop proactive messages to a person who blocked the bot."""
        if await self.session.get(UnreachablePerson, person_id) is None:
            self.session.add(UnreachablePerson(person_id=person_id, reason=reason[:200]))

    async def clear_unreachable(self, person_id: int) -> None:
        """They wrote again: they are reachable."""
        row = await self.session.get(UnreachablePerson, person_id)
        if row is not None:
            await self.session.delete(row)

    async def withdraw_reminders(self, event_id: int, *, person_id: int | None = None,
                                 keep_key_with: str | None = None,
                                 keep_if: ColumnElement[bool] | None = None) -> int:
        """Withdraw an event's pending reminders (one person's, when given), except those whose
        key holds `keep_key_with` (the event's current time) and for which `keep_if` (about the
        row) holds. One statement on `ix_outbox_event`: only the event's rows are read."""
        statement = update(OutboxMessage).where(
            OutboxMessage.event_id == event_id, OutboxMessage.state == "pending",
            OutboxMessage.kind == "reminder")
        if person_id is not None:
            statement = statement.where(OutboxMessage.person_id == person_id)
        keep: list[ColumnElement[bool]] = []
        if keep_key_with is not None:
            keep.append(col(OutboxMessage.dedupe_key).contains(keep_key_with))
        if keep_if is not None:
            keep.append(keep_if)
        if keep:
            statement = statement.where(~and_(*keep))
        result = await self.session.exec(statement.values(  # type: ignore[call-overload]
            state="skipped", last_error="withdrawn"))
        return result.rowcount or 0

    async def ids_for(self, keys: list[str]) -> list[int]:
        """Row ids of these keys."""
        return list((await self.session.exec(select(OutboxMessage.id).where(
            col(OutboxMessage.dedupe_key).in_(keys)))).all())  # type: ignore[arg-type]

    async def states(self, ids: list[int]) -> dict[str, int]:
        """How many of these rows are in each state."""
        rows = (await self.session.exec(select(OutboxMessage.state, func.count()).where(
            col(OutboxMessage.id).in_(ids)).group_by(OutboxMessage.state))).all()
        return dict(rows)  # type: ignore[arg-type]

    async def oldest_pending_since(self) -> datetime | None:
        """When the oldest row still waiting was queued (None when nothing waits)."""
        return (await self.session.exec(select(func.min(OutboxMessage.created_at)).where(
            col(OutboxMessage.state).in_(("pending", "sending"))))).one()

    async def pending_for(self, order_key: str) -> bool:
        """True while a row of this order key waits or is being sent."""
        return (await self.session.exec(select(OutboxMessage.id).where(
            OutboxMessage.order_key == order_key,
            col(OutboxMessage.state).in_(("pending", "sending"))).limit(1))).first() is not None

    async def move_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> int:
        """A group got a new id (`migrate_to_chat_id`): rows still to send follow it."""
        result = await self.session.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
            OutboxMessage.channel == channel, OutboxMessage.chat_id == old_chat_id,
            col(OutboxMessage.state).in_(("pending", "sending"))).values(chat_id=new_chat_id))
        return result.rowcount or 0

    async def blank_finished(self, before: datetime) -> int:
        """Forget the texts and errors of rows finished before `before` (retention).

        Only the month before `before` is visited (the routine runs every few hours), so the
        work stays small however long the history; older rows were blanked back then."""
        result = await self.session.exec(update(OutboxMessage).where(  # type: ignore[call-overload]
            col(OutboxMessage.state).in_(FINISHED), col(OutboxMessage.created_at) < before,
            col(OutboxMessage.created_at) >= before - timedelta(days=30)).values(
            payload={}, last_error=None))
        return result.rowcount or 0

    async def delete_finished(self, before: datetime) -> int:
        """Drop rows finished before `before` (retention)."""
        result = await self.session.exec(delete(OutboxMessage).where(  # type: ignore[call-overload]
            col(OutboxMessage.state).in_(FINISHED), col(OutboxMessage.created_at) < before))
        return result.rowcount or 0

    async def pending_count(self) -> int:
        """Rows waiting to be sent."""
        return (await self.session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.state.in_(("pending", "sending"))))).one()  # type: ignore[attr-defined]


