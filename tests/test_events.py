"""Events end to end: the CLI creates them, people register through the stand-in Bot API,
seats and the wait list, cancelling and promotion, the .ics file, and staff changes told."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlmodel import select

from bot.app import HubApp
from storage.models_events import CONFIRMED, WAITLISTED, Event, EventRegistration
from tests.telegram_harness import TelegramHarness, buttons
from tests.test_orgs_export import _add, _organisation, hubbot

FIRST, SECOND, THIRD = 6101, 6102, 6103


def _event(**fields: object) -> Event:
    values: dict[str, object] = {"kind": "forum", "title_ka": "რეგიონული ფორუმი",
                                 "title_en": "Regional forum",
                                 "starts_at": datetime.now(UTC) + timedelta(days=10),
                                 "address": "Kutaisi, 111 Tsereteli St."}
    return Event(**(values | fields))  # type: ignore[arg-type]


async def _stored_event(hub: HubApp, **fields: object) -> int:
    event = _event(**fields)
    await _add(hub, event)  # type: ignore[arg-type]
    assert event.id is not None
    return event.id


async def _register(telegram: TelegramHarness, user: int, event_id: int, *,
                    participants: int = 1, names: str | None = None,
                    expect: int = 2) -> list[dict]:
    """Press Register, choose the number of participants, skip or send names; the replies
    (a confirmation comes with its .ics file: 2 messages; a wait-list place: 1)."""
    ask_count = await _press_register(telegram, user, event_id)
    assert "How many participants" in ask_count["text"], ask_count["text"]
    [ask_names] = await telegram.press_label(user, ask_count, str(participants))
    if names is None:
        return await telegram.press_label(user, ask_names, "Skip", expect=expect)
    return await telegram.send(user, names, expect=expect)


async def _press_register(telegram: TelegramHarness, user: int, event_id: int) -> dict:
    """Press an event's Register button; the bot's one answer."""
    [answer] = await telegram.press(user, f"ev:r:{event_id}", message_id=1)
    return answer


async def _registrations(hub: HubApp) -> list[EventRegistration]:
    async with hub.session_factory() as session:
        return list((await session.exec(
            select(EventRegistration).order_by(EventRegistration.id))).all())


def _ics(telegram: TelegramHarness, chat_id: int) -> Calendar:
    call = [c for c in telegram.api.calls_to("sendDocument") if c.params["chat_id"] == chat_id][-1]
    return Calendar.from_ical(next(iter(call.files.values())))


async def test_capacity_one_first_confirmed_second_waitlisted_then_promoted(
        telegram: TelegramHarness, tmp_path: Path) -> None:
    code, out, err = await hubbot(
        ["events", "add", "--title", "რეგიონული ფორუმი", "--title-en", "Regional forum",
         "--starts", "2031-05-20T10:00", "--ends", "2031-05-20T14:00",
         "--place", "Kutaisi, 111 Tsereteli St.", "--capacity", "1", "--kind", "forum"],
        telegram.settings.database_url, tmp_path)
    assert code == 0, err
    event_id = int(out.strip())

    [listing] = await telegram.send(FIRST, "/events")
    assert "Regional forum" in listing["text"] and "Seats left: 1" in listing["text"]
    assert "10:00 – 14:00" in listing["text"]  # Asia/Tbilisi, as typed
    [ask_count] = await telegram.press_label(FIRST, listing, "📝 Regional forum")
    [ask_names] = await telegram.press_label(FIRST, ask_count, "1")
    confirmed, document = await telegram.press_label(FIRST, ask_names, "Skip", expect=2)
    assert "You are registered for Regional forum" in confirmed["text"]
    assert document["document"]["file_name"] == f"event-{event_id}.ics"
    [entry] = _ics(telegram, FIRST).walk("VEVENT")
    assert str(entry["summary"]) == "Regional forum"
    assert entry.decoded("dtstart") == datetime(2031, 5, 20, 6, 0, tzinfo=UTC)

    [full] = await telegram.send(SECOND, "/events")
    assert "All seats are taken" in full["text"]
    [waiting] = await _register(telegram, SECOND, event_id, expect=1)
    assert "wait list, number 1" in waiting["text"]

    [mine] = await telegram.send(FIRST, "/myevents")
    assert "✅ Registered: 1 participant(s)" in mine["text"]
    [sure] = await telegram.press_label(FIRST, mine, "✖️ Cancel")
    before = len(telegram.api.sent_messages(SECOND))
    [cancelled] = await telegram.press_label(FIRST, sure, "Yes, cancel it")
    assert "is cancelled" in cancelled["text"]
    told, told_ics = (await telegram.api.wait_for_messages(SECOND, before + 2))[before:]
    assert "now confirmed" in told["text"]
    assert told_ics["document"]["file_name"].endswith(".ics")
    assert telegram.hub is not None
    statuses = [r.status for r in await _registrations(telegram.hub)]
    assert statuses == ["cancelled", CONFIRMED]

    code, out, err = await hubbot(["events", "attendees", str(event_id), "--format", "csv"],
                                  telegram.settings.database_url, tmp_path)
    assert code == 0, err
    header, row = out.splitlines()
    assert header.startswith("registration_id,status") and ",confirmed," in row


async def test_seats_count_participants_and_the_wait_list_is_served_in_turn(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    event_id = await _stored_event(telegram.hub, capacity=3)
    [first, _ics_file] = await _register(telegram, FIRST, event_id, participants=2,
                                         names="Nino Beridze\nGiorgi Kapanadze")
    assert "2 participant(s)" in first["text"]
    [second] = await _register(telegram, SECOND, event_id, participants=2, expect=1)
    assert "wait list, number 1" in second["text"]
    [third, _ics_file] = await _register(telegram, THIRD, event_id, participants=1)
    assert "You are registered" in third["text"]  # one seat was left: it fits
    [mine] = await telegram.send(FIRST, "/myevents")
    [sure] = await telegram.press_label(FIRST, mine, "✖️ Cancel")
    before = len(telegram.api.sent_messages(SECOND))
    await telegram.press_label(FIRST, sure, "Yes, cancel it")
    [told, _ics_file] = (await telegram.api.wait_for_messages(SECOND, before + 2))[before:]
    assert "2 participant(s)" in told["text"]
    rows = await _registrations(telegram.hub)
    assert [(r.status, r.participants) for r in rows] == [
        ("cancelled", 2), (CONFIRMED, 2), (CONFIRMED, 1)]
    assert rows[0].names == ["Nino Beridze", "Giorgi Kapanadze"]


async def test_too_many_names_are_reasked_and_a_restart_keeps_the_step(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    event_id = await _stored_event(telegram.hub)
    ask_count = await _press_register(telegram, FIRST, event_id)
    await telegram.press_label(FIRST, ask_count, "2")
    await telegram.restart()
    [reask] = await telegram.send(FIRST, "Nino, Giorgi, Ana")
    assert "2 participants but sent 3 names" in reask["text"]
    confirmed, _document = await telegram.send(FIRST, "Nino\nGiorgi", expect=2)
    assert "You are registered" in confirmed["text"]
    again = await _press_register(telegram, FIRST, event_id)
    assert "already registered" in again["text"]


async def test_cancelled_past_closed_and_full_events_get_a_clear_answer(
        telegram: TelegramHarness) -> None:
    hub = telegram.hub
    assert hub is not None
    now = datetime.now(UTC)
    cancelled = await _stored_event(hub, cancelled_at=now)
    past = await _stored_event(hub, starts_at=now - timedelta(hours=1))
    closed = await _stored_event(hub, deadline=now - timedelta(minutes=1))
    for event_id, expected in ((cancelled, "was cancelled"), (past, "already started"),
                               (closed, "has closed"), (999999, "no longer exists")):
        reply = await _press_register(telegram, FIRST, event_id)
        assert expected in reply["text"]
    full = await _stored_event(hub, capacity=1)
    await _register(telegram, SECOND, full)
    warning = await _press_register(telegram, FIRST, full)
    assert "All seats are taken" in warning["text"]
    [stale] = await telegram.press(FIRST, f"ev:n:{full + 1}:2", message_id=1)
    assert "no longer active" in stale["text"]


async def test_events_for_organisations_offer_the_persons_organisation(
        telegram: TelegramHarness) -> None:
    hub = telegram.hub
    assert hub is not None
    event_id = await _stored_event(hub, audience="organisations")
    refused = await _press_register(telegram, FIRST, event_id)
    assert "for organisations" in refused["text"]
    assert "🏢 Register an organisation" in buttons(refused)
    await telegram.send(SECOND, "/start", expect=2)  # the person row exists
    async with hub.session_factory() as session:
        from storage.models import Person
        person = (await session.exec(select(Person).where(Person.external_id == str(SECOND)))
                  ).one()
    organisation = _organisation("ქუთაისის ახალგაზრდული ცენტრი", "kutaisi", code="204567891",
                                 status="pending")
    organisation.person_id = person.id
    await _add(hub, organisation)
    ask_org = await _press_register(telegram, SECOND, event_id)
    # Only the organisation (no "as an individual"), then the form's Cancel.
    assert list(buttons(ask_org))[:2] == ["🏢 ქუთაისის ახალგაზრდული ცენტრი", "✖️ Cancel"]
    [ask_count] = await telegram.press_label(SECOND, ask_org, "🏢")
    [ask_names] = await telegram.press_label(SECOND, ask_count, "3")
    await telegram.press_label(SECOND, ask_names, "Skip", expect=2)
    [row] = await _registrations(hub)
    assert (row.organisation_id, row.participants) == (organisation.id, 3)

    anyone = await _stored_event(hub)
    ask_org = await _press_register(telegram, SECOND, anyone)
    assert "🙋 As an individual" in buttons(ask_org)


async def test_cli_cancel_and_move_tell_the_registrants(telegram: TelegramHarness,
                                                       tmp_path: Path) -> None:
    hub = telegram.hub
    assert hub is not None
    event_id = await _stored_event(hub, capacity=1)
    await _register(telegram, FIRST, event_id)
    await _register(telegram, SECOND, event_id, expect=1)  # wait-listed: told as well
    url = telegram.settings.database_url
    token = {"TELEGRAM_BOT_TOKEN": telegram.api.token,
             "TELEGRAM_API_BASE_URL": telegram.api.base_url}
    before = {user: len(telegram.api.sent_messages(user)) for user in (FIRST, SECOND)}
    code, out, err = await hubbot(["events", "move", str(event_id), "--starts",
                                   "2031-06-01T12:30"], url, tmp_path, **token)
    assert code == 0, err
    assert "registrants told: 2 of 2" in out
    for user in (FIRST, SECOND):
        moved, _document = (await telegram.api.wait_for_messages(user, before[user] + 2)
                            )[before[user]:]
        assert "new time" in moved["text"] and "12:30" in moved["text"]
    before = {user: len(telegram.api.sent_messages(user)) for user in (FIRST, SECOND)}
    code, out, err = await hubbot(["events", "cancel", str(event_id)], url, tmp_path)
    assert code == 0, err
    # No token here: what this command cannot send waits in the outbox, and the running bot
    # sends it (it may already have sent some while the command was looking).
    told = int(re.search(r"registrants told: (\d) of 2", out).group(1))  # type: ignore[union-attr]
    assert told == 2 or f"{2 - told} not told yet" in out
    for user in (FIRST, SECOND):
        cancelled, _document = (await telegram.api.wait_for_messages(user, before[user] + 2)
                                )[before[user]:]
        assert "cancelled" in cancelled["text"]
    code, out, err = await hubbot(["events", "list", "--all"], url, tmp_path)
    assert "cancelled" in out
    code, out, err = await hubbot(["events", "cancel", "424242"], url, tmp_path)
    assert code == 1 and "no event with id 424242" in err


async def test_two_people_taking_the_last_seat_at_once_exactly_one_gets_it(hub: HubApp) -> None:
    import asyncio

    from bot.core.messages import Incoming

    async def press(user: str, payload: str) -> str:
        replies = await hub.core.handle(Incoming(channel="console", user_id=user, chat_id=user,
                                                 language_hint="en", payload=payload))
        return replies[-1].text

    for round_number in range(4):
        event_id = await _stored_event(hub, capacity=1)
        people = [f"r{round_number}-a", f"r{round_number}-b"]
        for person in people:
            await press(person, f"ev:r:{event_id}")
            await press(person, f"er:v:participants:{event_id}.1")
        answers = await asyncio.gather(*(press(p, "er:s:names") for p in people))
        assert sum("You are registered" in a for a in answers) == 1, answers
        assert sum("wait list, number 1" in a for a in answers) == 1, answers
    rows = await _registrations(hub)
    assert [r.status for r in rows].count(CONFIRMED) == 4
    assert [r.status for r in rows].count(WAITLISTED) == 4


async def test_moving_to_the_same_time_and_cancelling_twice_tell_once(
        telegram: TelegramHarness, tmp_path: Path) -> None:
    hub = telegram.hub
    assert hub is not None
    event_id = await _stored_event(hub)
    await _register(telegram, FIRST, event_id)
    url = telegram.settings.database_url
    token = {"TELEGRAM_BOT_TOKEN": telegram.api.token,
             "TELEGRAM_API_BASE_URL": telegram.api.base_url}  # what is queued is sent before exit
    when = f"{datetime.now(UTC).year + 1}-06-01T12:30"

    def told(word: str) -> int:
        return sum(word in (m.get("text") or "") for m in telegram.api.sent_messages(FIRST))

    code, out, err = await hubbot(["events", "move", str(event_id), "--starts", when],
                                  url, tmp_path, **token)
    assert code == 0 and "registrants told: 1 of 1" in out, (out, err)
    code, out, err = await hubbot(["events", "move", str(event_id), "--starts", when],
                                  url, tmp_path, **token)
    assert code == 0, err
    assert "already starts at" in out and "nobody was told" in out and "registrants" not in out
    assert told("new time") == 1

    code, out, err = await hubbot(["events", "cancel", str(event_id)], url, tmp_path, **token)
    assert code == 0 and "registrants told: 1 of 1" in out, (out, err)
    code, out, err = await hubbot(["events", "cancel", str(event_id)], url, tmp_path, **token)
    assert code == 0, err
    assert "already cancelled" in out and "registrants" not in out
    assert told("has been cancelled") == 1


async def test_a_georgian_person_types_the_events_name_and_2_and_is_registered(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    event_id = await _stored_event(telegram.hub)
    await _stored_event(telegram.hub, title_ka="ტრენინგი გრანტების წერაზე",
                        title_en="Grant writing training")
    ka = {"language_code": "ka"}
    [listing] = await telegram.send(FIRST, "/events", **ka)
    assert "რეგიონული ფორუმი" in listing["text"]
    [ask_count] = await telegram.send(FIRST, "რეგიონული ფორუმი", **ka)  # typed, not tapped
    assert "რეგიონული ფორუმი" in ask_count["text"]
    [ask_names] = await telegram.send(FIRST, "2", **ka)
    assert "er:s:names" in buttons(ask_names).values()
    confirmed, document = await telegram.send(FIRST, "გამოტოვება", expect=2, **ka)
    assert "რეგიონული ფორუმი" in confirmed["text"] and "2" in confirmed["text"]
    assert document["document"]["file_name"] == f"event-{event_id}.ics"
    [row] = await _registrations(telegram.hub)
    assert (row.event_id, row.participants, row.status) == (event_id, 2, CONFIRMED)


@pytest.mark.parametrize("typed", ["Regional forum", "regionuli forumi", "1"])
async def test_an_event_typed_in_either_language_translit_or_by_number(
        telegram: TelegramHarness, typed: str) -> None:
    assert telegram.hub is not None
    event_id = await _stored_event(telegram.hub)
    await telegram.send(FIRST, "/events")
    [ask_count] = await telegram.send(FIRST, typed)
    assert "How many participants" in ask_count["text"]
    await telegram.send(FIRST, "3")
    await telegram.send(FIRST, "Nino\nGiorgi\nAna", expect=2)
    [row] = await _registrations(telegram.hub)
    assert (row.event_id, row.participants, row.names) == (event_id, 3, ["Nino", "Giorgi", "Ana"])


async def test_a_question_at_the_listing_gets_its_answer_and_leaves_the_listing(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    await _stored_event(telegram.hub)
    await telegram.send(FIRST, "/events")
    [answer] = await telegram.send(FIRST, "Where is your office?")
    assert "Tsereteli" in answer["text"]
    [again] = await telegram.send(FIRST, "1")  # no longer a choice from the listing
    assert "How many participants" not in again["text"]
    assert not await _registrations(telegram.hub)


async def test_back_to_the_listing_and_a_count_button_of_another_event_is_refused(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    first = await _stored_event(telegram.hub)
    second = await _stored_event(telegram.hub, title_en="Grant writing training",
                                 title_ka="ტრენინგი")
    await telegram.send(FIRST, "/events")
    [ask_count] = await telegram.send(FIRST, "Regional forum")
    [listing] = await telegram.press_label(FIRST, ask_count, "⬅️ Back")
    assert "Which event" in listing["text"]
    [ask_count] = await telegram.press_label(FIRST, listing, "📝 Grant writing")
    [earlier] = await telegram.press(FIRST, f"er:v:participants:{first}.2", message_id=1)
    assert "earlier question" in earlier["text"]
    [ask_names] = await telegram.press_label(FIRST, ask_count, "2")
    await telegram.press_label(FIRST, ask_names, "Skip", expect=2)
    [row] = await _registrations(telegram.hub)
    assert (row.event_id, row.participants) == (second, 2)
