"""The staff console's dashboard: this week's figures and tickets per week, counted in SQL.

A week starts on Monday at 00:00 in the hub's time zone (TIMEZONE); "this week" runs from then
to now. Every figure is one indexed query (storage/repos/dashboard.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import utcnow
from storage.repos.dashboard import DashboardRepo, UpcomingEvent

WEEKS_SHOWN = 12
UPCOMING_SHOWN = 5


@dataclass(frozen=True)
class EventAhead:
    """An upcoming event and its free seats (None: no limit)."""

    event: UpcomingEvent
    seats_left: int | None

    def title(self, language: str) -> str:
        """The title in `language` (Georgian when there is no English one)."""
        return (self.event.title_en or self.event.title_ka) if language == "en" \
            else self.event.title_ka


@dataclass(frozen=True)
class WeekCount:
    """Tickets opened in the week starting on `monday` (a local date)."""

    monday: date
    tickets: int


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows."""

    now: datetime
    week_start: datetime  # this week's Monday 00:00, local
    new_tickets: int
    open_tickets: int
    oldest_open_age: timedelta | None
    median_first_reply: timedelta | None  # of tickets opened this week
    registrations: int
    participants: int
    upcoming: list[EventAhead]
    upcoming_total: int
    unanswered_questions: int
    weeks: list[WeekCount]  # oldest first; the last is this week (so far)


def week_start(moment: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 (local) of the week holding `moment`."""
    local = moment.astimezone(tz).date()
    return datetime.combine(local - timedelta(days=local.weekday()), time(0), tzinfo=tz)


def week_bounds(now: datetime, tz: ZoneInfo, weeks: int = WEEKS_SHOWN) -> list[datetime]:
    """The Mondays (local midnights) starting the last `weeks` weeks, then the next Monday."""
    monday = week_start(now, tz).date()
    return [datetime.combine(monday - timedelta(weeks=weeks - 1 - i), time(0), tzinfo=tz)
            for i in range(weeks + 1)]


def seats_left(capacity: int | None, taken: int) -> int | None:
    """Free seats (None: no limit); the same rule as the events service's `free_seats`."""
    return None if capacity is None else max(0, capacity - taken)


async def dashboard(session: AsyncSession, tz: ZoneInfo, now: datetime | None = None
                    ) -> Dashboard:
    """Every figure of the dashboard, read on a plain session (only reads: no unit of work,
    so on SQLite no writer waits for the page)."""
    now = now or utcnow()
    repo = DashboardRepo(session)
    since = week_start(now, tz)
    open_now = await repo.open_tickets()
    median = await repo.median_first_reply_seconds(since)
    registrations, participants = await repo.registrations_since(since)
    upcoming, upcoming_total = await repo.upcoming_events(now, UPCOMING_SHOWN)
    bounds = week_bounds(now, tz)
    per_week = await repo.tickets_per_span(bounds)
    return Dashboard(
        now=now, week_start=since,
        new_tickets=await repo.tickets_opened(since),
        open_tickets=open_now.count,
        oldest_open_age=(now - open_now.oldest_created_at)
        if open_now.oldest_created_at is not None else None,
        median_first_reply=timedelta(seconds=median) if median is not None else None,
        registrations=registrations, participants=participants,
        upcoming=[EventAhead(e, seats_left(e.capacity, e.taken)) for e in upcoming],
        upcoming_total=upcoming_total,
        unanswered_questions=await repo.unanswered_questions(since),
        weeks=[WeekCount(start.date(), count) for start, count in zip(bounds, per_week,
                                                                      strict=False)],
    )
