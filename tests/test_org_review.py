"""Staff review registrations from their chat: the card, Approve, /reject with a reason."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from storage.models_orgs import APPROVED, REJECTED
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, buttons, staff_harness, wait_for_text
from tests.test_register import NAME, USER, _fill_after_code, _fill_to_code, _organisations

STAFF_CHAT = -1003000
STAFF_USER = 902


@pytest.fixture
async def staffed(telegram_api: FakeTelegramAPI, settings: Settings) -> AsyncIterator[TelegramHarness]:
    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False)
    await harness.start()
    yield harness
    await harness.stop()


async def _register(bot: TelegramHarness, user: int = USER, code: str = "204567891") -> None:
    await _fill_to_code(bot, user)
    [ask_municipality] = await bot.send(user, code)
    review = await _fill_after_code(bot, ask_municipality, user)
    await bot.press_label(user, review, "✅ Send for review")






async def test_staff_approve_from_the_card_and_the_person_is_told(staffed: TelegramHarness) -> None:
    api = staffed.api
    await _register(staffed)
    card = await wait_for_text(api, STAFF_CHAT, "asks to be registered")
    assert NAME in card["text"] and "204567891" in card["text"]
    api.push_callback(STAFF_USER, buttons(card)["✅ Approve"], message_id=card["message_id"],
                      chat_id=STAFF_CHAT, first_name="Tamar")
    await wait_for_text(api, STAFF_CHAT, "approved by Tamar")
    await wait_for_text(api, USER, "approved")
    [organisation] = await _organisations(staffed)
    assert organisation.status == APPROVED


async def test_staff_reject_with_a_reason(staffed: TelegramHarness) -> None:
    api = staffed.api
    await _register(staffed)
    card = await wait_for_text(api, STAFF_CHAT, "asks to be registered")
    api.push_callback(STAFF_USER, buttons(card)["❌ Reject"], message_id=card["message_id"],
                      chat_id=STAFF_CHAT)
    await wait_for_text(api, STAFF_CHAT, "/reject 1")
    api.push_text(STAFF_USER, "/reject 1 The identification code belongs to another organisation",
                  chat_id=STAFF_CHAT, first_name="Tamar")
    await wait_for_text(api, STAFF_CHAT, "rejected by Tamar")
    told = await wait_for_text(api, USER, "another organisation")
    assert "/myorg" in told["text"]
    [organisation] = await _organisations(staffed)
    assert organisation.status == REJECTED


async def test_people_cannot_approve(staffed: TelegramHarness) -> None:
    await _register(staffed)
    [reply] = await staffed.press(USER, "orgr:a:1", message_id=1)
    assert "no longer active" in reply["text"]
    [reply] = await staffed.send(USER, "/approve 1")
    assert "/approve" in reply["text"]  # an unknown command for people
    [organisation] = await _organisations(staffed)
    assert organisation.status != APPROVED


async def test_attendees_lists_confirmed_and_waiting(staffed: TelegramHarness) -> None:
    from datetime import timedelta

    from storage.models import Person, utcnow
    from storage.models_events import WAITLISTED, Event, EventRegistration
    from storage.uow import UnitOfWork

    assert staffed.hub is not None
    async with UnitOfWork(staffed.hub.database) as uow:
        event = Event(kind="training", title_ka="ტრენინგი", title_en="Training on accountability",
                      starts_at=utcnow() + timedelta(days=3), capacity=2)
        uow.session.add(event)
        people = [Person(channel="telegram", external_id=str(n), chat_id=str(n),
                         display_name=name) for n, name in ((801, "Nino"), (802, "Levan"))]
        for person in people:
            uow.session.add(person)
        await uow.flush()
        uow.session.add(EventRegistration(event_id=event.id, person_id=people[0].id,
                                          participants=2, names=["Nino", "Ana"]))
        uow.session.add(EventRegistration(event_id=event.id, person_id=people[1].id,
                                          status=WAITLISTED, position=1))
        await uow.commit()
    staffed.api.push_text(STAFF_USER, f"/attendees {event.id}", chat_id=STAFF_CHAT)
    listing = await wait_for_text(staffed.api, STAFF_CHAT, "Wait list")
    assert "Nino · 2 (Nino, Ana)" in listing["text"] and "2 people" in listing["text"]
    assert "Levan" in listing["text"].split("Wait list")[1]


async def test_newevent_guided_form_creates_an_event(staffed: TelegramHarness) -> None:
    from sqlmodel import select

    from storage.models_events import Event

    api = staffed.api

    async def staff(text: str) -> None:
        api.push_text(STAFF_USER, text, chat_id=STAFF_CHAT, first_name="Tamar")

    async def press(message: dict, label: str) -> None:
        api.push_callback(STAFF_USER, buttons(message)[label], message_id=message["message_id"],
                          chat_id=STAFF_CHAT)

    await staff("/newevent")
    kinds = await wait_for_text(api, STAFF_CHAT, "What kind")
    await press(kinds, "Forum")
    await wait_for_text(api, STAFF_CHAT, "The title")
    await staff("იმერეთის რეგიონული ფორუმი")
    await wait_for_text(api, STAFF_CHAT, "When does it start")
    await staff("next friday")
    await wait_for_text(api, STAFF_CHAT, "could not read")
    await staff("2031-05-20 10:00")
    await wait_for_text(api, STAFF_CHAT, "Where?")
    await staff("Kutaisi, 111 Tsereteli St.")
    seats = await wait_for_text(api, STAFF_CHAT, "How many seats")
    await staff("lots")
    await wait_for_text(api, STAFF_CHAT, "number of seats")
    await staff("40")
    confirm = await wait_for_text(api, STAFF_CHAT, "Create this event?")
    assert "იმერეთის რეგიონული ფორუმი" in confirm["text"] and seats
    await press(confirm, "✅ Create")
    await wait_for_text(api, STAFF_CHAT, "created")
    assert staffed.hub is not None
    async with staffed.hub.session_factory() as session:
        [event] = (await session.exec(select(Event))).all()
    assert event.kind == "forum" and event.capacity == 40 and event.municipality == "kutaisi"
    [listing] = await staffed.send(USER, "/events")
    assert "იმერეთის რეგიონული ფორუმი" in listing["text"]


async def test_forget_erases_the_organisation_contact_and_unlists_it(
        staffed: TelegramHarness) -> None:
    await _register(staffed)
    [confirm] = await staffed.send(USER, "/forget")
    assert "organisation" in confirm["text"]
    await staffed.press_label(USER, confirm, "🗑 Yes, erase my data")
    [organisation] = await _organisations(staffed)
    assert organisation.contact_name == "[erased]" and organisation.phone == ""
    assert organisation.consent_public_at is None and organisation.person_id is None
    assert organisation.name_ka == NAME  # the organisation's own record stays
