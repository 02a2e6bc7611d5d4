"""Benchmark: the whole bot answering FAQ questions vs a bare PTB echo bot, same stand-in server.

150 people send 10 questions each (1,500 updates, queued at once). We time from the first
getUpdates to the last reply, for (a) a bare python-telegram-bot echo bot with default settings,
(b) the same echo bot with concurrent updates, and (c) the hub bot (SQLite file, or
--database-url for PostgreSQL). The hub bot runs with TELEGRAM_RATE_LIMIT=0 here: at the
production 30 msg/s the flood limit, not the bot, would set the time (1,500 / 30 = 50 s).

Usage: python scripts/bench_telegram.py [--people 150] [--questions 10] [--database-url URL]
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
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

QUESTIONS = [
    "Where is your office?", "სად მდებარეობს თქვენი ოფისი?", "who funds the hub?",
    "rogor gavxde hubis wevri", "is there a legal hotline?", "როდის იქნება ფორუმი?",
    "help with project writing", "ტრენინგები ანგარიშვალდებულებაზე", "which municipalities",
    "what data do you keep about me",
]


def push_load(api: FakeTelegramAPI, people: int, questions: int) -> int:
    """Queue every question; returns how many replies to wait for."""
    for q in range(questions):
        for person in range(people):
            api.push_text(10_000 + person, QUESTIONS[q % len(QUESTIONS)],
                          language_code="ka" if person % 2 else "en")
    return people * questions


async def wait_for_replies(api: FakeTelegramAPI, total: int) -> float:
    """Seconds from now until `total` messages were sent."""
    start = time.perf_counter()
    while len(api.sent_messages()) < total:
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


async def echo(api: FakeTelegramAPI, total: int, *, concurrent: bool) -> float:
    """A bare PTB echo bot."""
    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    application = (ApplicationBuilder().token(api.token).base_url(api.base_url)
                   .base_file_url(api.base_file_url).concurrent_updates(concurrent).build())
    application.add_handler(MessageHandler(filters.TEXT, reply))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        seconds = await wait_for_replies(api, total)
        await application.updater.stop()
        await application.stop()
    return seconds


async def hub(api: FakeTelegramAPI, total: int, database_url: str) -> float:
    """The whole hub bot."""
    settings = load_settings(_env_file=None, database_url=database_url,
                             telegram_bot_token=SecretStr(api.token),
                             telegram_api_base_url=api.base_url, telegram_rate_limit=0)
    app = await create_app(settings)
    channel = TelegramChannel(app)
    await channel.start(poll_timeout=1)
    seconds = await wait_for_replies(api, total)
    await channel.stop()
    await app.close()
    return seconds


async def measure(kind: str, people: int, questions: int, database_url: str) -> float:
    async with FakeTelegramAPI() as api:
        total = push_load(api, people, questions)
        if kind == "echo":
            return await echo(api, total, concurrent=False)
        if kind == "echo-concurrent":
            return await echo(api, total, concurrent=True)
        return await hub(api, total, database_url)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        total = args.people * args.questions
        results = {}
        for kind in ("echo", "echo-concurrent", "hub"):
            results[kind] = await measure(kind, args.people, args.questions, url)
            print(f"{kind:>16}: {total} replies in {results[kind]:6.2f} s "
                  f"({total / results[kind]:7.1f} replies/s)", flush=True)
    print(f"hub / echo (default PTB) = {results['hub'] / results['echo']:.2f}×  (target ≤ 2.0×)")
    print(f"hub / echo (concurrent)  = {results['hub'] / results['echo-concurrent']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
