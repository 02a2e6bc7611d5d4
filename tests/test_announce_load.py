"""A big announcement does not hold people up: a question asked while it goes out is answered
before it is done, within Telegram's flood limits (free, and as paid broadcasts); background work
waiting for SQLite's writer lets people's turns go first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from sqlalchemy import insert

from bot.settings import Settings
from storage.models import Person
from storage.models_outbox import Announcement, Subscription
from storage.uow import UnitOfWork
from storage.write_lock import WriteLock
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness

SUBSCRIBERS = 200
FIRST_CHAT = 50_000
ASKER = 777
TEXT = "ფორუმი ქუთაისში პარასკევს"


async def _subscribers(bot: TelegramHarness) -> None:
    assert bot.hub is not None
    now = datetime.now(UTC)
    async with UnitOfWork(bot.hub.database) as uow:
        await uow.session.exec(insert(Person), params=[  # type: ignore[call-overload]
            {"id": 10_000 + i, "channel": "telegram", "external_id": str(FIRST_CHAT + i),
             "chat_id": str(FIRST_CHAT + i), "display_name": f"P{i}", "language": "ka",
             "first_seen": now, "last_seen": now} for i in range(SUBSCRIBERS)])
        await uow.session.exec(insert(Subscription), params=[  # type: ignore[call-overload]
            {"person_id": 10_000 + i, "topics": ["forums"], "created_at": now}
            for i in range(SUBSCRIBERS)])
        await uow.commit()


def _delivered(api: FakeTelegramAPI) -> int:
    return sum(1 for m in api.sent_messages()
               if FIRST_CHAT <= m["chat"]["id"] < FIRST_CHAT + SUBSCRIBERS)


@pytest.mark.parametrize("paid", [False, True], ids=["free", "paid broadcast"])
async def test_a_question_is_answered_before_a_big_announcement_is_done(
        settings: Settings, paid: bool) -> None:
    async with FakeTelegramAPI(overall_rate=30, per_chat_rate=1, group_per_minute=20) as api:
        bot = TelegramHarness(api, settings.model_copy(update={
            "telegram_bot_token": SecretStr(api.token), "quiet_hours": "off",
            "telegram_paid_broadcast": paid}))
        await bot.start()
        try:
            assert bot.hub is not None
            await _subscribers(bot)
            async with UnitOfWork(bot.hub.database) as uow:
                announcement = Announcement(text=TEXT, audience={"kind": "all", "value": ""})
                uow.session.add(announcement)
                await uow.commit()
            queueing = asyncio.create_task(bot.hub.services.announcements.queue(
                announcement.id or 0))
            while _delivered(api) < 10:  # under way
                await asyncio.sleep(0.02)
            [answer] = await bot.send(ASKER, "Where is your office?")
            assert "111 Tsereteli" in answer["text"], answer["text"]
            assert _delivered(api) < SUBSCRIBERS  # answered while the announcement went out
            await queueing
            deadline = asyncio.get_running_loop().time() + 60
            while _delivered(api) < SUBSCRIBERS:  # and it still reaches everyone
                assert asyncio.get_running_loop().time() < deadline, _delivered(api)
                await asyncio.sleep(0.1)
            assert api.too_many_requests == 0  # within the limits all along
            if paid:
                sent = [c for c in api.calls_to("sendMessage")
                        if FIRST_CHAT <= c.params["chat_id"] < FIRST_CHAT + SUBSCRIBERS]
                assert all(c.params.get("allow_paid_broadcast") for c in sent)
                [reply] = [c for c in api.calls_to("sendMessage")
                           if c.params["chat_id"] == ASKER]
                assert not reply.params.get("allow_paid_broadcast")  # replies cost nothing
        finally:
            await bot.stop()


async def test_people_go_before_background_work_waiting_for_the_writer() -> None:
    lock = WriteLock()
    order: list[str] = []
    await lock.acquire()  # someone writes

    async def work(name: str, urgent: bool) -> None:
        await lock.acquire(urgent=urgent)
        order.append(name)
        await asyncio.sleep(0)
        lock.release()

    tasks = [asyncio.create_task(work("worker 1", False)),
             asyncio.create_task(work("worker 2", False)),
             asyncio.create_task(work("a person", True))]
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["a person", "worker 1", "worker 2"]
    assert not lock.locked()


async def test_a_cancelled_waiter_does_not_keep_the_writer() -> None:
    lock = WriteLock()
    await lock.acquire()
    waiting = asyncio.create_task(lock.acquire())
    later = asyncio.create_task(lock.acquire(urgent=True))
    await asyncio.sleep(0)
    waiting.cancel()
    lock.release()
    await later  # the lock went on to the next waiter
    with pytest.raises(asyncio.CancelledError):
        await waiting
    lock.release()
    assert not lock.locked()
