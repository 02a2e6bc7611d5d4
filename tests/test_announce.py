"""Staff /announce on the form engine: the audience typed, a municipality, Back, the preview's
count, Send and Cancel, and ticket replies that stay replies while the form is open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.models import Person
from storage.models_outbox import Announcement, Subscription
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import (
    TelegramHarness,
    buttons,
    staff_harness,
    wait_for_text,
)

STAFF_CHAT = -1003300
STAFF_USER = 905


@pytest.fixture
async def staffed(telegram_api: FakeTelegramAPI, settings: Settings
                  ) -> AsyncIterator[TelegramHarness]:
    # quiet hours off: otherwise, run between 22:00 and 09:00 Tbilisi time, Send says "queued"
    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False, quiet_hours="off")
    await harness.start()
    assert harness.hub is not None
    async with UnitOfWork(harness.hub.database) as uow:
        for n, place in ((701, "kutaisi"), (702, "kutaisi"), (703, "zestaponi")):
            person = Person(channel="telegram", external_id=str(n), chat_id=str(n))
            uow.session.add(person)
            await uow.flush()
            uow.session.add(Subscription(person_id=person.id, topics=["forums", "funding"],
                                         municipality=place))
        await uow.commit()
    yield harness
    await harness.stop()


async def _announcements(bot: TelegramHarness) -> list[Announcement]:
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        return list((await session.exec(select(Announcement))).all())


async def test_announce_typed_by_municipality_with_back_then_sent(
        staffed: TelegramHarness) -> None:
    api = staffed.api

    async def staff(text: str, expected: str) -> dict:
        before = len(api.sent_messages(STAFF_CHAT))
        api.push_text(STAFF_USER, text, chat_id=STAFF_CHAT, first_name="Tamar")
        [message] = (await api.wait_for_messages(STAFF_CHAT, before + 1))[before:]
        assert expected in message["text"], message["text"]
        return message

    await staff("/announce The spring forum opens registration", "Who should receive")
    await staff("by municipality", "Which municipality")
    await staff("back", "Who should receive")
    await staff("by municipality", "Which municipality")
    preview = await staff("Kutaisi", "will reach 2 people")
    assert "The spring forum opens registration" in preview["text"]
    assert "📨 Send" in buttons(preview)
    api.push_text(STAFF_USER, "send", chat_id=STAFF_CHAT)  # the progress report may come first
    await wait_for_text(api, STAFF_CHAT, "Sending announcement #1")
    [announcement] = await _announcements(staffed)
    assert announcement.audience == {"kind": "municipality", "value": "kutaisi"}


async def test_announce_cancelled_sends_nothing_and_old_buttons_are_stale(
        staffed: TelegramHarness) -> None:
    api = staffed.api
    api.push_text(STAFF_USER, "/announce Funding call", chat_id=STAFF_CHAT)
    [audience] = await api.wait_for_messages(STAFF_CHAT, 1)
    api.push_callback(STAFF_USER, buttons(audience)["Funding opportunities"],
                      message_id=audience["message_id"], chat_id=STAFF_CHAT)
    preview = (await api.wait_for_messages(STAFF_CHAT, 2))[1]
    assert "will reach 3 people" in preview["text"]
    api.push_callback(STAFF_USER, buttons(preview)["✖️ Cancel"],
                      message_id=preview["message_id"], chat_id=STAFF_CHAT)
    cancelled = (await api.wait_for_messages(STAFF_CHAT, 3))[2]
    assert "cancelled; nothing was sent" in cancelled["text"]
    api.push_callback(STAFF_USER, buttons(preview)["📨 Send"],
                      message_id=preview["message_id"], chat_id=STAFF_CHAT)
    stale = (await api.wait_for_messages(STAFF_CHAT, 4))[3]
    assert "no longer active" in stale["text"]
    [announcement] = await _announcements(staffed)
    assert announcement.status == "cancelled"


async def test_a_reply_in_a_ticket_topic_is_not_taken_as_a_form_answer(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    from tests.telegram_harness import card_thread
    from tests.test_hotline import PERSON, ask

    bot = staff_harness(telegram_api, settings, STAFF_CHAT)
    await bot.start()
    try:
        await ask(bot)
        thread = await card_thread(telegram_api, STAFF_CHAT)
        telegram_api.push_text(STAFF_USER, "/newevent", chat_id=STAFF_CHAT)
        await wait_for_text(telegram_api, STAFF_CHAT, "What kind", top_level=True)
        telegram_api.push_text(STAFF_USER, "Yes, bring the contract on Monday",
                               chat_id=STAFF_CHAT, message_thread_id=thread,
                               is_topic_message=True)
        await wait_for_text(telegram_api, PERSON, "bring the contract on Monday")
        telegram_api.push_text(STAFF_USER, "forum", chat_id=STAFF_CHAT)  # the form still waits
        await wait_for_text(telegram_api, STAFF_CHAT, "The title", top_level=True)
    finally:
        await bot.stop()
