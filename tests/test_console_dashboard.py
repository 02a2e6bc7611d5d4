"""The console's dashboard: its figures (counted in SQL, on both databases) and its page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Locator, Page, expect

from bot.app import HubApp
from bot.services.dashboard import dashboard, week_bounds, week_start
from bot.services.example_content import Added, add_examples
from storage.models import FaqQuestion, Person, utcnow
from storage.models_events import (
    CANCELLED,
    CONFIRMED,
    WAITLISTED,
    Event,
    EventRegistration,
)
from storage.models_hotline import Ticket
from storage.uow import UnitOfWork
from tests.console_harness import ConsoleHarness

TBILISI = ZoneInfo("Asia/Tbilisi")
# Wednesday noon in Kutaisi; the week began on Monday 30 November at 00:00 (+04:00).
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=TBILISI).astimezone(UTC)
MONDAY = datetime(2026, 11, 30, 0, 0, tzinfo=TBILISI)


def _ticket(created: datetime, *, replied_after: timedelta | None = None,
            status: str = "open") -> Ticket:
    return Ticket(channel="telegram", language="ka", topic="legal", municipality="kutaisi",
                  question="?", status=status, created_at=created,
                  first_staff_reply_at=created + replied_after if replied_after else None)


async def _seed(hub: HubApp) -> None:
    """A week of work with rows on both sides of every boundary the dashboard draws."""
    async with UnitOfWork(hub.database) as uow:
        person = Person(channel="telegram", external_id="1", chat_id="1")
        other = Person(channel="telegram", external_id="2", chat_id="2")
        uow.session.add_all([person, other])
        await uow.flush()
        assert person.id is not None and other.id is not None
        uow.session.add_all([
            # this week: four answered (10 min, 20 min, 40 min, 5 h: median 30 min), one not
            _ticket(MONDAY + timedelta(hours=9), replied_after=timedelta(minutes=10)),
            _ticket(MONDAY + timedelta(hours=10), replied_after=timedelta(minutes=20),
                    status="closed"),
            _ticket(MONDAY + timedelta(days=1), replied_after=timedelta(minutes=40),
                    status="closed"),
            _ticket(MONDAY + timedelta(days=1, hours=2), replied_after=timedelta(hours=5)),
            _ticket(NOW - timedelta(minutes=5)),
            # last week, a minute before Monday (local): open, the oldest; its fast reply is
            # not this week's
            _ticket(MONDAY - timedelta(minutes=1), replied_after=timedelta(minutes=1)),
            # three weeks ago, closed
            _ticket(MONDAY - timedelta(weeks=2, days=3), status="closed"),
        ])
        forum = Event(title_ka="ფორუმი", title_en="Forum", starts_at=NOW + timedelta(days=2),
                      capacity=10)
        online = Event(title_ka="ონლაინ", starts_at=NOW + timedelta(days=9))
        past = Event(title_ka="წარსული", starts_at=NOW - timedelta(days=1), capacity=5)
        cancelled = Event(title_ka="გაუქმებული", starts_at=NOW + timedelta(days=3),
                          cancelled_at=NOW - timedelta(days=1))
        uow.session.add_all([forum, online, past, cancelled])
        await uow.flush()
        assert forum.id is not None and past.id is not None and online.id is not None
        uow.session.add_all([
            EventRegistration(event_id=forum.id, person_id=person.id, participants=3,
                              status=CONFIRMED, created_at=MONDAY + timedelta(hours=1)),
            EventRegistration(event_id=forum.id, person_id=other.id, participants=2,
                              status=WAITLISTED, position=1, created_at=NOW - timedelta(hours=1)),
            EventRegistration(event_id=online.id, person_id=person.id, participants=1,
                              status=CANCELLED, created_at=NOW - timedelta(hours=2)),
            EventRegistration(event_id=past.id, person_id=other.id, participants=4,
                              status=CONFIRMED, created_at=MONDAY - timedelta(days=2)),
        ])
        uow.session.add_all([
            FaqQuestion(person_id=person.id, language="ka", query="a", answer_id=None,
                        created_at=NOW - timedelta(hours=1)),
            FaqQuestion(person_id=person.id, language="ka", query="b", answer_id=None,
                        created_at=MONDAY + timedelta(minutes=1)),
            FaqQuestion(person_id=person.id, language="ka", query="c", answer_id="office",
                        created_at=NOW - timedelta(hours=1)),
            FaqQuestion(person_id=person.id, language="ka", query="d", answer_id=None,
                        created_at=MONDAY - timedelta(minutes=1)),
        ])
        await uow.commit()


def test_weeks_start_on_monday_midnight_in_the_hubs_zone() -> None:
    assert week_start(NOW, TBILISI) == MONDAY
    # Sunday 23:30 in Kutaisi is still last week, though it is Sunday 19:30 in UTC
    assert week_start(MONDAY - timedelta(minutes=30), TBILISI) == MONDAY - timedelta(weeks=1)
    bounds = week_bounds(NOW, TBILISI)
    assert len(bounds) == 13
    assert bounds[-2] == MONDAY and bounds[-1] == MONDAY + timedelta(weeks=1)
    assert bounds[0] == MONDAY - timedelta(weeks=11)


async def test_the_figures_of_the_week(hub: HubApp) -> None:
    await _seed(hub)
    async with hub.session_factory() as session:
        board = await dashboard(session, TBILISI, now=NOW)
    assert board.new_tickets == 5
    assert board.open_tickets == 4
    assert board.oldest_open_age == NOW - (MONDAY - timedelta(minutes=1))
    assert board.median_first_reply == timedelta(minutes=30)
    assert (board.registrations, board.participants) == (2, 5)  # the cancelled one is not
    assert board.unanswered_questions == 2
    assert board.upcoming_total == 2
    assert [(e.title("en"), e.title("ka"), e.seats_left) for e in board.upcoming] == [
        ("Forum", "ფორუმი", 7), ("ონლაინ", "ონლაინ", None)]
    assert [w.tickets for w in board.weeks] == [0] * 8 + [1, 0, 1, 5]
    assert board.weeks[-1].monday == MONDAY.date()


async def test_an_odd_number_of_replies_has_the_middle_one_as_median(hub: HubApp) -> None:
    async with UnitOfWork(hub.database) as uow:
        uow.session.add_all([_ticket(MONDAY + timedelta(hours=h), replied_after=timedelta(
            minutes=m)) for h, m in ((1, 5), (2, 90), (3, 15))])
        await uow.commit()
    async with hub.session_factory() as session:
        board = await dashboard(session, TBILISI, now=NOW)
    assert board.median_first_reply == timedelta(minutes=15)


async def test_an_empty_hub_has_zeros_and_no_ages(hub: HubApp) -> None:
    async with hub.session_factory() as session:
        board = await dashboard(session, TBILISI, now=NOW)
    assert (board.new_tickets, board.open_tickets, board.registrations,
            board.unanswered_questions, board.upcoming_total) == (0, 0, 0, 0, 0)
    assert board.oldest_open_age is None and board.median_first_reply is None
    assert [w.tickets for w in board.weeks] == [0] * 12


def _figure(page: Page, name: str) -> Locator:
    """The value of one figure card, found by the card's accessible name."""
    return page.get_by_role("group", name=name).locator(".figure-value")


async def test_the_dashboard_shows_the_example_figures_and_a_described_chart(
        console: ConsoleHarness) -> None:
    hub, ka = console.hub, console.ka
    async with UnitOfWork(hub.database) as uow:  # what a fresh clone's first start adds
        assert await add_examples(uow, hub.settings.tz) is Added.ADDED
        await uow.commit()
    now = utcnow()
    monday = week_start(now, hub.settings.tz)
    # the example ticket was opened 2 h ago, the registration made 1 h ago: this week's, unless
    # the test runs in the first hours of a Monday
    new = 1 if now - timedelta(hours=2) >= monday else 0
    registered = 1 if now - timedelta(hours=1) >= monday else 0

    page = await console.sign_in(name="Nino")
    await expect(page.get_by_role("heading", name=ka("Dashboard"), level=1)).to_be_visible()
    await expect(page.get_by_role("note")).to_contain_text("hubbot db remove-examples")
    await expect(_figure(page, ka("New tickets"))).to_have_text(str(new))
    await expect(_figure(page, ka("Open tickets"))).to_have_text("1")
    waits = re.escape(ka("the oldest waits {age}").format(
        age=ka("{hours} h {minutes} min").format(hours=2, minutes="MINUTES"))).replace(
        "MINUTES", r"\d+")
    await expect(page.get_by_role("group", name=ka("Open tickets"))).to_contain_text(
        re.compile(waits))
    await expect(_figure(page, ka("Median time to the first staff reply"))).to_have_text(
        ka("{minutes} min").format(minutes=30) if new else "—")
    await expect(_figure(page, ka("Event registrations"))).to_have_text(str(registered))
    await expect(_figure(page, ka("Unanswered FAQ questions"))).to_have_text("0")

    events = page.get_by_role("table").filter(has_text=ka("Seats left"))
    await expect(events.get_by_role("row")).to_have_count(4)  # the heading and three events
    forum = events.get_by_role("row").filter(has_text="მაგალითი — სამოქალაქო ფორუმი")
    await expect(forum).to_contain_text(ka("{left} of {capacity}").format(left=38, capacity=40))
    online = events.get_by_role("row").filter(has_text="მაგალითი — ონლაინ შეხვედრა")
    await expect(online).to_contain_text(ka("no limit"))

    chart = page.get_by_role("img", name=ka("Tickets per week, last 12 weeks"))
    await expect(chart).to_be_visible()
    await expect(chart).to_have_accessible_description(
        re.compile(re.escape(ka("This week so far: {count}.").format(count=new))))
    await page.get_by_text(ka("The figures as a table")).click()
    weeks = page.get_by_role("table", name=ka("Tickets per week, last 12 weeks"))
    await expect(weeks.get_by_role("row")).to_have_count(13)  # the heading and 12 weeks
    await expect(weeks.get_by_role("row").last).to_contain_text(str(new))

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("img", name="Tickets per week, last 12 weeks")).to_be_visible()
    await expect(page.get_by_role("link", name="Example — Civic forum: the local budget")
                 ).to_be_visible()
    await expect(page.get_by_role("note")).to_contain_text("Example —")
