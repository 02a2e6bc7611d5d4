"""Proactive delivery end to end, against a stand-in Bot API that enforces Telegram's limits."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import create_app
from bot.channels.telegram import TelegramChannel
from bot.services.outbox import OutboxWorker
from bot.services.rate_limits import FloodLimits
from bot.settings import Settings, load_settings
from storage.models import Person, utcnow
from storage.models_events import Event, EventRegistration
from storage.models_outbox import Announcement, Subscription
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, buttons, free_port

STAFF_CHAT = -1002000
STAFF_USER = 901
TEXT = "Regional civil-society forum in Kutaisi on Friday — register with /events!"


def announcement_calls(api: FakeTelegramAPI) -> list:  # type: ignore[type-arg]
    return [c for c in api.calls_to("sendMessage") if c.params.get("text") == TEXT]


async def test_announcement_to_240_subscribers_within_the_limits(
        settings: Settings) -> None:
    api = FakeTelegramAPI(overall_rate=30, per_chat_rate=1, group_per_minute=20)
    await api.start()
    api.set_forum(STAFF_CHAT, False)
    bot = TelegramHarness(api, settings.model_copy(update={
        "telegram_bot_token": SecretStr(api.token), "staff_chat_id": STAFF_CHAT,
        "staff_language": "en", "quiet_hours": "off"}))
    await bot.start()
    people = range(20_000, 20_240)
    try:
        for person in people:
            api.push_text(person, "/subscribe")
        for person in people:
            await api.wait_for_messages(person, 1, timeout=60)
        blocked = list(people)[::20]  # 12 people block the bot
        for person in blocked:
            api.block_user(person)

        api.push_text(STAFF_USER, f"/announce {TEXT}", chat_id=STAFF_CHAT, first_name="Tamar")
        [audience] = await api.wait_for_messages(STAFF_CHAT, 1, timeout=10)
        api.push_callback(STAFF_USER, buttons(audience)["📣 All subscribers"],
                          message_id=audience["message_id"], chat_id=STAFF_CHAT)
        preview = (await api.wait_for_messages(STAFF_CHAT, 2, timeout=10))[1]
        assert "240 people" in preview["text"]
        api.push_callback(STAFF_USER, buttons(preview)["📨 Send"],
                          message_id=preview["message_id"], chat_id=STAFF_CHAT)

        deadline = time.monotonic() + 60
        while True:
            report = [m for m in api.sent_messages(STAFF_CHAT) if "done" in (m.get("text") or "")]
            if report or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert report, [m.get("text") for m in api.sent_messages(STAFF_CHAT)]
        assert "Sent: 228 / 240" in report[-1]["text"]
        assert "Unreachable (blocked the bot): 12" in report[-1]["text"]

        calls = announcement_calls(api)
        delivered = Counter(c.params["chat_id"] for c in calls if c.ok)
        assert sorted(delivered) == sorted(p for p in people if p not in blocked)
        assert set(delivered.values()) == {1}  # exactly once each
        throttled = [c for c in calls if c.response.get("error_code") == 429]
        assert len(throttled) <= 0.05 * len(people)
        duration = max(c.at for c in calls) - min(c.at for c in calls)
        print(f"announcement: {len(delivered)} delivered in {duration:.2f} s "
              f"(ideal {228 / 30:.2f} s), {len(throttled)} answered 429")
    finally:
        await bot.stop()
        await api.stop()


async def _subscribers(database_url: str, count: int) -> int:
    """People already subscribed, and an announcement queued for them (id returned)."""
    settings = load_settings(_env_file=None, database_url=database_url, quiet_hours="off")
    hub = await create_app(settings)
    try:
        async with UnitOfWork(hub.database) as uow:
            for i in range(count):
                person = Person(channel="telegram", external_id=str(30_000 + i),
                                chat_id=str(30_000 + i), language="en")
                uow.session.add(person)
                await uow.flush()
                uow.session.add(Subscription(person_id=person.id, topics=["hub"]))
            announcement = Announcement(text=TEXT, audience={"kind": "all", "value": "-"})
            uow.session.add(announcement)
            await uow.commit()
        await hub.services.announcements.queue(announcement.id or 0)
        return announcement.id or 0
    finally:
        await hub.close()


async def test_a_killed_bot_finishes_the_announcement_with_few_repeats(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    await _subscribers(url, 150)
    api = FakeTelegramAPI(overall_rate=30, per_chat_rate=1)
    await api.start()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "STAFF_"))},
           "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "DATABASE_URL": url, "HOST": "127.0.0.1", "PORT": str(free_port())}

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    try:
        first = await start()
        deadline = time.monotonic() + 30
        while len([c for c in announcement_calls(api) if c.ok]) < 50:
            assert time.monotonic() < deadline, "the announcement did not start"
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        second = await start()
        try:
            deadline = time.monotonic() + 60
            while len({c.params["chat_id"] for c in announcement_calls(api) if c.ok}) < 150:
                assert time.monotonic() < deadline, "not everyone got the announcement"
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # anything sent twice would show up by now
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
        counts = Counter(c.params["chat_id"] for c in announcement_calls(api) if c.ok)
        print(f"after kill -9: {len(counts)} people reached, "
              f"{sum(n - 1 for n in counts.values())} messages repeated")
        assert len(counts) == 150
        assert sum(n - 1 for n in counts.values()) <= 3
    finally:
        await api.stop()


async def test_a_reminder_comes_about_a_minute_before_the_event(
        telegram_api: FakeTelegramAPI, tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db",
                             reminder_offsets="1m")
    hub = await create_app(settings)
    await hub.close()
    bot = TelegramHarness(telegram_api, settings.model_copy(update={
        "telegram_bot_token": SecretStr(telegram_api.token)}))
    await bot.start()
    try:
        [greeting, _menu] = await bot.send(40_001, "/start", expect=2)
        assert bot.hub is not None
        created = time.monotonic()
        async with UnitOfWork(bot.hub.database) as uow:
            event = Event(kind="forum", title_ka="რეგიონული ფორუმი", title_en="Regional forum",
                          starts_at=utcnow() + timedelta(seconds=150), municipality="kutaisi",
                          address="111 Tsereteli St.")
            uow.session.add(event)
            await uow.flush()
            person = await uow.people.find(channel="telegram", external_id="40001")
            assert person is not None
            uow.session.add(EventRegistration(event_id=event.id, person_id=person.id))
            await uow.commit()
        [reminder] = (await telegram_api.wait_for_messages(40_001, 3, timeout=120))[2:]
        waited = time.monotonic() - created
        assert "Regional forum" in reminder["text"] and "Reminder" in reminder["text"]
        print(f"reminder arrived {waited:.1f} s after registration; the event starts at 150 s")
        assert 85 <= waited <= 100, waited  # the event starts at 150 s: a minute before
        assert any("Cancel" in label for label in buttons(reminder))
    finally:
        await bot.stop()


@pytest.mark.postgres
async def test_two_processes_drain_one_outbox_without_duplicates(
        postgres_database: str) -> None:
    from tests.conftest import _truncate_postgres

    await _truncate_postgres(postgres_database)
    api = FakeTelegramAPI()
    await api.start()
    settings = load_settings(_env_file=None, database_url=postgres_database,
                             telegram_bot_token=SecretStr(api.token),
                             telegram_api_base_url=api.base_url, telegram_rate_limit=0)
    hubs = [await create_app(settings, migrate=False) for _ in range(2)]
    channels = [TelegramChannel(hub) for hub in hubs]
    try:
        async with UnitOfWork(hubs[0].database) as uow:
            await uow.repo(OutboxRepo).enqueue([
                {"dedupe_key": f"test:{i}", "kind": "notice", "channel": "telegram",
                 "chat_id": str(50_000 + i), "payload": {"replies": [{"text": f"row {i}"}]}}
                for i in range(2000)])
            await uow.commit()
        for channel in channels:
            await channel.start(poll=False)
        workers = [OutboxWorker(hub.database, hub.core.senders, FloodLimits(0)) for hub in hubs]

        async def drain(worker: OutboxWorker) -> int:
            handled = 0
            while (batch := await worker.drain_once()) > 0:
                handled += batch
            return handled

        handled = await asyncio.gather(*(drain(w) for w in workers))
        sent = Counter(c.params["chat_id"] for c in api.calls_to("sendMessage") if c.ok)
        assert len(sent) == 2000 and set(sent.values()) == {1}
        assert all(h > 0 for h in handled), handled  # both processes did part of the work
    finally:
        for channel in channels:
            await channel.stop()
        for hub in hubs:
            await hub.close()
        await api.stop()


def test_quiet_hours_delay_announcements_until_morning() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.services.routines import after_quiet_hours

    tbilisi = ZoneInfo("Asia/Tbilisi")
    settings = load_settings(_env_file=None, quiet_hours="22:00-09:00")
    night = datetime(2026, 11, 24, 23, 30, tzinfo=tbilisi)
    assert after_quiet_hours(night, settings) == datetime(2026, 11, 25, 9, 0, tzinfo=tbilisi)
    early = datetime(2026, 11, 25, 7, 0, tzinfo=tbilisi)
    assert after_quiet_hours(early, settings) == datetime(2026, 11, 25, 9, 0, tzinfo=tbilisi)
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=tbilisi)
    assert after_quiet_hours(noon, settings) == noon
    assert after_quiet_hours(night, load_settings(_env_file=None, quiet_hours="off")) == night
