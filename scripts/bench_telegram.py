"""Benchmark: the whole bot answering FAQ questions vs a bare PTB echo bot, same stand-in server.

150 people send 10 questions each (1,500 updates, all queued before the bot starts). The
stand-in Bot API runs in its own process, as Telegram would, and times from the first
getUpdates that returns work to the last reply. Measured: (a) a bare python-telegram-bot echo
bot with default settings, (b) the same with concurrent updates, (c) the hub bot (SQLite file,
or --database-url for PostgreSQL). The hub bot runs with TELEGRAM_RATE_LIMIT=0 here: at the
production 30 msg/s the flood limit, not the bot, would set the time (1,500 / 30 = 50 s).

Usage: python scripts/bench_telegram.py [--people 150] [--questions 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
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
KINDS = ("echo", "echo-concurrent", "hub")
TOKEN = "123456:BENCH-TOKEN"


async def serve(people: int, questions: int) -> None:
    """The stand-in server process: queue the load, report the port, time the replies."""
    async with FakeTelegramAPI(TOKEN) as api:
        for q in range(questions):
            for person in range(people):
                api.push_text(10_000 + person, QUESTIONS[q % len(QUESTIONS)],
                              language_code="ka" if person % 2 else "en")
        total = people * questions
        print(api.base_url, flush=True)
        while not any(c.method == "getUpdates" and c.response.get("result") for c in api.calls):
            await asyncio.sleep(0.001)
        started = next(c.at for c in api.calls
                       if c.method == "getUpdates" and c.response.get("result"))
        while len(api.sent_messages()) < total:
            await asyncio.sleep(0.02)
        finished = max(c.at for c in api.calls if c.method == "sendMessage")
        print(f"{finished - started:.3f}", flush=True)
        await asyncio.sleep(0.5)  # let the bot's last calls complete


async def echo_bot(base_url: str, *, concurrent: bool) -> tuple[object, object]:
    """Start a bare PTB echo bot; returns (start, stop) helpers' state."""
    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    application = (ApplicationBuilder().token(TOKEN).base_url(base_url)
                   .concurrent_updates(concurrent).build())
    application.add_handler(MessageHandler(filters.TEXT, reply))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop() -> None:
        assert application.updater is not None
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
    return stop, None


async def hub_bot(base_url: str, database_url: str) -> tuple[object, object]:
    """Start the whole hub bot against the stand-in server."""
    settings = load_settings(_env_file=None, database_url=database_url,
                             telegram_bot_token=SecretStr(TOKEN),
                             telegram_api_base_url=base_url, telegram_rate_limit=0)
    app = await create_app(settings)
    channel = TelegramChannel(app)
    await channel.start(poll_timeout=1)

    async def stop() -> None:
        await channel.stop()
        await app.close()
    return stop, None


async def measure(kind: str, people: int, questions: int, database_url: str) -> float:
    """Run the server process and one bot; returns the server-measured seconds."""
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--people", str(people), "--questions",
        str(questions), stdout=asyncio.subprocess.PIPE)
    assert server.stdout is not None
    base_url = (await server.stdout.readline()).decode().strip()
    if kind == "hub":
        stop, _ = await hub_bot(base_url, database_url)
    else:
        stop, _ = await echo_bot(base_url, concurrent=kind == "echo-concurrent")
    seconds = float((await server.stdout.readline()).decode())
    await stop()  # type: ignore[operator]
    await server.wait()
    return seconds


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        await serve(args.people, args.questions)
        return 0
    total = args.people * args.questions
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"{total} questions from {args.people} people; hub database: {url.split('://')[0]}")
        for kind in KINDS:
            results[kind] = await measure(kind, args.people, args.questions, url)
            print(f"{kind:>16}: {results[kind]:6.2f} s ({total / results[kind]:7.1f} replies/s)",
                  flush=True)
    print(f"hub / echo (default PTB) = {results['hub'] / results['echo']:.2f}×  (target ≤ 2.0×)")
    print(f"hub / echo (concurrent)  = {results['hub'] / results['echo-concurrent']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
