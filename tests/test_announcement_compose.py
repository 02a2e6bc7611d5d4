"""Announcements composed outside the chat (the console's service): the draft's rules, an
uploaded photo sent as a copy of one staff-chat message, a time chosen ahead, quiet hours that
hold an announcement back and say until when, and the history's figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import HubApp
from bot.services import announcement_compose as compose
from bot.services.announcement_compose import ComposeErrors, Upload
from bot.settings import Settings
from storage.models import Person, utcnow
from storage.models_outbox import Subscription
from storage.repos.announcements import AnnouncementRepo
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, staff_harness, wait_for_text

STAFF_CHAT = -1003400
STAFF_USER = 906
PEOPLE = (811, 812, 813)
PNG = b"\x89PNG\r\n\x1a\n fake png"


async def _subscribe(bot: TelegramHarness) -> None:
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        for n, place in zip(PEOPLE, ("kutaisi", "kutaisi", "vani"), strict=True):
            person = Person(channel="telegram", external_id=str(n), chat_id=str(n))
            uow.session.add(person)
            await uow.flush()
            uow.session.add(Subscription(person_id=person.id, topics=["funding"],
                                         municipality=place))
        await uow.commit()


def _quiet_now(settings: Settings) -> tuple[str, str]:
    """QUIET_HOURS holding right now, and the local "HH:MM" they end at."""
    local = utcnow().astimezone(settings.tz)
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    return f"{start:%H:%M}-{end:%H:%M}", f"{end:%H:%M}"


@pytest.fixture
async def staffed(telegram_api: FakeTelegramAPI, settings: Settings
                  ) -> AsyncIterator[TelegramHarness]:
    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False, quiet_hours="off")
    await harness.start()
    await _subscribe(harness)
    yield harness
    await harness.stop()


async def _draft(bot: TelegramHarness, **fields: object) -> int:
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        announcement = await compose.compose(uow, bot.hub.settings, **{
            "text": "Grants for NGOs: apply by Friday", "audience": "all", "author": "Nino",
            "staff_chat": True, **fields})
        await uow.commit()
    assert announcement.id is not None
    return announcement.id


async def _approve(bot: TelegramHarness, number: int) -> None:
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        assert await compose.approve(uow, number) is not None
        await uow.commit()


async def test_the_draft_says_everything_that_is_wrong_with_it(hub: HubApp) -> None:
    async with UnitOfWork(hub.database) as uow:
        with pytest.raises(ComposeErrors) as caught:
            await compose.compose(uow, hub.settings, text="  ", audience="topic:cooking",
                                  send_at="2020-01-01T10:00", author="Nino",
                                  upload=Upload("a.png", "image/png", PNG), staff_chat=False)
        with pytest.raises(ComposeErrors) as long_caption:
            await compose.compose(uow, hub.settings, text="x" * 1500, audience="event:99",
                                  author="Nino", upload=Upload("a.png", "image/png", PNG),
                                  staff_chat=True)
    assert caught.value.texts("en") == [
        "Write the announcement's text.", "Choose who should receive it.",
        "That time has passed; choose a later one, or send it now.",
        ("A photo or document goes out through the staff chat, and no staff chat is set "
         "(STAFF_CHAT_ID). Send the text alone, or set the staff chat.")]
    assert long_caption.value.texts("en") == [
        "The text is 1500 characters long; under a photo or document at most 1024 fit.",
        "There is no upcoming event #99."]
    assert caught.value.texts("ka")[0] != "Write the announcement's text."  # translated


async def test_a_photo_goes_to_the_staff_chat_once_and_each_person_gets_a_copy(
        staffed: TelegramHarness) -> None:
    api = staffed.api
    number = await _draft(staffed, audience="municipality:kutaisi",
                          upload=Upload("poster.png", "image/png", PNG))
    assert staffed.hub is not None
    async with UnitOfWork(staffed.hub.database) as uow:
        draft = await AnnouncementRepo(uow.session).get(number)
        assert draft is not None
        assert await compose.count(uow, staffed.hub.services.announcements, draft) == 2
    await _approve(staffed, number)
    assert await staffed.hub.services.announcements.start(number) == 2
    [posted] = [m for m in api.sent_messages(STAFF_CHAT) if "photo" in m]
    assert posted["caption"] == "Grants for NGOs: apply by Friday"
    for person in PEOPLE[:2]:
        copy = await wait_for_text(api, person, "Grants for NGOs")
        assert "photo" in copy
    assert not [m for m in api.sent_messages(PEOPLE[2])]  # Vani is not Kutaisi
    await wait_for_text(api, STAFF_CHAT, f"Announcement #{number} done")
    async with UnitOfWork(staffed.hub.database) as uow:
        repo = AnnouncementRepo(uow.session)
        assert await repo.attachment(number) is None  # it lives on in the staff chat
        [done] = await repo.history()
        figures = compose.figures_of(done, (await repo.figures([number]))[number])
    assert (figures.status, figures.total, figures.sent, figures.all_sent) == ("done", 2, 2, True)


async def test_a_scheduled_announcement_waits_for_its_time(staffed: TelegramHarness) -> None:
    assert staffed.hub is not None
    local = (utcnow() + timedelta(hours=3)).astimezone(staffed.hub.settings.tz)
    number = await _draft(staffed, send_at=f"{local:%Y-%m-%dT%H:%M}")
    await _approve(staffed, number)
    announcements = staffed.hub.services.announcements
    assert await announcements.send_due() is None
    async with UnitOfWork(staffed.hub.database) as uow:
        waiting = await AnnouncementRepo(uow.session).get(number)
        assert waiting is not None and waiting.status == "scheduled"
    assert not any(staffed.api.sent_messages(person) for person in PEOPLE)
    assert await announcements.send_due(utcnow() + timedelta(hours=4)) is not None
    for person in PEOPLE:
        await wait_for_text(staffed.api, person, "Grants for NGOs")


async def test_cancelled_before_its_time_nothing_is_sent(staffed: TelegramHarness) -> None:
    assert staffed.hub is not None
    local = (utcnow() + timedelta(hours=3)).astimezone(staffed.hub.settings.tz)
    number = await _draft(staffed, send_at=f"{local:%Y-%m-%dT%H:%M}")
    await _approve(staffed, number)
    async with UnitOfWork(staffed.hub.database) as uow:
        assert await compose.cancel(uow, number)
        assert not await compose.approve(uow, number)  # no longer a draft
        await uow.commit()
    assert await staffed.hub.services.announcements.send_due(
        utcnow() + timedelta(hours=4)) is None
    assert not any(staffed.api.sent_messages(person) for person in PEOPLE)


async def test_quiet_hours_hold_an_announcement_back_and_say_until_when(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    quiet, until = _quiet_now(settings)
    bot = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False, quiet_hours=quiet)
    await bot.start()
    try:
        await _subscribe(bot)
        telegram_api.push_text(STAFF_USER, "/announce Office closed on Monday",
                               chat_id=STAFF_CHAT)
        await wait_for_text(telegram_api, STAFF_CHAT, "Who should receive")
        telegram_api.push_text(STAFF_USER, "all", chat_id=STAFF_CHAT)
        await wait_for_text(telegram_api, STAFF_CHAT, "will reach 3 people")
        telegram_api.push_text(STAFF_USER, "send", chat_id=STAFF_CHAT)
        said = await wait_for_text(telegram_api, STAFF_CHAT, "quiet hours hold it back until")
        assert until in said["text"]
        progress = await wait_for_text(telegram_api, STAFF_CHAT,
                                       "waits for the end of quiet hours")
        assert until in progress["text"] and "being sent" not in progress["text"]
        assert not any(telegram_api.sent_messages(person) for person in PEOPLE)
    finally:
        await bot.stop()
