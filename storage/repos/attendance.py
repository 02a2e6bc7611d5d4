"""Check-in and feedback rows: who attended an event, who is to be asked, what they answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person
from storage.models_attendance import EventAttendance, EventFeedback
from storage.models_events import CONFIRMED, Event, EventRegistration
from storage.repos.privacy import ERASED_CHAT


class Attendee(NamedTuple):
    """A checked-in person who can be written to."""

    attendance_id: int
    person_id: int
    channel: str
    chat_id: str
    language: str


class FeedbackRow(NamedTuple):
    """One answer as staff see it (no names: the rating and the words)."""

    rating: int
    comment: str | None
    will_apply: str | None
    created_at: datetime


class AttendanceRepo:
    """Reads and writes event_attendance and event_feedback."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _insert(self) -> Any:
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        return pg_insert if dialect == "postgresql" else sqlite_insert

    async def event_by_code(self, code: str) -> Event | None:
        """The event whose posters carry this check-in code."""
        return (await self.session.exec(select(Event).where(Event.checkin_code == code))).first()

    async def active_registration(self, event_id: int, person_id: int
                                  ) -> EventRegistration | None:
        """The person's confirmed registration for the event, if any."""
        return (await self.session.exec(select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.person_id == person_id,
            EventRegistration.status == CONFIRMED))).first()

    async def get(self, event_id: int, person_id: int) -> EventAttendance | None:
        """The person's check-in at the event, if any."""
        return (await self.session.exec(select(EventAttendance).where(
            EventAttendance.event_id == event_id, EventAttendance.person_id == person_id))).first()

    async def add(self, **values: Any) -> bool:
        """Record a check-in; False when the person was already checked in (kept as it was)."""
        result = await self.session.exec(  # type: ignore[call-overload]
            self._insert(EventAttendance).values(**values).on_conflict_do_nothing(
                index_elements=["event_id", "person_id"]))
        return bool(result.rowcount)

    async def remove(self, event_id: int, person_id: int) -> bool:
        """Undo a check-in (staff unticked it); False when there was none."""
        result = await self.session.exec(delete(EventAttendance).where(  # type: ignore[call-overload]
            col(EventAttendance.event_id) == event_id,
            col(EventAttendance.person_id) == person_id))
        return bool(result.rowcount)

    async def present_people(self, event_id: int) -> set[int]:
        """The ids of the people checked in at the event."""
        return set((await self.session.exec(select(EventAttendance.person_id).where(
            EventAttendance.event_id == event_id))).all())

    async def walk_ins(self, event_id: int) -> list[tuple[str, str | None]]:
        """Walk-ins of the event: (the person's name, the organisation they gave)."""
        return [(name, org) for name, org in (await self.session.exec(
            select(Person.display_name, EventAttendance.organisation_name)
            .join(Person, col(Person.id) == EventAttendance.person_id)
            .where(EventAttendance.event_id == event_id, col(EventAttendance.walk_in))
            .order_by(col(EventAttendance.id)))).all()]

    async def ended_between(self, earliest: datetime, latest: datetime) -> list[Event]:
        """Events not cancelled whose end (or start, without an end) lies in [earliest, latest]."""
        end = func.coalesce(Event.ends_at, Event.starts_at)
        return list((await self.session.exec(select(Event).where(
            col(Event.cancelled_at).is_(None), end >= earliest, end <= latest)
            .order_by(col(Event.id)))).all())

    async def attendees(self, event_id: int, *, after: int = 0, limit: int = 200
                        ) -> list[Attendee]:
        """Checked-in people who can be written to, by check-in id after `after`."""
        return [Attendee(*row) for row in (await self.session.exec(
            select(EventAttendance.id, Person.id, Person.channel, Person.chat_id, Person.language)
            .join(Person, col(Person.id) == EventAttendance.person_id)
            .where(EventAttendance.event_id == event_id, Person.chat_id != ERASED_CHAT,
                   col(EventAttendance.id) > after)
            .order_by(col(EventAttendance.id)).limit(limit))).all()]

    async def add_feedback(self, **values: Any) -> bool:
        """Store one person's feedback on an event; False when they had answered already."""
        result = await self.session.exec(  # type: ignore[call-overload]
            self._insert(EventFeedback).values(**values).on_conflict_do_nothing(
                index_elements=["event_id", "person_id"]))
        return bool(result.rowcount)

    async def has_feedback(self, event_id: int, person_id: int) -> bool:
        """True when the person has answered about the event."""
        return (await self.session.exec(select(EventFeedback.id).where(
            EventFeedback.event_id == event_id, EventFeedback.person_id == person_id))
        ).first() is not None

    async def feedback(self, event_id: int) -> list[FeedbackRow]:
        """An event's answers, newest first."""
        return [FeedbackRow(*row) for row in (await self.session.exec(
            select(EventFeedback.rating, EventFeedback.comment, EventFeedback.will_apply,
                   EventFeedback.created_at).where(EventFeedback.event_id == event_id)
            .order_by(col(EventFeedback.created_at).desc()))).all()]

    async def feedback_since(self, since: datetime) -> tuple[int, float | None]:
        """How many answers came since `since`, and their average rating."""
        count, average = (await self.session.exec(
            select(func.count(), func.avg(EventFeedback.rating))
            .where(EventFeedback.created_at >= since))).one()
        return int(count), float(average) if average is not None else None

    async def checked_in_since(self, since: datetime) -> int:
        """How many check-ins were recorded since `since`."""
        return int((await self.session.exec(select(func.count()).select_from(EventAttendance)
                                            .where(EventAttendance.checked_in_at >= since))).one())
