"""The dashboard's figures, each counted by the database on an indexed column.

Written once for SQLite and PostgreSQL: the median uses window functions (both have them), and
the one dialect difference — seconds between two times — is chosen here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import NamedTuple

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FaqQuestion
from storage.models_events import CANCELLED, CONFIRMED, Event, EventRegistration
from storage.models_hotline import Ticket
from storage.repos.sql_time import seconds_between


class OpenTickets(NamedTuple):
    """Tickets open now, and when the oldest of them was opened."""

    count: int
    oldest_created_at: datetime | None


class UpcomingEvent(NamedTuple):
    """An event ahead, with its confirmed participants."""

    id: int
    title_ka: str
    title_en: str | None
    starts_at: datetime
    capacity: int | None
    taken: int


class DashboardRepo:
    """Counts for the staff console's dashboard; nothing here loads rows it does not show."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tickets_opened(self, since: datetime) -> int:
        """Tickets opened since `since` (ix_ticket_created)."""
        return int((await self.session.exec(select(func.count()).select_from(Ticket).where(
            col(Ticket.created_at) >= since))).one())

    async def open_tickets(self) -> OpenTickets:
        """How many tickets are open, and the oldest one's opening (ix_ticket_status)."""
        count, oldest = (await self.session.exec(
            select(func.count(), func.min(Ticket.created_at)).where(
                Ticket.status == "open"))).one()
        return OpenTickets(int(count), oldest)

    async def median_first_reply_seconds(self, since: datetime) -> float | None:
        """The median time to the first staff reply (in whole seconds) of the tickets opened
        since `since` that have one (None when none has); the middle one or two rows by a
        window function."""
        seconds = seconds_between(self.session, Ticket.created_at, Ticket.first_staff_reply_at)
        ranked = (select(seconds.label("s"),
                         func.row_number().over(order_by=seconds).label("rn"),
                         func.count().over().label("n"))
                  .where(col(Ticket.created_at) >= since,
                         col(Ticket.first_staff_reply_at).is_not(None))
                  .subquery())
        median = (await self.session.exec(select(func.avg(ranked.c.s)).where(
            or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)))
        ).one()
        # to the second: SQLite's julianday() is a float, a few microseconds off
        return float(round(median)) if median is not None else None

    async def registrations_since(self, since: datetime) -> tuple[int, int]:
        """(registrations, participants) made since `since` and not cancelled
        (ix_event_registration_created)."""
        count, people = (await self.session.exec(
            select(func.count(), func.coalesce(func.sum(EventRegistration.participants), 0))
            .where(col(EventRegistration.created_at) >= since,
                   EventRegistration.status != CANCELLED))).one()
        return int(count), int(people)

    async def upcoming_events(self, now: datetime, limit: int) -> tuple[list[UpcomingEvent], int]:
        """The next `limit` events not cancelled, soonest first, with confirmed participants
        (summed on ix_event_registration_event_id for those only), and how many are ahead."""
        where = (col(Event.cancelled_at).is_(None), col(Event.starts_at) > now)
        total = (await self.session.exec(select(func.count()).select_from(Event).where(*where))
                 ).one()
        ahead = (select(Event.id, Event.title_ka, Event.title_en, Event.starts_at,
                        Event.capacity).where(*where)
                 .order_by(col(Event.starts_at), col(Event.id)).limit(limit).subquery())
        # summed for the few events shown only (the limit applies first)
        taken = (select(func.coalesce(func.sum(EventRegistration.participants), 0))
                 .where(EventRegistration.event_id == ahead.c.id,
                        EventRegistration.status == CONFIRMED)
                 .correlate(ahead).scalar_subquery())
        rows = (await self.session.exec(
            select(ahead.c.id, ahead.c.title_ka, ahead.c.title_en, ahead.c.starts_at,
                   ahead.c.capacity, taken).order_by(ahead.c.starts_at, ahead.c.id))).all()
        return [UpcomingEvent(int(i), title_ka, title_en, starts_at, capacity, int(used or 0))
                for i, title_ka, title_en, starts_at, capacity, used in rows], int(total)

    async def unanswered_questions(self, since: datetime) -> int:
        """Questions to the FAQ since `since` that the bot had no answer for
        (ix_faq_question_created)."""
        return int((await self.session.exec(select(func.count()).select_from(FaqQuestion).where(
            col(FaqQuestion.created_at) >= since, col(FaqQuestion.answer_id).is_(None)))).one())

    async def tickets_per_span(self, bounds: Sequence[datetime]) -> list[int]:
        """Tickets opened in each span [bounds[i], bounds[i+1]), in one pass over the index
        range from the first bound to the last."""
        if len(bounds) < 2:
            return []
        created = col(Ticket.created_at)
        counts = [func.count(case((and_(created >= start, created < end), 1)))
                  for start, end in pairwise(bounds)]
        row = (await self.session.exec(select(*counts).where(
            created >= bounds[0], created < bounds[-1]))).one()
        return [int(value) for value in (row if len(counts) > 1 else [row])]
