"""Events: who may register, seats and the wait list, cancelling, and staff changes.

Seats count participants. Everything that counts seats first locks the event row, so two
people taking the last seat at the same moment are served one after the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.limits import overlong
from storage.models import Person, utcnow
from storage.models_events import (
    AUDIENCE_ORGANISATIONS,
    CANCELLED,
    CONFIRMED,
    MAX_PARTICIPANTS,
    WAITLISTED,
    Event,
    EventRegistration,
)
from storage.models_orgs import REJECTED, Organisation
from storage.repos.events_calendar import EventCalendarRepo
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork

MAX_NAME = 100


class Unavailable(Exception):
    """Registration is not possible; `reason` says why (gone, cancelled, past, closed,
    duplicate, organisations_only)."""

    def __init__(self, reason: str, event: Event | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event = event


@dataclass(frozen=True)
class Promotion:
    """A wait-listed registration that got its seats, and whom to tell."""

    registration: EventRegistration
    person: Person


def registration_closes(event: Event) -> datetime:
    """The moment registration ends: the deadline, or the start."""
    return min(event.deadline, event.starts_at) if event.deadline else event.starts_at


def free_seats(event: Event, taken: int) -> int | None:
    """Seats left (None: no limit)."""
    return None if event.capacity is None else max(0, event.capacity - taken)


async def open_event(uow: UnitOfWork, event_id: int, person_id: int,
                     now: datetime | None = None) -> Event:
    """The event if this person may still register for it; else `Unavailable`."""
    now = now or utcnow()
    repo = uow.repo(EventCalendarRepo)
    event = await repo.get(event_id)
    if event is None:
        raise Unavailable("gone")
    if event.cancelled_at is not None:
        raise Unavailable("cancelled", event)
    if event.starts_at <= now:
        raise Unavailable("past", event)
    if registration_closes(event) <= now:
        raise Unavailable("closed", event)
    if await repo.active_registration(event_id, person_id) is not None:
        raise Unavailable("duplicate", event)
    return event


async def organisation_for(uow: UnitOfWork, person_id: int) -> Organisation | None:
    """The organisation a person may register on behalf of (theirs, unless rejected)."""
    organisation = await uow.repo(OrganisationRepo).for_person(person_id)
    return organisation if organisation and organisation.status != REJECTED else None


async def register(uow: UnitOfWork, *, event_id: int, person_id: int,
                   organisation_id: int | None, participants: int,
                   names: Sequence[str] = ()) -> EventRegistration:
    """Confirm the registration if its participants fit, else put it on the wait list."""
    if not 1 <= participants <= MAX_PARTICIPANTS:
        raise ValueError(f"participants must be 1–{MAX_PARTICIPANTS}")
    repo = uow.repo(EventCalendarRepo)
    event = await repo.lock(event_id)
    if event is None:
        raise Unavailable("gone")
    await open_event(uow, event_id, person_id)  # again, now that the event is locked
    if event.audience == AUDIENCE_ORGANISATIONS and organisation_id is None:
        raise Unavailable("organisations_only", event)
    if organisation_id is not None:
        own = await organisation_for(uow, person_id)
        if own is None or own.id != organisation_id:
            raise Unavailable("gone", event)
    free = free_seats(event, await repo.seats_taken(event_id))
    fits = free is None or participants <= free
    registration = EventRegistration(
        event_id=event_id, person_id=person_id, organisation_id=organisation_id,
        participants=participants, names=[n[:MAX_NAME] for n in names][:participants],
        status=CONFIRMED if fits else WAITLISTED,
        position=None if fits else await repo.next_position(event_id))
    await repo.add(registration)
    return registration


async def cancel_registration(uow: UnitOfWork, registration_id: int,
                              person_id: int) -> tuple[EventRegistration, list[Promotion]] | None:
    """Cancel the person's own registration; freed seats go to the wait list, in order."""
    repo = uow.repo(EventCalendarRepo)
    registration = await repo.registration(registration_id)
    if registration is None or registration.person_id != person_id:
        return None
    event = await repo.lock(registration.event_id)
    await repo.reload(registration)  # its status as of the lock
    if event is None or registration.status == CANCELLED:
        return None
    was_confirmed = registration.status == CONFIRMED
    registration.status = CANCELLED
    registration.position = None
    registration.cancelled_at = registration.updated_at = utcnow()
    await repo.add(registration)
    promoted = await promote(uow, event) if was_confirmed and event.cancelled_at is None else []
    return registration, promoted


async def promote(uow: UnitOfWork, event: Event) -> list[Promotion]:
    """Give free seats to wait-listed registrations that fit, first in line first.

    The event must be locked by the caller.
    """
    assert event.id is not None
    repo = uow.repo(EventCalendarRepo)
    free = free_seats(event, await repo.seats_taken(event.id))
    promoted: list[Promotion] = []
    for waiting in await repo.waitlist(event.id):
        if free is not None and waiting.participants > free:
            continue  # a smaller party further down may still fit
        waiting.status, waiting.position, waiting.updated_at = CONFIRMED, None, utcnow()
        await repo.add(waiting)
        person = await uow.people.get(waiting.person_id)
        if person is not None:
            promoted.append(Promotion(waiting, person))
        if free is not None:
            free -= waiting.participants
    return promoted


async def create_event(uow: UnitOfWork, event: Event) -> Event:
    """Store a new event (checked by `check_times` and `check_lengths`)."""
    check_times(event)
    check_lengths(event)
    await uow.repo(EventCalendarRepo).add(event)
    return event


def check_times(event: Event) -> None:
    """End after start, deadline not after the start; `ValueError` names what is wrong."""
    if event.ends_at is not None and event.ends_at <= event.starts_at:
        raise ValueError("the end must be after the start")
    if event.deadline is not None and event.deadline > event.starts_at:
        raise ValueError("the registration deadline must not be after the start")
    if event.capacity is not None and event.capacity < 1:
        raise ValueError("the capacity must be at least 1")


def check_lengths(event: Event) -> None:
    """Every text fits its column; `ValueError` names the first that does not."""
    for field, limit, length in overlong(event):
        raise ValueError(f"{field} is {length} characters long; at most {limit} fit")


class EventCancelled(Exception):
    """The event is cancelled: it is not moved any more."""


@dataclass(frozen=True)
class EventChange:
    """A staff change to an event and the people registered; `changed` is False when the event
    already was that way (then nobody is to be told again)."""

    event: Event
    registrants: Sequence[tuple[EventRegistration, Person]]
    changed: bool


async def cancel_event(uow: UnitOfWork, event_id: int) -> EventChange | None:
    """Cancel an event (None when there is none); a second cancel changes nothing."""
    repo = uow.repo(EventCalendarRepo)
    event = await repo.lock(event_id)
    if event is None:
        return None
    if event.cancelled_at is not None:
        return EventChange(event, (), changed=False)
    event.cancelled_at = event.updated_at = utcnow()
    await repo.add(event)
    return EventChange(event, await repo.registrants(event_id), changed=True)


async def move_event(uow: UnitOfWork, event_id: int, starts_at: datetime,
                     ends_at: datetime | None = None) -> EventChange | None:
    """Move an event (its end moves with it unless given); a move to the times it already has
    changes nothing. Raises `EventCancelled`, or `ValueError` for times that do not fit."""
    repo = uow.repo(EventCalendarRepo)
    event = await repo.lock(event_id)
    if event is None:
        return None
    if event.cancelled_at is not None:
        raise EventCancelled(event_id)
    shift: timedelta = starts_at - event.starts_at
    ends = ends_at or (event.ends_at + shift if event.ends_at else None)
    if starts_at == event.starts_at and ends == event.ends_at:
        return EventChange(event, (), changed=False)
    event.ends_at = ends
    if event.deadline is not None and event.deadline > starts_at:
        event.deadline = starts_at
    event.starts_at = starts_at
    check_times(event)
    event.updated_at = utcnow()
    await repo.add(event)
    return EventChange(event, await repo.registrants(event_id), changed=True)
