"""Nothing owed is lost, nobody waits for a slow call: the bot against a Bot API that misbehaves.

The stand-in answers with a proxy's HTML page, a group migration, a 75-second outage, 500s,
answers that come 7 or 8 seconds late; every message the bot owes must still arrive — at most
once where a duplicate would reach a person, at least once where a loss would hurt.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.settings import Settings
from storage.models import Person
from storage.models_outbox import Announcement, OutboxMessage, Subscription
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, staff_harness, wait_for_text

STAFF_CHAT = -1003000
STAFF_USER = 903
PERSON = 5150
TEXT = "The hub's spring forum opens on Friday in Kutaisi."
QUESTION = "Our association needs advice on a rental contract for the office."


@pytest.fixture
async def api() -> FakeTelegramAPI:  # type: ignore[misc]
    api = FakeTelegramAPI()
    await api.start()
    yield api
    await api.stop()


@asynccontextmanager
async def running(api: FakeTelegramAPI, settings: Settings, **changes: Any
                  ) -> AsyncIterator[TelegramHarness]:
    """The bot with a staff chat (a forum unless `forum=False`), started and stopped."""
    bot = staff_harness(api, settings, STAFF_CHAT, **changes)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def subscribe(bot: TelegramHarness, chat_ids: list[int]) -> None:
    """People subscribed to every announcement (rows, as the /subscribe flow leaves them)."""
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        for chat_id in chat_ids:
            person = Person(channel="telegram", external_id=str(abs(chat_id)),
                            chat_id=str(chat_id), language="en")
            uow.session.add(person)
            await uow.flush()
            uow.session.add(Subscription(person_id=person.id, topics=["hub"]))
        await uow.commit()


async def announce(bot: TelegramHarness, text: str = TEXT) -> int:
    """Queue an announcement to all subscribers, as /announce does."""
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        announcement = Announcement(text=text, audience={"kind": "all", "value": "-"})
        uow.session.add(announcement)
        await uow.commit()
    assert announcement.id is not None
    await bot.hub.services.announcements.queue(announcement.id)
    return announcement.id


def received(api: FakeTelegramAPI, text: str = TEXT) -> Counter[int]:
    """How many times each chat got `text`."""
    return Counter(m["chat"]["id"] for m in api.sent_messages() if m.get("text") == text)


async def until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.2)


async def ask(bot: TelegramHarness, person: int = PERSON) -> None:
    """A person asks the hotline (typed right after /ask; everything else tapped)."""
    [topics] = await bot.send(person, "/ask", first_name="Nino")
    [places] = await bot.press_label(person, topics, "⚖️ Legal help")
    [prompt] = await bot.press_label(person, places, "Kutaisi")
    [got] = await bot.send(person, QUESTION)
    [way] = await bot.press_label(person, got, "✅ Done")
    [consent] = await bot.press_label(person, way, "💬 Here in the chat")
    [summary] = await bot.press_label(person, consent, "✅ I agree")
    [thanks] = await bot.press_label(person, summary, "📨 Send")
    assert "#1" in thanks["text"]


async def test_an_announcement_survives_html_a_migration_and_a_75_second_outage(
        api: FakeTelegramAPI, settings: Settings) -> None:
    group, supergroup = -4000001, -1004000001
    people = [6000 + i for i in range(19)] + [group]
    async with running(api, settings, forum=False, quiet_hours="off",
                       delivery_retry_max="10s") as bot:
        await subscribe(bot, people)
        api.migrate_chat(group, supergroup)
        api.fault_next("sendMessage", "html", times=3)
        await announce(bot)
        await until(lambda: sum(received(api).values()) >= 5, 30, "the first deliveries")
        api.outage(75)  # a proxy answers 502 pages for 75 s; then Telegram is back
        await until(lambda: len(received(api)) == 20, 75 + 60, "all 20 subscribers")
        counts = received(api)
        assert set(counts) == set(people[:-1]) | {supergroup}
        assert sum(counts.values()) - len(counts) <= 2  # at most 2 duplicates
        report = await wait_for_text(api, STAFF_CHAT, "done", timeout=30)
        assert "Sent: 20 / 20" in report["text"]


async def test_a_500_on_the_first_topic_still_brings_the_ticket_to_staff(
        api: FakeTelegramAPI, settings: Settings) -> None:
    api.fail_next("createForumTopic", 500, "Internal Server Error")
    async with running(api, settings) as bot:
        await ask(bot)
        card = await wait_for_text(api, STAFF_CHAT, QUESTION, timeout=60)
        assert card.get("message_thread_id")
        assert len([c for c in api.calls_to("createForumTopic") if c.ok]) == 1


async def test_a_500_on_a_staff_answer_still_reaches_the_person(
        api: FakeTelegramAPI, settings: Settings) -> None:
    async with running(api, settings) as bot:
        await ask(bot)
        card = await wait_for_text(api, STAFF_CHAT, QUESTION, timeout=10)
        api.fail_next("copyMessage", 500, "Internal Server Error")
        api.push_text(STAFF_USER, "Please bring the contract to the hub on Monday.",
                      chat_id=STAFF_CHAT, first_name="Tamar", is_topic_message=True,
                      message_thread_id=card["message_thread_id"])
        answer = await wait_for_text(api, PERSON, "bring the contract", timeout=60)
        assert answer
        copies = [m for m in api.sent_messages(PERSON) if "bring the contract" in
                  (m.get("text") or "")]
        assert len(copies) == 1


async def test_answers_that_come_7_seconds_late_are_not_sent_again(
        api: FakeTelegramAPI, settings: Settings) -> None:
    async with running(api, settings, quiet_hours="off") as bot:
        await subscribe(bot, [7001, 7002])
        api.fault_next("sendMessage", "late", seconds=7, times=6)
        api.push_text(PERSON, "Where is your office?")
        await announce(bot)
        await until(lambda: len(received(api)) == 2, 60, "the announcement")
        await asyncio.sleep(8)  # whatever would be sent again would be by now
        answers = [m for m in api.sent_messages(PERSON) if "Kutaisi" in (m.get("text") or "")]
        assert len(answers) == 1
        assert set(received(api).values()) == {1}


async def test_while_a_topic_takes_8_seconds_others_get_their_faq_answers(
        api: FakeTelegramAPI, settings: Settings) -> None:
    async with running(api, settings) as bot:
        api.fault_next("createForumTopic", "late", seconds=8)
        await ask(bot)
        await until(lambda: "createForumTopic" in api.started, 10, "the topic being asked for")
        others = [8001 + i for i in range(5)]
        for person in others:
            api.push_text(person, "Where is your office?")
        for person in others:
            [answer] = await api.wait_for_messages(person, 1, timeout=5)
            assert "Kutaisi" in answer["text"]
        # every answer came while Telegram was still busy opening the topic
        assert not api.calls_to("createForumTopic")
        await wait_for_text(api, STAFF_CHAT, QUESTION, timeout=15)


async def test_the_worker_survives_a_broken_row_and_says_how_it_is(
        api: FakeTelegramAPI, settings: Settings) -> None:
    async with running(api, settings, quiet_hours="off") as bot:
        assert bot.hub is not None
        async with UnitOfWork(bot.hub.database) as uow:
            uow.session.add(OutboxMessage(  # a row no sender understands (a bug, say)
                dedupe_key="broken", kind="notice", channel="telegram", chat_id="not a number",
                payload={"replies": [{"nonsense": True}]}))
            await uow.commit()
        await subscribe(bot, [7101])
        await announce(bot)
        await until(lambda: len(received(api)) == 1, 20, "the announcement after a broken row")
        assert bot.scheduler is not None and bot.scheduler.worker.running


@pytest.mark.postgres
async def test_postgresql_gone_for_10_seconds_then_the_next_announcement_is_delivered(
        api: FakeTelegramAPI, postgres_database: str) -> None:
    from sqlalchemy.engine import make_url

    from bot.settings import load_settings
    from tests.conftest import _truncate_postgres
    from tests.fakes.tcp_proxy import TcpProxy

    await _truncate_postgres(postgres_database)
    url = make_url(postgres_database)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False)
    settings = load_settings(_env_file=None, database_url=through_proxy)
    async with running(api, settings, quiet_hours="off") as bot:
        await subscribe(bot, [7201, 7202, 7203])
        await announce(bot, "before")
        await until(lambda: len(received(api, "before")) == 3, 20, "the first announcement")
        await proxy.cut(10)
        await announce(bot, "after")
        await until(lambda: len(received(api, "after")) == 3, 60, "the announcement after")
        assert bot.scheduler is not None and bot.scheduler.worker.running
        await proxy.stop()
