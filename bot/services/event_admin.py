"""Staff changes to events made outside a chat (the console), with the registrants told.

The rules are those of `bot.services.events` (the CLI's): a change to what an event already is
changes nothing and tells nobody; otherwise each registrant gets one message, queued in the same
unit of work as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.event_form import EventDetails
from bot.services.event_notices import (
    change_notices,
    details_notices,
    promotion_notices,
)
from bot.services.events import (
    EventCancelled,
    cancel_event,
    check_lengths,
    check_times,
    create_event,
    move_event,
    promote,
)
from bot.services.staff_notices import queue_notices
from storage.models import utcnow
from storage.models_events import Event
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork

# Changing one of these tells the registrants (what they read about the event).
TOLD_FIELDS = ("title_ka", "title_en", "municipality", "address", "online_url")


@dataclass(frozen=True)
class StaffChange:
    """What a staff change did: `changed` False when the event already was that way; `told`
    counts the people a message was queued for."""

    event: Event
    changed: bool
    told: int = 0


async def add_event(uow: UnitOfWork, event: Event) -> Event:
    """Store a new event (nobody is registered yet, so nobody is told)."""
    return await create_event(uow, event)


async def move(uow: UnitOfWork, event_id: int, starts_at: datetime, ends_at: datetime | None,
               tz: ZoneInfo) -> StaffChange | None:
    """Move an event; registrants are told the new time (once). Raises `EventCancelled`, or
    `ValueError` for times that do not fit."""
    change = await move_event(uow, event_id, starts_at, ends_at)
    if change is None:
        return None
    notices = change_notices(change.event, change.registrants, tz, cancelled=False)
    told = await queue_notices(uow, notices, origin=f"event.move:{event_id}")
    return StaffChange(change.event, change.changed, told)


async def cancel(uow: UnitOfWork, event_id: int, tz: ZoneInfo) -> StaffChange | None:
    """Cancel an event; registrants are told (once)."""
    change = await cancel_event(uow, event_id)
    if change is None:
        return None
    notices = change_notices(change.event, change.registrants, tz, cancelled=True)
    told = await queue_notices(uow, notices, origin=f"event.cancel:{event_id}")
    return StaffChange(change.event, change.changed, told)


async def edit(uow: UnitOfWork, event_id: int, details: EventDetails,
               tz: ZoneInfo) -> StaffChange | None:
    """Change an event's details (not its times: see `move`).

    Registrants are told when what they read changes (title or place); more seats go to the
    wait list, first in line first, and those people are told. Raises `EventCancelled`, or
    `ValueError` for values that do not fit.
    """
    repo = uow.repo(EventCalendarRepo)
    event = await repo.lock(event_id)
    if event is None:
        return None
    if event.cancelled_at is not None:
        raise EventCancelled(event_id)
    before = {name: getattr(event, name) for name in
              ("kind", "title_ka", "title_en", "description_ka", "description_en",
               "municipality", "address", "online_url", "capacity", "deadline", "audience")}
    details.apply(event)
    after = {name: getattr(event, name) for name in before}
    if after == before:
        return StaffChange(event, changed=False)
    check_times(event)
    check_lengths(event)
    event.updated_at = utcnow()
    await repo.add(event)
    notices = []
    if any(before[name] != after[name] for name in TOLD_FIELDS):
        notices += details_notices(event, await repo.registrants(event_id), tz)
    if _more_seats(before["capacity"], event.capacity):
        notices += promotion_notices(event, await promote(uow, event))
    told = await queue_notices(uow, notices, origin=f"event.edit:{event_id}")
    return StaffChange(event, changed=True, told=told)


def _more_seats(was: int | None, now: int | None) -> bool:
    return was is not None and (now is None or now > was)
