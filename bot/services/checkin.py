"""Check-in rules: the poster's link counts a person present, on the event's day only, once.

A registered person is checked in against their confirmed registration; someone without one
may be recorded as a walk-in with the organisation they name. Staff may tick or untick anyone
registered from the console. The clock is injectable (`clock`), so tests move the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.settings import Settings
from storage.models import Person, utcnow
from storage.models_attendance import VIA_LINK, VIA_STAFF
from storage.models_events import Event
from storage.repos.attendance import AttendanceRepo
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork

CODE_PREFIX = "checkin_"  # /start checkin_CODE, ?ref=checkin_CODE

# Outcomes of a check-in attempt.
CHECKED_IN, ALREADY, TOO_EARLY, TOO_LATE, CANCELLED, UNKNOWN, NOT_REGISTERED = (
    "checked_in", "already", "too_early", "too_late", "cancelled", "unknown", "not_registered")


@dataclass(frozen=True)
class CheckInResult:
    """What happened, and the event it was about (None for an unknown code)."""

    outcome: str
    event: Event | None = None


def event_days(event: Event, settings: Settings) -> tuple[date, date]:
    """The first and last local day of the event (hub TIMEZONE)."""
    first = event.starts_at.astimezone(settings.tz).date()
    last = (event.ends_at or event.starts_at).astimezone(settings.tz).date()
    return first, max(first, last)


@dataclass
class CheckIn:
    """Check-in through the poster's link, walk-ins, and staff ticks."""

    settings: Settings
    clock: Callable[[], datetime] = field(default=utcnow)

    def _when(self, event: Event) -> str | None:
        """None on the event's day(s); otherwise too early or too late."""
        today = self.clock().astimezone(self.settings.tz).date()
        first, last = event_days(event, self.settings)
        if today < first:
            return TOO_EARLY
        if today > last:
            return TOO_LATE
        return None

    async def by_link(self, uow: UnitOfWork, person: Person, code: str) -> CheckInResult:
        """The person followed the poster's link carrying `code`."""
        assert person.id is not None
        repo = uow.repo(AttendanceRepo)
        event = await repo.event_by_code(code.strip().upper()) if code.strip() else None
        if event is None or event.id is None:
            return CheckInResult(UNKNOWN)
        if event.cancelled_at is not None:
            return CheckInResult(CANCELLED, event)
        if await repo.get(event.id, person.id) is not None:
            return CheckInResult(ALREADY, event)
        too = self._when(event)
        if too is not None:
            return CheckInResult(too, event)
        registration = await repo.active_registration(event.id, person.id)
        if registration is None:
            return CheckInResult(NOT_REGISTERED, event)
        added = await repo.add(event_id=event.id, person_id=person.id,
                               registration_id=registration.id, via=VIA_LINK,
                               checked_in_at=self.clock())
        return CheckInResult(CHECKED_IN if added else ALREADY, event)

    async def walk_in(self, uow: UnitOfWork, person: Person, event_id: int,
                      organisation: str | None) -> CheckInResult:
        """Record a person without a registration who came anyway (same day rules)."""
        assert person.id is not None
        event = await uow.repo(EventCalendarRepo).get(event_id)
        if event is None or event.id is None:
            return CheckInResult(UNKNOWN)
        if event.cancelled_at is not None:
            return CheckInResult(CANCELLED, event)
        too = self._when(event)
        if too is not None:
            return CheckInResult(too, event)
        repo = uow.repo(AttendanceRepo)
        registration = await repo.active_registration(event.id, person.id)
        added = await repo.add(event_id=event.id, person_id=person.id,
                               registration_id=registration.id if registration else None,
                               walk_in=registration is None, organisation_name=organisation,
                               via=VIA_LINK, checked_in_at=self.clock())
        return CheckInResult(CHECKED_IN if added else ALREADY, event)

    async def tick(self, uow: UnitOfWork, event_id: int, registration_id: int, present: bool,
                   staff_name: str) -> bool | None:
        """Staff mark a registered person present or not; None when the registration is not
        the event's, else whether anything changed (ticking twice changes nothing)."""
        registration = await uow.repo(EventCalendarRepo).registration(registration_id)
        if registration is None or registration.event_id != event_id:
            return None
        repo = uow.repo(AttendanceRepo)
        if not present:
            return await repo.remove(event_id, registration.person_id)
        return await repo.add(event_id=event_id, person_id=registration.person_id,
                              registration_id=registration.id, via=VIA_STAFF,
                              staff_name=staff_name[:100], checked_in_at=self.clock())
