"""The donor report's figures: every count, median and percentile computed by the database.

Nothing here returns a row about one person: only grouped counts and single statistics. Written
once for SQLite and PostgreSQL; the dialect differences (seconds between two times, the month
of a time, the elements of a JSON list) are chosen here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    case,
    cast,
    func,
    literal_column,
    or_,
    text,
)
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FaqQuestion
from storage.models_attendance import EventAttendance, EventFeedback
from storage.models_events import CANCELLED, Event, EventRegistration
from storage.models_faq_content import FaqTopic
from storage.models_hotline import Ticket
from storage.models_orgs import APPROVED, Organisation
from storage.models_outbox import Announcement, OutboxMessage
from storage.repos.sql_time import dialect, seconds_between

Counts = list[tuple[str, int]]


class ReportRepo:
    """Aggregates over [start, end) for the donor report (times are aware, UTC)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _month(self, moment: Any, offset_minutes: int) -> Any:
        """SQL: 'YYYY-MM' of `moment` shifted by the hub's UTC offset (local months)."""
        if dialect(self.session) == "postgresql":
            return func.to_char(moment + text(f"interval '{int(offset_minutes)} minutes'"),
                                "YYYY-MM")
        return func.strftime("%Y-%m", moment, f"{int(offset_minutes):+d} minutes")

    async def _grouped(self, key: Any, *where: Any, value: Any = None) -> Counts:
        amount = func.count() if value is None else func.coalesce(func.sum(value), 0)
        rows = (await self.session.exec(
            select(key, amount).where(*where).group_by(key).order_by(key))).all()
        return [(str(k) if k is not None else "", int(v)) for k, v in rows]

    # hotline -----------------------------------------------------------------------------

    def _tickets_in(self, start: datetime, end: datetime) -> tuple[Any, ...]:
        return (col(Ticket.created_at) >= start, col(Ticket.created_at) < end)

    async def tickets_by(self, column: str, start: datetime, end: datetime) -> Counts:
        """Tickets opened in the period, per subject or municipality."""
        return await self._grouped(getattr(Ticket, column), *self._tickets_in(start, end))

    async def tickets_by_month(self, start: datetime, end: datetime,
                               offset_minutes: int) -> Counts:
        """Tickets opened in the period, per local month."""
        return await self._grouped(self._month(col(Ticket.created_at), offset_minutes),
                                   *self._tickets_in(start, end))

    async def reply_times(self, start: datetime, end: datetime, sla_seconds: float
                          ) -> tuple[int, int, int, float | None, float | None]:
        """(tickets, answered, answered within the SLA, median and 90th percentile seconds
        to the first staff reply of the answered ones) — the percentiles by nearest rank."""
        seconds = seconds_between(self.session, Ticket.created_at, Ticket.first_staff_reply_at)
        total, answered, within = (await self.session.exec(
            select(func.count(), func.count(Ticket.first_staff_reply_at),
                   func.count(case((seconds <= sla_seconds, 1))))
            .where(*self._tickets_in(start, end)))).one()
        ranked = (select(seconds.label("s"),
                         func.row_number().over(order_by=seconds).label("rn"),
                         func.count().over().label("n"))
                  .where(*self._tickets_in(start, end),
                         col(Ticket.first_staff_reply_at).is_not(None))
                  .subquery())
        # nearest rank: ceil(0.9 n) = (9 n + 9) // 10 in integers
        median, p90 = (await self.session.exec(select(
            func.avg(case((or_(ranked.c.rn == (ranked.c.n + 1) // 2,
                               ranked.c.rn == (ranked.c.n + 2) // 2), ranked.c.s))),
            func.max(case((ranked.c.rn == (ranked.c.n * 9 + 9) // 10, ranked.c.s)))))).one()
        return (int(total), int(answered), int(within),
                float(median) if median is not None else None,
                float(p90) if p90 is not None else None)

    async def ratings(self, start: datetime, end: datetime) -> Counts:
        """Ratings (1–5) of the period's tickets, per score."""
        return await self._grouped(cast(Ticket.rating, String), *self._tickets_in(start, end),
                                   col(Ticket.rating) > 0)

    # FAQ ---------------------------------------------------------------------------------

    def _questions_in(self, start: datetime, end: datetime) -> tuple[Any, ...]:
        return (col(FaqQuestion.created_at) >= start, col(FaqQuestion.created_at) < end)

    async def questions_by_language(self, start: datetime, end: datetime
                                    ) -> list[tuple[str, int, int]]:
        """(language, answered, not answered) of the questions put to the FAQ."""
        rows = (await self.session.exec(
            select(FaqQuestion.language, func.count(FaqQuestion.answer_id),
                   func.count(case((col(FaqQuestion.answer_id).is_(None), 1))))
            .where(*self._questions_in(start, end))
            .group_by(FaqQuestion.language).order_by(FaqQuestion.language))).all()
        return [(str(lang), int(yes), int(no)) for lang, yes, no in rows]

    async def top_topics(self, start: datetime, end: datetime, limit: int
                         ) -> list[tuple[str, str, str, int]]:
        """(answer id, its Georgian and English titles — "" when the topic is gone, count) of
        the FAQ answers given most often, most first."""
        amount = func.count().label("n")
        given = (select(FaqQuestion.answer_id.label("answer_id"),  # type: ignore[attr-defined]
                        amount)
                 .where(*self._questions_in(start, end),
                        col(FaqQuestion.answer_id).is_not(None))
                 .group_by(FaqQuestion.answer_id)
                 .order_by(amount.desc(), col(FaqQuestion.answer_id)).limit(limit).subquery())
        rows = (await self.session.exec(
            select(given.c.answer_id, FaqTopic.title_ka, FaqTopic.title_en, given.c.n)
            .select_from(given).outerjoin(FaqTopic, col(FaqTopic.id) == given.c.answer_id)
            .order_by(given.c.n.desc(), given.c.answer_id))).all()
        return [(str(key), ka or "", en or "", int(n)) for key, ka, en, n in rows]

    # events ------------------------------------------------------------------------------

    def _events_in(self, start: datetime, end: datetime) -> tuple[Any, ...]:
        return (col(Event.starts_at) >= start, col(Event.starts_at) < end,
                col(Event.cancelled_at).is_(None))

    async def events_by_kind(self, start: datetime, end: datetime
                             ) -> list[tuple[str, int, int, int]]:
        """(kind, events, registrations, participants registered) of the events held in the
        period (not cancelled; registrations not cancelled)."""
        regs = (select(EventRegistration.event_id.label("event_id"),  # type: ignore[attr-defined]
                       func.count().label("registrations"),
                       func.sum(EventRegistration.participants).label("participants"))
                .where(EventRegistration.status != CANCELLED)
                .group_by(EventRegistration.event_id).subquery())
        rows = (await self.session.exec(
            select(Event.kind, func.count(),
                   func.coalesce(func.sum(regs.c.registrations), 0),
                   func.coalesce(func.sum(regs.c.participants), 0))
            .select_from(Event).outerjoin(regs, regs.c.event_id == Event.id)
            .where(*self._events_in(start, end))
            .group_by(Event.kind).order_by(Event.kind))).all()
        return [(str(k), int(n), int(r), int(p)) for k, n, r, p in rows]

    async def attendance_by_kind(self, start: datetime, end: datetime
                                 ) -> list[tuple[str, int, int, int, float | None, int]]:
        """(kind, people present, of them walk-ins, ratings, average rating, comments) of the
        events held in the period (not cancelled)."""
        present = (select(EventAttendance.event_id.label("event_id"),  # type: ignore[attr-defined]
                          func.count().label("present"),
                          func.sum(case((col(EventAttendance.walk_in), 1), else_=0))
                          .label("walk_ins"))
                   .group_by(EventAttendance.event_id).subquery())
        rated = (select(EventFeedback.event_id.label("event_id"),  # type: ignore[attr-defined]
                        func.count().label("ratings"),
                        func.sum(EventFeedback.rating).label("points"),
                        func.count(EventFeedback.comment).label("comments"))
                 .group_by(EventFeedback.event_id).subquery())
        rows = (await self.session.exec(
            select(Event.kind,
                   func.coalesce(func.sum(present.c.present), 0),
                   func.coalesce(func.sum(present.c.walk_ins), 0),
                   func.coalesce(func.sum(rated.c.ratings), 0),
                   func.coalesce(func.sum(rated.c.points), 0),
                   func.coalesce(func.sum(rated.c.comments), 0))
            .select_from(Event)
            .outerjoin(present, present.c.event_id == Event.id)
            .outerjoin(rated, rated.c.event_id == Event.id)
            .where(*self._events_in(start, end))
            .group_by(Event.kind).order_by(Event.kind))).all()
        return [(str(kind), int(here), int(walk), int(n), (int(points) / int(n)) if n else None,
                 int(comments)) for kind, here, walk, n, points, comments in rows]

    async def participants_by_organisation(self, column: str, start: datetime, end: datetime
                                           ) -> Counts:
        """Participants registered for the period's events, per municipality or legal form of
        the organisation they came with ("" without one)."""
        key = getattr(Organisation, column)
        rows = (await self.session.exec(
            select(key, func.coalesce(func.sum(EventRegistration.participants), 0))
            .select_from(EventRegistration)
            .join(Event, col(Event.id) == EventRegistration.event_id)
            .outerjoin(Organisation, col(Organisation.id) == EventRegistration.organisation_id)
            .where(*self._events_in(start, end), EventRegistration.status != CANCELLED)
            .group_by(key).order_by(key))).all()
        return [(str(k) if k is not None else "", int(v)) for k, v in rows]

    # organisations -----------------------------------------------------------------------

    async def organisations_summary(self, start: datetime, end: datetime
                                    ) -> tuple[int, int, int, int]:
        """(registered by the end, approved of those, new in the period, new and approved)."""
        created = col(Organisation.created_at)
        approved = Organisation.status == APPROVED
        new = (created >= start)
        total, ok, fresh, fresh_ok = (await self.session.exec(
            select(func.count(), func.count(case((approved, 1))),
                   func.count(case((new, 1))),
                   func.count(case((new & approved, 1))))
            .where(created < end))).one()
        return int(total), int(ok), int(fresh), int(fresh_ok)

    async def organisations_by_municipality(self, end: datetime) -> list[tuple[str, int, int]]:
        """(municipality, registered, approved) of the organisations registered by the end."""
        rows = (await self.session.exec(
            select(Organisation.municipality, func.count(),
                   func.count(case((Organisation.status == APPROVED, 1))))
            .where(col(Organisation.created_at) < end)
            .group_by(Organisation.municipality).order_by(Organisation.municipality))).all()
        return [(str(k), int(n), int(a)) for k, n, a in rows]

    async def organisations_by_area(self, end: datetime) -> list[tuple[str, int, int]]:
        """(area, registered, approved): an organisation counts once in each of its areas."""
        if dialect(self.session) == "postgresql":
            area = func.json_array_elements_text(Organisation.areas).table_valued(
                "value").alias("area")
            value = area.c.value
        else:
            area = func.json_each(Organisation.areas).table_valued("value").alias("area")
            value = area.c.value
        rows = (await self.session.exec(
            select(value, func.count(),
                   func.count(case((Organisation.status == APPROVED, 1))))
            .select_from(Organisation).join(area, literal_column("1") == 1)
            .where(col(Organisation.created_at) < end)
            .group_by(value).order_by(value))).all()
        return [(str(k), int(n), int(a)) for k, n, a in rows]

    # announcements -----------------------------------------------------------------------

    async def announcements(self, start: datetime, end: datetime
                            ) -> tuple[int, int, int, int]:
        """(announcements sent in the period, messages delivered, unreachable, not delivered
        otherwise) — by their outbox rows."""
        sent = (await self.session.exec(
            select(func.count()).select_from(Announcement)
            .where(col(Announcement.status).in_(("sending", "done")),
                   col(Announcement.created_at) >= start,
                   col(Announcement.created_at) < end))).one()
        ids = (select(Announcement.id).where(
            col(Announcement.status).in_(("sending", "done")),
            col(Announcement.created_at) >= start, col(Announcement.created_at) < end))
        delivered, unreachable, failed = (await self.session.exec(
            select(func.count(case((OutboxMessage.state == "sent", 1))),
                   func.count(case(((OutboxMessage.state == "skipped")
                                    & (OutboxMessage.last_error == "unreachable"), 1))),
                   func.count(case((OutboxMessage.state == "failed", 1))))
            .where(col(OutboxMessage.batch_id).in_(ids)))).one()
        return int(sent), int(delivered), int(unreachable), int(failed)

