"""Benchmark: how long people wait for FAQ answers while Telegram is slow for the staff chat.

A person sends a hotline question; the stand-in Bot API takes `--topic-seconds` (8) to open its
staff topic. Meanwhile `--people` (5) others ask "Where is your office?". Printed: each one's
wait from the update being available to the answer arriving at the stand-in, and when the topic
call returned. Before the outbox carried ticket work, the topic was opened inside a unit of
work holding the SQLite write lock, and everyone waited for it (4.7 s for an FAQ answer).

Usage: python scripts/bench_slow_telegram.py [--topic-seconds 8] [--people 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from bot.settings import load_settings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.telegram_harness import TelegramHarness, buttons  # noqa: E402

STAFF_CHAT = -1007000
ASKER = 9000


async def tap(api: FakeTelegramAPI, person: int, label: str) -> None:
    """Press the button starting with `label` under the latest message to `person`."""
    before = len(api.sent_messages(person))
    message = api.sent_messages(person)[-1]
    [data] = [d for text, d in buttons(message).items() if text.startswith(label)]
    api.push_callback(person, data, message_id=message["message_id"])
    await api.wait_for_messages(person, before + 1, timeout=30)


async def say(api: FakeTelegramAPI, person: int, text: str) -> None:
    """Send text and wait for the answer."""
    before = len(api.sent_messages(person))
    api.push_text(person, text)
    await api.wait_for_messages(person, before + 1, timeout=30)


async def run(topic_seconds: float, people: int, database_url: str) -> None:
    """One round: the slow topic, and the FAQ answers given meanwhile."""
    api = FakeTelegramAPI()
    await api.start()
    api.set_forum(STAFF_CHAT, True)
    settings = load_settings(_env_file=None, database_url=database_url,
                             telegram_bot_token=SecretStr(api.token), staff_chat_id=STAFF_CHAT,
                             staff_language="en")
    bot = TelegramHarness(api, settings)
    await bot.start()
    try:
        await say(api, ASKER, "/ask")
        for label in ("⚖️", "Kutaisi"):
            await tap(api, ASKER, label)
        await say(api, ASKER, "Our association needs advice on a rental contract.")
        for label in ("✅", "💬", "✅"):
            await tap(api, ASKER, label)
        api.fault_next("createForumTopic", "late", seconds=topic_seconds)
        await tap(api, ASKER, "📨")
        while "createForumTopic" not in api.started:
            await asyncio.sleep(0.01)
        asked = time.monotonic()
        others = [9100 + i for i in range(people)]
        for person in others:
            api.push_text(person, "Where is your office?")
        waits = []
        for person in others:
            [answer] = await api.wait_for_messages(person, 1, timeout=60)
            call = next(c for c in api.calls_to("sendMessage")
                        if c.params.get("chat_id") == person)
            waits.append(call.at - asked)
            assert "Kutaisi" in answer["text"]
        topic = await api.wait_for_call("createForumTopic", timeout=topic_seconds + 30)
        print(f"FAQ answers while the topic took {topic_seconds:g} s: "
              + ", ".join(f"{w:.2f} s" for w in waits)
              + f" (slowest {max(waits):.2f} s); the topic call returned after "
                f"{topic.at - asked:.2f} s")
    finally:
        await bot.stop()
        await api.stop()


def main() -> None:
    """Parse arguments and run one round."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic-seconds", type=float, default=8.0)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        if args.database_url is None:
            from bot.app import create_app

            async def migrate() -> None:
                hub = await create_app(load_settings(_env_file=None, database_url=url))
                await hub.close()
            asyncio.run(migrate())
        asyncio.run(run(args.topic_seconds, args.people, url))


if __name__ == "__main__":
    main()
