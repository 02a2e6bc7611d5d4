"""Events and registrations for them: seats, the wait list, one person's registrations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Exists, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person
from storage.models_events import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    Event,
    EventRegistration,
)
from storage.models_orgs import Organisation
from storage.repos.privacy import ERASED_CHAT

ACTIVE = (CONFIRMED, WAITLISTED)


class EventCalendarRepo:
    """Reads and writes events and their registrations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Event | EventRegistration) -> None:
        """Store a new or changed row and give it an id."""
        self.session.add(row)
        await self.session.flush()

    async def get(self, event_id: int) -> Event | None:
        """One event."""
        return await self.session.get(Event, event_id)

    async def lock(self, event_id: int) -> Event | None:
        """The event, locked until commit: seat counting for it is serialised.

        PostgreSQL takes a row lock (SELECT … FOR UPDATE); on SQLite the unit of work already
        holds the database's single writer lock, and the clause is left out.
        """
        return (await self.session.exec(
            select(Event).where(Event.id == event_id).with_for_update()
            .execution_options(populate_existing=True))).first()

    async def upcoming(self, now: datetime, *, offset: int = 0,
                       limit: int | None = None) -> tuple[Sequence[Event], int]:
        """Events not cancelled that have not started, soonest first, and how many there are."""
        where = (col(Event.cancelled_at).is_(None), Event.starts_at > now)
        total = (await self.session.exec(select(func.count()).select_from(Event).where(*where))
                 ).one()
        query = select(Event).where(*where).order_by(col(Event.starts_at), col(Event.id))
        query = query.offset(offset).limit(limit) if limit is not None else query
        return (await self.session.exec(query)).all(), int(total)

    async def staff_page(self, now: datetime, *, upcoming: bool, offset: int = 0,
                         limit: int = 50) -> tuple[Sequence[Event], int]:
        """One page of events for staff, cancelled ones included: those still to start
        (soonest first) or those that have started (latest first); and how many there are."""
        where = Event.starts_at > now if upcoming else Event.starts_at <= now
        total = (await self.session.exec(select(func.count()).select_from(Event).where(where))
                 ).one()
        order = ((col(Event.starts_at), col(Event.id)) if upcoming
                 else (col(Event.starts_at).desc(), col(Event.id).desc()))
        page = (await self.session.exec(select(Event).where(where).order_by(*order)
                                        .offset(offset).limit(limit))).all()
        return page, int(total)

    async def waiting_by_event(self, event_ids: Sequence[int]) -> dict[int, int]:
        """Wait-listed registrations per event, for a list of events."""
        if not event_ids:
            return {}
        rows = (await self.session.exec(
            select(EventRegistration.event_id, func.count())
            .where(col(EventRegistration.event_id).in_(event_ids),
                   EventRegistration.status == WAITLISTED)
            .group_by(col(EventRegistration.event_id)))).all()
        return {event_id: int(count) for event_id, count in rows}

    async def listing(self) -> Sequence[Event]:
        """Every event, by start."""
        return (await self.session.exec(select(Event).order_by(col(Event.starts_at)))).all()

    async def reload(self, registration: EventRegistration) -> None:
        """Read the registration again (its status as of a lock taken since it was loaded)."""
        await self.session.refresh(registration)

    async def registration(self, registration_id: int) -> EventRegistration | None:
        """One registration."""
        return await self.session.get(EventRegistration, registration_id)

    async def active_registration(self, event_id: int,
                                  person_id: int) -> EventRegistration | None:
        """The person's confirmed or wait-listed registration for the event."""
        return (await self.session.exec(select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.person_id == person_id,
            col(EventRegistration.status).in_(ACTIVE)))).first()

    async def seats_taken(self, event_id: int) -> int:
        """Participants of the confirmed registrations."""
        taken = (await self.session.exec(
            select(func.coalesce(func.sum(EventRegistration.participants), 0)).where(
                EventRegistration.event_id == event_id,
                EventRegistration.status == CONFIRMED))).one()
        return int(taken)

    async def seats_taken_by_event(self, event_ids: Sequence[int]) -> dict[int, int]:
        """Confirmed participants per event, for a list of events."""
        if not event_ids:
            return {}
        rows = (await self.session.exec(
            select(EventRegistration.event_id, func.sum(EventRegistration.participants))
            .where(col(EventRegistration.event_id).in_(event_ids),
                   EventRegistration.status == CONFIRMED)
            .group_by(col(EventRegistration.event_id)))).all()
        return {event_id: int(taken) for event_id, taken in rows}

    async def waitlist(self, event_id: int) -> Sequence[EventRegistration]:
        """Wait-listed registrations, first in line first."""
        return (await self.session.exec(select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.status == WAITLISTED)
            .order_by(col(EventRegistration.position), col(EventRegistration.id)))).all()

    async def next_position(self, event_id: int) -> int:
        """The wait-list number for the next person to join it."""
        last = (await self.session.exec(select(func.max(EventRegistration.position)).where(
            EventRegistration.event_id == event_id))).one()
        return int(last or 0) + 1

    async def waitlist_rank(self, registration: EventRegistration) -> int:
        """Where a wait-listed registration stands now (1 = next to get a seat)."""
        ahead = (await self.session.exec(select(func.count()).select_from(EventRegistration)
                 .where(EventRegistration.event_id == registration.event_id,
                        EventRegistration.status == WAITLISTED,
                        col(EventRegistration.position) < registration.position))).one()
        return int(ahead) + 1

    async def registrants(self, event_id: int, *, include_cancelled: bool = False
                          ) -> Sequence[tuple[EventRegistration, Person]]:
        """Registrations of an event with their people: confirmed first, then the wait list."""
        query = (select(EventRegistration, Person)
                 .join(Person, col(Person.id) == EventRegistration.person_id)
                 .where(EventRegistration.event_id == event_id)
                 .order_by(col(EventRegistration.status), col(EventRegistration.position),
                           col(EventRegistration.id)))
        if not include_cancelled:
            query = query.where(col(EventRegistration.status).in_(ACTIVE))
        return (await self.session.exec(query)).all()

    async def for_person(self, person_id: int, now: datetime
                         ) -> Sequence[tuple[EventRegistration, Event]]:
        """A person's active registrations for events not cancelled and not yet started."""
        return (await self.session.exec(
            select(EventRegistration, Event)
            .join(Event, col(Event.id) == EventRegistration.event_id)
            .where(EventRegistration.person_id == person_id,
                   col(EventRegistration.status).in_(ACTIVE),
                   col(Event.cancelled_at).is_(None), Event.starts_at > now)
            .order_by(col(Event.starts_at)))).all()

    async def plannable(self, now: datetime, changed_since: datetime | None = None
                        ) -> Sequence[Event]:
        """Events that have not long begun (changed since `changed_since`, when given)."""
        query = select(Event).where(Event.starts_at > now - timedelta(days=1))
        if changed_since is not None:
            query = query.where(Event.updated_at >= changed_since)
        return (await self.session.exec(query.order_by(col(Event.id)))).all()

    async def confirmed_recipients(self, event_id: int, *, after: int = 0, limit: int = 200
                                   ) -> list[Recipient]:
        """Confirmed registrations of reachable people, by registration id after `after`."""
        return [Recipient(*row) for row in (await self.session.exec(
            _recipients().where(EventRegistration.event_id == event_id,
                                EventRegistration.status == CONFIRMED,
                                col(EventRegistration.id) > after)
            .order_by(col(EventRegistration.id)).limit(limit))).all()]

    async def changed_registrations(self, since: datetime, now: datetime, *, after: int = 0,
                                    limit: int = 200) -> list[Recipient]:
        """Registrations changed since `since`, of events that have not begun, by id."""
        return [Recipient(*row) for row in (await self.session.exec(
            _recipients().join(Event, col(Event.id) == EventRegistration.event_id)
            .where(EventRegistration.updated_at >= since, Event.starts_at > now,
                   col(EventRegistration.id) > after)
            .order_by(col(EventRegistration.id)).limit(limit))).all()]

    def confirmed_exists(self, event_id: int, person_id: Any) -> Exists:
        """SQL: the person (a column of the outer query) holds a confirmed seat at the event."""
        return exists().where(EventRegistration.event_id == event_id,
                              EventRegistration.person_id == person_id,
                              EventRegistration.status == CONFIRMED)

    async def registered_since(self, since: datetime) -> int:
        """Registrations made since `since` (the digest)."""
        return int((await self.session.exec(select(func.count()).select_from(EventRegistration)
                                            .where(EventRegistration.created_at >= since))).one())

    async def starting_between(self, start: datetime, end: datetime) -> Sequence[Event]:
        """Events not cancelled that start in (start, end), soonest first."""
        return (await self.session.exec(select(Event).where(
            Event.starts_at > start, Event.starts_at < end, col(Event.cancelled_at).is_(None))
            .order_by(col(Event.starts_at)))).all()

    async def attendee_rows(self, event_id: int) -> list[AttendeeRow]:
        """An event's active registrations with their person, organisation and wait-list rank,
        in one query: confirmed first, then the wait list."""
        rank = func.rank().over(partition_by=col(EventRegistration.status),
                                order_by=col(EventRegistration.position))
        rows = (await self.session.exec(
            select(EventRegistration, Person.display_name, Person.channel,
                   Organisation.name_ka, Organisation.id_code, Organisation.phone,
                   Organisation.email, rank)
            .join(Person, col(Person.id) == EventRegistration.person_id)
            .outerjoin(Organisation, col(Organisation.id) == EventRegistration.organisation_id)
            .where(EventRegistration.event_id == event_id,
                   col(EventRegistration.status).in_(ACTIVE))
            .order_by(col(EventRegistration.status), col(EventRegistration.position),
                      col(EventRegistration.id)))).all()
        return [AttendeeRow(registration, name, channel, org_name, org_code, org_phone,
                            org_email, int(place) if registration.position is not None else None)
                for registration, name, channel, org_name, org_code, org_phone, org_email, place
                in rows]


class Recipient(NamedTuple):
    """A registration and who to remind of it."""

    registration_id: int
    event_id: int
    status: str
    person_id: int
    channel: str
    chat_id: str
    language: str


class AttendeeRow(NamedTuple):
    """One line of an event's attendee list."""

    registration: EventRegistration
    person_name: str
    channel: str
    organisation_name: str | None
    organisation_code: str | None
    organisation_phone: str | None
    organisation_email: str | None
    waitlist_rank: int | None


def _recipients() -> Any:
    return (select(EventRegistration.id, EventRegistration.event_id, EventRegistration.status,
                   Person.id, Person.channel, Person.chat_id, Person.language)
            .join(Person, col(Person.id) == EventRegistration.person_id)
            .where(Person.chat_id != ERASED_CHAT))


__all__ = ["ACTIVE", "CANCELLED", "AttendeeRow", "EventCalendarRepo", "Recipient"]
