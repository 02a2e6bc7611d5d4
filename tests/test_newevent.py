"""Staff /newevent on the form engine: every answer typed, Back, a review with edits, Cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.models_events import Event
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import (
    TelegramHarness,
    buttons,
    staff_harness,
    wait_for_text,
)

STAFF_CHAT = -1003200
STAFF_USER = 904


@pytest.fixture
async def staffed(telegram_api: FakeTelegramAPI, settings: Settings
                  ) -> AsyncIterator[TelegramHarness]:
    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False)
    await harness.start()
    yield harness
    await harness.stop()


async def _events(bot: TelegramHarness) -> list[Event]:
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        return list((await session.exec(select(Event))).all())


async def test_newevent_typed_from_start_to_end_with_an_edit(staffed: TelegramHarness) -> None:
    api = staffed.api

    async def staff(text: str, expected: str) -> dict:
        before = len(api.sent_messages(STAFF_CHAT))
        api.push_text(STAFF_USER, text, chat_id=STAFF_CHAT, first_name="Tamar")
        [message] = (await api.wait_for_messages(STAFF_CHAT, before + 1))[before:]
        assert expected in message["text"], message["text"]
        return message

    await staff("/newevent", "What kind")
    await staff("training", "The title")  # the kind, typed
    await staff("ტრენინგი ანგარიშვალდებულებაზე", "When does it start")
    await staff("2020-01-01 10:00", "That time has passed")
    await staff("2031-05-20 10:00", "Where?")
    await staff("Kutaisi, 111 Tsereteli St.", "How many seats")
    await staff("0", "number of seats (1–10000)")
    review = await staff("25", "Create this event?")
    assert "✏️ Seats" in buttons(review)
    await staff("Seats", "How many seats")  # an edit, typed
    review = await staff("no seat limit", "Create this event?")  # the skip button, typed
    await staff("create", "created")
    [event] = await _events(staffed)
    assert (event.kind, event.title_ka, event.capacity) == (
        "training", "ტრენინგი ანგარიშვალდებულებაზე", None)
    assert event.address == "Kutaisi, 111 Tsereteli St."


async def test_newevent_back_and_cancel_create_nothing(staffed: TelegramHarness) -> None:
    api = staffed.api
    api.push_text(STAFF_USER, "/newevent", chat_id=STAFF_CHAT)
    kinds = await wait_for_text(api, STAFF_CHAT, "What kind")
    api.push_callback(STAFF_USER, buttons(kinds)["Forum"], message_id=kinds["message_id"],
                      chat_id=STAFF_CHAT)
    title = await wait_for_text(api, STAFF_CHAT, "The title")
    api.push_callback(STAFF_USER, buttons(title)["⬅️ Back"], message_id=title["message_id"],
                      chat_id=STAFF_CHAT)
    kinds = await wait_for_text(api, STAFF_CHAT, "What kind")
    api.push_callback(STAFF_USER, buttons(kinds)["✖️ Cancel"], message_id=kinds["message_id"],
                      chat_id=STAFF_CHAT)
    await wait_for_text(api, STAFF_CHAT, "No event was created")
    api.push_callback(STAFF_USER, buttons(kinds)["Forum"], message_id=kinds["message_id"],
                      chat_id=STAFF_CHAT)
    await wait_for_text(api, STAFF_CHAT, "no longer active")
    assert await _events(staffed) == []
