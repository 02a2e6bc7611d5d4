"""Benchmark: the whole bot answering FAQ questions vs a bare PTB echo bot, same stand-in server.

150 people send 10 questions each (1,500 updates, all queued before the bot starts). The
stand-in Bot API runs in its own process, as Telegram would, and times from the first
getUpdates that returns work to the last reply. Measured: (a) a bare python-telegram-bot echo
bot with default settings, (b) the same with concurrent updates, (c) the hub bot (a fresh SQLite
file, or with --database-url a fresh database on that PostgreSQL server, dropped afterwards).
The hub bot runs with TELEGRAM_RATE_LIMIT=0 here: at the production 30 msg/s the flood limit,
not the bot, would set the time (1,500 / 30 = 50 s).

Timings on a shared machine wander by ±10 %, so the three run in turn for several rounds and
the medians are compared. The questions are ten everyday ones asked over and over; --varied
draws them from the FAQ evaluation set instead (192 different phrasings, typos, off-topic), so
that little is the same twice.

Usage: python scripts/bench_telegram.py [--people 150] [--questions 10] [--rounds 3] [--varied]
                                        [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import create_app
from bot.assembly import open_telegram
from bot.settings import load_settings, normalise_database_url
from tests.fakes.telegram_api import FakeTelegramAPI

QUESTIONS = [
    "Where is your office?", "სად მდებარეობს თქვენი ოფისი?", "who funds the hub?",
    "rogor gavxde hubis wevri", "is there a legal hotline?", "როდის იქნება ფორუმი?",
    "help with project writing", "ტრენინგები ანგარიშვალდებულებაზე", "which municipalities",
    "what data do you keep about me",
]
KINDS = ("echo", "echo-concurrent", "hub")
TARGET = {"SQLite": 1.5, "PostgreSQL": 1.7}  # issue #12: the hub at most this × the echo bot
TOKEN = "123456:BENCH-TOKEN"


def question_list(varied: bool) -> list[str]:
    """The questions people ask, in order of asking."""
    if not varied:
        return QUESTIONS
    rows = (ROOT / "tests" / "faq_eval" / "questions.tsv").read_text(encoding="utf-8")
    queries = [line.split("\t")[2] for line in rows.splitlines()[1:] if line.strip()]
    random.Random(7).shuffle(queries)
    return queries


async def serve(people: int, questions: int, varied: bool) -> None:
    """The stand-in server process: queue the load, report the port, time the replies."""
    asked = question_list(varied)
    async with FakeTelegramAPI(TOKEN) as api:
        for q in range(questions):
            for person in range(people):
                api.push_text(10_000 + person, asked[(q * people + person) % len(asked)]
                              if varied else asked[q % len(asked)],
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
    channel = open_telegram(app)
    await channel.start(poll_timeout=1)

    async def stop() -> None:
        await channel.stop()
        await app.close()
    return stop, None


@asynccontextmanager
async def fresh_database(server_url: str | None, directory: str) -> AsyncIterator[str]:
    """A new, empty database for one run: a SQLite file, or a database on a PostgreSQL server."""
    if server_url is None:
        yield f"sqlite+aiosqlite:///{directory}/bench-{uuid.uuid4().hex}.db"
        return
    import asyncpg  # only needed against PostgreSQL
    from sqlalchemy.engine import make_url

    url = make_url(normalise_database_url(server_url))
    name = f"hubbench_{uuid.uuid4().hex[:12]}"
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(plain)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def measure(kind: str, args: argparse.Namespace, directory: str) -> tuple[float, float]:
    """Run the server process and one bot; returns the server-measured seconds and the bot's
    CPU seconds meanwhile (which a busy machine distorts far less than the wall clock)."""
    if kind != "hub":
        return await _measure(kind, args, "")
    async with fresh_database(args.database_url, directory) as url:
        return await _measure(kind, args, url)


async def _measure(kind: str, args: argparse.Namespace,
                   database_url: str) -> tuple[float, float]:
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--people", str(args.people), "--questions",
        str(args.questions), *(["--varied"] if args.varied else []),
        stdout=asyncio.subprocess.PIPE)
    assert server.stdout is not None
    base_url = (await server.stdout.readline()).decode().strip()
    if kind == "hub":
        stop, _ = await hub_bot(base_url, database_url)
    else:
        stop, _ = await echo_bot(base_url, concurrent=kind == "echo-concurrent")
    cpu = time.process_time()
    seconds = float((await server.stdout.readline()).decode())
    cpu = time.process_time() - cpu
    await stop()  # type: ignore[operator]
    await server.wait()
    return seconds, cpu


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--varied", action="store_true",
                        help="questions from the FAQ evaluation set instead of ten everyday ones")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server (a fresh database is created there per run)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        await serve(args.people, args.questions, args.varied)
        return 0
    total = args.people * args.questions
    results: dict[str, list[float]] = {kind: [] for kind in KINDS}
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{total} questions ({'varied' if args.varied else 'ten everyday ones'}) from "
          f"{args.people} people; hub database: {database}; {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(1, args.rounds + 1):
            for kind in KINDS:
                seconds, used = await measure(kind, args, tmp)
                results[kind].append(seconds)
                cpu[kind].append(used)
            print(f"round {round_}: " + ", ".join(f"{kind} {results[kind][-1]:.2f} s"
                                                 for kind in KINDS), flush=True)
    median = {kind: statistics.median(times) for kind, times in results.items()}
    used = {kind: statistics.median(times) for kind, times in cpu.items()}
    for kind in KINDS:
        print(f"{kind:>16}: median {median[kind]:6.2f} s ({total / median[kind]:7.1f} replies/s), "
              f"bot CPU {used[kind]:6.2f} s")
    target = TARGET[database]
    print(f"hub / echo (default PTB) = {median['hub'] / median['echo']:.2f}×  (target ≤ {target}×)")
    print(f"hub / echo (concurrent)  = {median['hub'] / median['echo-concurrent']:.2f}×")
    print(f"bot CPU, hub / echo      = {used['hub'] / used['echo']:.2f}×  (both count all the bot's "
          "threads; on a quiet machine the wall-clock ratio will not be far below it)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
