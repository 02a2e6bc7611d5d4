"""The console's events: the CLI's rules on a form, changes told to registrants once (through
the outbox), the wait list served when seats are added, upcoming and past pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page
from sqlmodel import select

from bot.app import HubApp
from bot.i18n import translations
from bot.services import event_admin
from bot.services.event_form import (
    form_values,
    read_details,
    read_new_event,
    read_times,
)
from bot.services.events import EventCancelled, register
from storage.models import Person, utcnow
from storage.models_events import CONFIRMED, Event, EventRegistration
from storage.models_outbox import OutboxMessage
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork
from tests.console_harness import ConsoleHarness
from tests.telegram_harness import wait_for_text

TZ = ZoneInfo("Asia/Tbilisi")


def _local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def _form(**changes: str) -> dict[str, str]:
    starts = utcnow() + timedelta(days=10)
    return {"kind": "forum", "title_ka": "რეგიონული ფორუმი", "title_en": "Regional forum",
            "starts": _local(starts), "ends": _local(starts + timedelta(hours=3)),
            "place": "Kutaisi, 111 Tsereteli St.", "online_url": "", "capacity": "2",
            "deadline": "", "audience": "anyone", "description_ka": "", "description_en": ""
            } | changes


async def _person(hub: HubApp, user: str, language: str = "en") -> Person:
    async with UnitOfWork(hub.database) as uow:
        person, _conversation, _new = await uow.people.seen(
            channel="telegram", external_id=user, chat_id=user, display_name=f"P{user}",
            language=language)
        await uow.commit()
    return person


async def _event_with(hub: HubApp, *people: Person, capacity: str = "2") -> Event:
    event, errors = read_new_event(_form(capacity=capacity), TZ, utcnow())
    assert event is not None, errors
    async with UnitOfWork(hub.database) as uow:
        await event_admin.add_event(uow, event)
        await uow.commit()
    assert event.id is not None
    for person in people:
        async with UnitOfWork(hub.database) as uow:
            assert person.id is not None
            await register(uow, event_id=event.id, person_id=person.id, organisation_id=None,
                           participants=1)
            await uow.commit()
    return event


async def _outbox(hub: HubApp) -> list[OutboxMessage]:
    async with hub.session_factory() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def test_the_cli_rules_name_each_field() -> None:
    now = utcnow()
    event, errors = read_new_event(_form(), TZ, now)
    assert errors == {} and event is not None
    assert event.municipality == "kutaisi" and event.capacity == 2
    assert event.ends_at == event.starts_at + timedelta(hours=3)
    _event, errors = read_new_event(_form(title_ka="  ", place=" ", capacity="0",
                                          starts=_local(now - timedelta(hours=1))), TZ, now)
    assert set(errors) == {"title_ka", "place", "capacity", "starts"}
    assert errors["starts"].message.startswith("That time has passed")
    starts = now + timedelta(days=2)
    _event, errors = read_new_event(_form(starts=_local(starts), ends=_local(starts),
                                          deadline=_local(starts + timedelta(hours=1)),
                                          online_url="zoom.us/j/1"), TZ, now)
    assert set(errors) == {"ends", "deadline", "online_url"}
    assert errors["deadline"].message == "Registration must close before the event starts."
    _event, errors = read_new_event(_form(starts="next tuesday", title_ka="x" * 201), TZ, now)
    assert set(errors) == {"starts", "title_ka"}
    link, _errors = read_new_event(_form(place="https://zoom.us/j/1"), TZ, now)
    assert link is not None and (link.address, link.online_url) == (None, "https://zoom.us/j/1")


def test_an_edit_may_keep_a_deadline_that_has_passed() -> None:
    now = utcnow()
    event = Event(title_ka="ფორუმი", starts_at=now + timedelta(days=3), address="Kutaisi",
                  deadline=(now - timedelta(days=1)).replace(second=0, microsecond=0))
    values = form_values(event, TZ)
    details, errors = read_details(values, TZ, now, starts=event.starts_at,
                                   deadline_was=event.deadline)
    assert errors == {} and details is not None and details.deadline == event.deadline
    _details, errors = read_details(values | {"deadline": _local(now - timedelta(hours=1))},
                                    TZ, now, starts=event.starts_at, deadline_was=event.deadline)
    assert set(errors) == {"deadline"}
    assert read_times(values, TZ, now)[2] == {}


async def test_moving_twice_to_the_same_time_tells_once(hub: HubApp) -> None:
    first, second = await _person(hub, "8001"), await _person(hub, "8002", "ka")
    event = await _event_with(hub, first, second)
    assert event.id is not None
    later = event.starts_at + timedelta(days=1)
    results = []
    for _ in range(2):
        async with UnitOfWork(hub.database) as uow:
            results.append(await event_admin.move(uow, event.id, later, None, TZ))
            await uow.commit()
    assert [(r.changed, r.told) for r in results if r] == [(True, 2), (False, 0)]
    notices = await _outbox(hub)
    assert sorted(n.chat_id for n in notices) == ["8001", "8002"]
    english = next(n for n in notices if n.chat_id == "8001")
    assert "has a new time" in english.payload["replies"][0]["text"]
    assert english.payload["replies"][0]["document"]["filename"].endswith(".ics")
    assert english.kind == "event_update"
    async with hub.session_factory() as session:
        stored = await session.get(Event, event.id)
    assert stored is not None and stored.ends_at == later + timedelta(hours=3)


async def test_cancel_tells_once_and_a_cancelled_event_is_not_edited(hub: HubApp) -> None:
    person = await _person(hub, "8101")
    event = await _event_with(hub, person)
    assert event.id is not None
    for _ in range(2):
        async with UnitOfWork(hub.database) as uow:
            change = await event_admin.cancel(uow, event.id, TZ)
            await uow.commit()
    assert change is not None and (change.changed, change.told) == (False, 0)
    [notice] = await _outbox(hub)
    assert "has been cancelled" in notice.payload["replies"][0]["text"]
    details, _errors = read_details(_form(), TZ, utcnow(), starts=event.starts_at)
    assert details is not None
    async with UnitOfWork(hub.database) as uow:
        with pytest.raises(EventCancelled):
            await event_admin.edit(uow, event.id, details, TZ)


async def test_edits_tell_what_registrants_read_and_serve_the_wait_list(hub: HubApp) -> None:
    first, second, third = [await _person(hub, f"820{n}") for n in range(3)]
    event = await _event_with(hub, first, second, third, capacity="2")
    assert event.id is not None

    async def edit(**changes: str) -> event_admin.StaffChange:
        details, errors = read_details(_form(**changes), TZ, utcnow(), starts=event.starts_at)
        assert details is not None, errors
        async with UnitOfWork(hub.database) as uow:
            change = await event_admin.edit(uow, event.id, details, TZ)  # type: ignore[arg-type]
            await uow.commit()
        assert change is not None
        return change

    # a new description: nobody is told
    assert (await edit(description_ka="ახალი აღწერა")).told == 0
    # the same again: nothing changed
    assert (await edit(description_ka="ახალი აღწერა")).changed is False
    # a new place: everyone registered (the wait list too, as for a move) is told, once
    moved = await edit(description_ka="ახალი აღწერა", place="Zestafoni, 1 Main St.")
    assert moved.told == 3
    # a third seat: the wait-listed person gets it and is told
    assert (await edit(description_ka="ახალი აღწერა", place="Zestafoni, 1 Main St.",
                       capacity="3")).told == 1
    notices = await _outbox(hub)
    assert [n.chat_id for n in notices] == ["8200", "8201", "8202", "8202"]
    assert "the details have changed" in notices[0].payload["replies"][0]["text"]
    assert "Zestafoni, 1 Main St." in notices[0].payload["replies"][0]["text"]
    assert "seats freed up" in notices[3].payload["replies"][0]["text"]
    async with hub.session_factory() as session:
        statuses = (await session.exec(select(EventRegistration.status))).all()
    assert list(statuses) == [CONFIRMED] * 3


async def test_upcoming_and_past_pages(hub: HubApp) -> None:
    now = datetime.now(UTC)
    async with hub.session_factory() as session:
        session.add_all([Event(title_ka=f"E{n}", starts_at=now + timedelta(days=n))
                         for n in (-3, -1, 1, 2, 5)])
        await session.commit()
    person, other = await _person(hub, "8301"), await _person(hub, "8302")
    async with UnitOfWork(hub.database) as uow:
        repo = uow.repo(EventCalendarRepo)
        upcoming, total = await repo.staff_page(now, upcoming=True, limit=2)
        assert total == 3 and [e.title_ka for e in upcoming] == ["E1", "E2"]
        past, total = await repo.staff_page(now, upcoming=False)
        assert total == 2 and [e.title_ka for e in past] == ["E-1", "E-3"]
        event = upcoming[0]
        assert event.id is not None and person.id is not None
        event.capacity = 1
        await register(uow, event_id=event.id, person_id=person.id, organisation_id=None,
                       participants=1)
        assert other.id is not None
        await register(uow, event_id=event.id, person_id=other.id, organisation_id=None,
                       participants=1)
        assert await repo.waiting_by_event([event.id]) == {event.id: 1}


# --- in a real browser, against the running bot and the stand-in Bot API ---------------------

PERSON = 7401


async def _create_in_browser(console: ConsoleHarness, page: Page, title: str,
                             starts: datetime) -> int:
    await page.get_by_role("link", name=console.ka("Events")).click()
    await page.get_by_role("link", name=console.ka("New event")).click()
    await page.get_by_label(console.ka("Title (Georgian)")).fill(title)
    await page.get_by_label(console.ka("Starts")).fill(_local(starts))
    await page.get_by_label(console.ka("Place")).fill("Kutaisi, 111 Tsereteli St.")
    await page.get_by_label(console.ka("Seats (empty: no limit)")).fill("20")
    await page.get_by_role("button", name=console.ka("Create event")).click()
    await page.get_by_role("status").filter(has_text=console.ka(
        "The event is created. People see it in /events.")).wait_for()
    found = re.search(r"/console/events/(\d+)$", page.url)
    assert found, page.url
    return int(found.group(1))


async def _new_time_notices(console: ConsoleHarness) -> list[OutboxMessage]:
    async with console.hub.session_factory() as session:
        return list((await session.exec(select(OutboxMessage).where(
            OutboxMessage.chat_id == str(PERSON), OutboxMessage.kind == "event_update"))).all())


async def test_create_register_in_the_chat_and_move_tells_once(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    starts = (utcnow() + timedelta(days=12)).replace(minute=0, second=0, microsecond=0)
    number = await _create_in_browser(console, page, "რეგიონული ფორუმი", starts)

    # a person finds it in /events and registers in the chat
    [listing] = await console.person.send(PERSON, "/events")
    assert "რეგიონული ფორუმი" in listing["text"]
    [ask_count] = await console.person.press(PERSON, f"ev:r:{number}",
                                             message_id=listing["message_id"])
    [ask_names] = await console.person.press_label(PERSON, ask_count, "1")
    await console.person.press_label(PERSON, ask_names, "Skip", expect=2)
    await page.reload()
    await page.get_by_role("cell", name="Test", exact=True).wait_for()  # the attendee

    later = starts + timedelta(days=1, hours=2)
    for _ in range(2):  # the same move twice: the second changes nothing
        await page.get_by_role("link", name=console.ka("Move to another time")).click()
        await page.get_by_label(console.ka("New start")).fill(_local(later))
        await page.get_by_role("button", name=console.ka("Move the event")).click()
        await page.get_by_role("status").wait_for()
    await page.get_by_role("status").filter(has_text=console.ka(
        "Nothing was changed; nobody was told.")).wait_for()
    told = await wait_for_text(console.api, PERSON, "has a new time", timeout=10)
    assert "რეგიონული ფორუმი" in (told.get("text") or told.get("caption") or "")
    assert len(await _new_time_notices(console)) == 1  # told once, not twice
    moved = [m for m in console.api.sent_messages(PERSON)
             if "has a new time" in (m.get("text") or m.get("caption") or "")]
    assert len(moved) == 1
    await page.get_by_role("link", name=console.ka("Audit log")).click()
    await page.get_by_role("row").filter(has_text="event.move").filter(
        has_text=f"event {number}").wait_for()
    assert await page.get_by_role("row").filter(has_text="event.move").count() == 1


async def test_a_blank_title_is_refused_beside_the_field(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    await page.goto("/console/events/new")
    await page.get_by_label(console.ka("Place")).fill("Kutaisi, 111 Tsereteli St.")
    await page.get_by_label(console.ka("Starts")).fill(
        _local(utcnow() - timedelta(days=1)))
    await page.get_by_label(console.ka("Seats (empty: no limit)")).fill("0")
    await page.get_by_role("button", name=console.ka("Create event")).click()
    title = page.get_by_label(console.ka("Title (Georgian)"))
    await page.get_by_text(console.ka("Please write a title.")).wait_for()
    assert await title.get_attribute("aria-invalid") == "true"
    await page.get_by_text(console.ka("That time has passed. Please give a future date and "
                                      "time.")).wait_for()
    assert await page.get_by_label(console.ka("Place")).input_value() == (
        "Kutaisi, 111 Tsereteli St.")  # what was typed is kept
    async with console.hub.session_factory() as session:
        assert (await session.exec(select(Event))).all() == []


async def test_cancel_and_the_attendee_list_with_the_wait_list(console: ConsoleHarness) -> None:
    first, second = await _person(console.hub, "7411"), await _person(console.hub, "7412")
    event = await _event_with(console.hub, first, second, capacity="1")
    page = await console.sign_in(name="Nino")
    await page.goto(f"/console/events/{event.id}")
    await page.get_by_role("heading", name="რეგიონული ფორუმი").wait_for()
    waiting = page.get_by_role("table", name=console.ka("Wait list"))
    await waiting.get_by_role("cell", name="P7412").wait_for()
    attendees = await page.request.get(f"/console/events/{event.id}/attendees.csv")
    assert attendees.headers["content-type"] == "text/csv; charset=utf-8"
    assert attendees.headers["content-disposition"].startswith(
        f'attachment; filename="attendees-{event.id}.csv"')
    header, confirmed, waitlisted = (await attendees.body()).decode("utf-8-sig").splitlines()
    assert header.startswith("registration_id,status,waitlist_position")
    assert confirmed.split(",")[1:3] == ["confirmed", ""]
    assert waitlisted.split(",")[1:3] == ["waitlisted", "1"]

    await page.get_by_role("link", name=console.ka("Cancel the event")).click()
    await page.get_by_text(translations("ka").ngettext(
        "{count} person registered will be told.", "{count} people registered will be told.",
        2).format(count=2)).wait_for()
    await page.get_by_role("button", name=console.ka("Cancel the event")).click()
    await page.get_by_role("status").filter(has_text=console.ka(
        "The event is cancelled. Registrants are being told.")).wait_for()
    await page.get_by_text(console.ka("This event is cancelled.")).wait_for()
    for user in (7411, 7412):
        await wait_for_text(console.api, user, "has been cancelled", timeout=10)
