"""Staff review registrations from their chat: the card, Approve, /reject with a reason."""

from __future__ import annotations

from pathlib import Path

from storage.models_orgs import APPROVED, REJECTED
from tests.staff_chat import STAFF_CHAT, STAFF_USER, StaffMember, rows
from tests.telegram_harness import TelegramHarness, buttons, wait_for_text
from tests.test_orgs_export import hubbot
from tests.test_register import (
    NAME,
    USER,
    _fill_after_code,
    _fill_to_code,
    _organisations,
)


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


async def test_newevent_guided_form_creates_an_event(staffed: TelegramHarness,
                                                     staff: StaffMember) -> None:
    from storage.models_events import Event

    kinds = await staff.says("/newevent", "What kind")
    await staff.presses(kinds, "Forum", "The title")
    await staff.says("იმერეთის რეგიონული ფორუმი", "When does it start")
    await staff.says("next friday", "could not read")
    await staff.says("2031-05-20 10:00", "Where?")
    await staff.says("Kutaisi, 111 Tsereteli St.", "How many seats")
    await staff.says("lots", "number of seats")
    confirm = await staff.says("40", "Create this event?")
    assert "იმერეთის რეგიონული ფორუმი" in confirm["text"]
    staff.press(confirm, "✅ Create")
    await staff.sees("created")
    [event] = await rows(staffed, Event)
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


async def _notices_to(bot: TelegramHarness, chat_id: int) -> list[str]:
    """Texts queued for a person (every notice passes the outbox, sent or still waiting)."""
    from sqlmodel import select

    from storage.models_outbox import OutboxMessage

    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.chat_id == str(chat_id)))).all()
    return [reply["text"] for row in rows for reply in row.payload.get("replies", [])]


async def test_approving_twice_tells_the_person_once(staffed: TelegramHarness,
                                                     tmp_path: Path) -> None:

    api = staffed.api
    await _register(staffed)
    card = await wait_for_text(api, STAFF_CHAT, "asks to be registered")
    approve = buttons(card)["✅ Approve"]
    api.push_callback(STAFF_USER, approve, message_id=card["message_id"], chat_id=STAFF_CHAT,
                      first_name="Tamar")
    await wait_for_text(api, STAFF_CHAT, "approved by Tamar")
    await wait_for_text(api, USER, "approved")
    # A second press of the same card (another staff member), /approve, and the command line.
    api.push_callback(STAFF_USER + 1, approve, message_id=card["message_id"],
                      chat_id=STAFF_CHAT, first_name="Levan")
    again = await wait_for_text(api, STAFF_CHAT, "already approved")
    assert "nobody was told again" in again["text"]
    before = len(api.sent_messages(STAFF_CHAT))
    api.push_text(STAFF_USER, "/approve 1", chat_id=STAFF_CHAT, first_name="Tamar")
    await api.wait_for_messages(STAFF_CHAT, before + 1)
    assert "already approved" in api.sent_messages(STAFF_CHAT)[-1]["text"]
    code, out, err = await hubbot(["orgs", "approve", "1"], staffed.settings.database_url,
                                  tmp_path, TELEGRAM_BOT_TOKEN=api.token,
                                  TELEGRAM_API_BASE_URL=api.base_url)
    assert code == 0, err
    assert "already approved" in out and "the person was told" not in out
    assert len([t for t in await _notices_to(staffed, USER)
                if "approved the registration" in t]) == 1
    told = [m for m in api.sent_messages(USER) if "approved the registration" in m.get("text", "")]
    assert len(told) == 1
    [organisation] = await _organisations(staffed)
    assert organisation.status == APPROVED


async def test_a_second_rejection_with_the_same_reason_tells_nobody(
        staffed: TelegramHarness) -> None:
    api = staffed.api
    await _register(staffed)
    await wait_for_text(api, STAFF_CHAT, "asks to be registered")
    api.push_text(STAFF_USER, "/reject 1 The code is missing", chat_id=STAFF_CHAT)
    await wait_for_text(api, STAFF_CHAT, "rejected by")
    api.push_text(STAFF_USER, "/reject 1 The code is missing", chat_id=STAFF_CHAT)
    await wait_for_text(api, STAFF_CHAT, "already rejected with this reason")
    api.push_text(STAFF_USER, "/reject 1 The code belongs to another organisation",
                  chat_id=STAFF_CHAT)
    await wait_for_text(api, USER, "another organisation")  # a new reason is news
    reasons = [t for t in await _notices_to(staffed, USER) if "Reason:" in t]
    assert len(reasons) == 2 and "The code is missing" in reasons[0]
