"""Staff /announce on the form engine: the audience typed, a municipality, Back, the preview's
count, Send and Cancel, and ticket replies that stay replies while the form is open."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from storage.models import Person
from storage.models_outbox import Announcement, Subscription
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.staff_chat import STAFF_CHAT, STAFF_USER, StaffMember, rows
from tests.telegram_harness import (
    TelegramHarness,
    buttons,
    staff_harness,
    wait_for_text,
)


@pytest.fixture
async def subscribed(staffed: TelegramHarness) -> TelegramHarness:
    """The staffed bot with three subscribers: two in Kutaisi, one in Zestaponi."""
    assert staffed.hub is not None
    # quiet hours off: otherwise, run between 22:00 and 09:00 Tbilisi time, Send says "queued"
    staffed.hub.settings.quiet_hours = "off"
    async with UnitOfWork(staffed.hub.database) as uow:
        for n, place in ((701, "kutaisi"), (702, "kutaisi"), (703, "zestaponi")):
            person = Person(channel="telegram", external_id=str(n), chat_id=str(n))
            uow.session.add(person)
            await uow.flush()
            uow.session.add(Subscription(person_id=person.id, topics=["forums", "funding"],
                                         municipality=place))
        await uow.commit()
    return staffed


async def test_announce_typed_by_municipality_with_back_then_sent(
        subscribed: TelegramHarness, staff: StaffMember) -> None:
    await staff.says("/announce The spring forum opens registration", "Who should receive")
    await staff.says("by municipality", "Which municipality")
    await staff.says("back", "Who should receive")
    await staff.says("by municipality", "Which municipality")
    preview = await staff.says("Kutaisi", "will reach 2 people")
    assert "The spring forum opens registration" in preview["text"]
    assert "📨 Send" in buttons(preview)
    staff.write("send")  # the progress report may come first
    await staff.sees("Sending announcement #1")
    [announcement] = await rows(subscribed, Announcement)
    assert announcement.audience == {"kind": "municipality", "value": "kutaisi"}


async def test_announce_cancelled_sends_nothing_and_old_buttons_are_stale(
        subscribed: TelegramHarness, staff: StaffMember) -> None:
    audience = await staff.says("/announce Funding call", "Who should receive")
    preview = await staff.presses(audience, "Funding opportunities", "will reach 3 people")
    await staff.presses(preview, "✖️ Cancel", "cancelled; nothing was sent")
    await staff.presses(preview, "📨 Send", "no longer active")
    [announcement] = await rows(subscribed, Announcement)
    assert announcement.status == "cancelled"


async def test_a_reply_in_a_ticket_topic_is_not_taken_as_a_form_answer(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    from tests.telegram_harness import card_thread
    from tests.hotline_steps import PERSON, ask

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
