"""Benchmark: people's questions answered while an announcement goes to 10,000 subscribers.

The stand-in Bot API runs in its own process, as Telegram would, with Telegram's flood limits
(30 messages a second overall, one a second per chat, 20 a minute per group; paid broadcasts
1,000 a second beside them). The bot runs whole (the Telegram channel by long polling, the
scheduler with its outbox worker) on a fresh database holding `--subscribers` subscribers. An
announcement to all of them is queued as staff's "Send" queues it; from its first delivery on, a
question arrives every `--interval` seconds from someone else. The server times each answer (from
the update being offered to the reply arriving) and the announcement (first to last delivery).

By default the bot's own cap is lifted as a hub would lift it for a big announcement:
TELEGRAM_PAID_BROADCAST on (announcements go as paid broadcasts, up to TELEGRAM_PAID_RATE a
second). `--free` keeps the free 30 messages a second, shared by replies and the announcement
(10,000 then take about six minutes; `--subscribers 1000` is quicker).

Usage: python scripts/bench_announce_load.py [--subscribers 10000] [--interval 0.2] [--free]
                                             [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr

from bot.app import HubApp, create_app
from bot.assembly import open_telegram
from bot.settings import load_settings
from scheduler import HubScheduler
from scripts.bench_seed import bulk_insert, reset_id_sequences
from scripts.bench_telegram import fresh_database
from storage.models import Person
from storage.models_outbox import Announcement, Subscription
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI

TOKEN = "123456:LOAD-TOKEN"
STAFF_CHAT = -1001234567890
FIRST_SUBSCRIBER = 1_000_000
FIRST_ASKER = 9_000_000
BASELINE_QUESTIONS = 20
TEXT = "📣 ფორუმი ქუთაისში, პარასკევს 11:00 — ყველას გეპატიჟებით!"
QUESTIONS = ["Where is your office?", "სად არის ოფისი?", "როდის ხართ ღია?",
             "How can I register my organisation?", "what trainings do you have",
             "grantebi xom ar gaqvt?"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def serve(subscribers: int, interval: float) -> None:
    """The stand-in server process: time the announcement and the answers meanwhile."""
    async with FakeTelegramAPI(TOKEN, overall_rate=30, per_chat_rate=1,
                               group_per_minute=20) as api:
        api.set_forum(STAFF_CHAT, False)
        print(api.base_url, flush=True)
        last_subscriber = FIRST_SUBSCRIBER + subscribers
        delivered: set[int] = set()
        first = last = 0.0
        asked: dict[int, float] = {}  # asker -> when the question was offered
        answered: dict[int, float] = {}  # asker -> seconds to the answer
        seen, next_question, asker = 0, 0.0, FIRST_ASKER
        # First the same questions with nothing else going on, for comparison.
        for _ in range(BASELINE_QUESTIONS):
            api.push_text(asker, QUESTIONS[asker % len(QUESTIONS)], language_code="en")
            asked[asker] = time.monotonic()
            await api.wait_for_messages(asker, 1, timeout=30)
            answered[asker] = api.calls_to("sendMessage")[-1].at - asked[asker]
            asker += 1
            await asyncio.sleep(interval)
        quiet = list(answered.values())
        asked.clear()
        answered.clear()
        print("go", flush=True)  # the bot queues the announcement now
        while len(delivered) < subscribers or len(answered) < len(asked):
            await asyncio.sleep(0.005)
            calls = api.calls
            for call in calls[seen:]:
                if call.method not in ("sendMessage", "copyMessage") or not call.ok:
                    continue
                chat = call.params.get("chat_id")
                if not isinstance(chat, int):
                    continue
                if FIRST_SUBSCRIBER <= chat < last_subscriber:
                    delivered.add(chat)
                    first, last = first or call.at, call.at
                elif chat in asked and chat not in answered:
                    answered[chat] = call.at - asked[chat]
            seen = len(calls)
            now = time.monotonic()
            if first and len(delivered) < subscribers and now >= next_question:
                api.push_text(asker, QUESTIONS[asker % len(QUESTIONS)],
                              language_code="ka" if asker % 2 else "en")
                asked[asker] = time.monotonic()
                asker += 1
                next_question = now + interval
        times = list(answered.values())
        print(json.dumps({"quiet_p50": statistics.median(quiet), "quiet_max": max(quiet),
            "delivered": len(delivered), "seconds": last - first, "questions": len(times),
            "p50": statistics.median(times), "p95": _percentile(times, 0.95), "max": max(times),
            "over_1s": sum(t > 1 for t in times), "too_many_requests": api.too_many_requests,
        }), flush=True)
        await asyncio.sleep(1.0)  # the bot's last calls complete


async def seed(hub: HubApp, subscribers: int) -> None:
    """People who subscribed to everything."""
    now = datetime.now(UTC)
    people = [{"id": i + 1, "channel": "telegram", "external_id": str(FIRST_SUBSCRIBER + i),
               "chat_id": str(FIRST_SUBSCRIBER + i), "display_name": f"Person {i}",
               "language": "ka" if i % 3 else "en", "first_seen": now, "last_seen": now,
               "last_inbound_at": now} for i in range(subscribers)]
    subscriptions = [{"person_id": i + 1, "topics": ["hub", "forums"], "municipality": None,
                      "created_at": now} for i in range(subscribers)]
    await bulk_insert(hub, Person, people)
    await bulk_insert(hub, Subscription, subscriptions)
    await reset_id_sequences(hub, ("person",))


async def run(args: argparse.Namespace, database_url: str) -> dict[str, float]:
    """Start the server process and the bot; queue the announcement; return the server's figures."""
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--subscribers", str(args.subscribers),
        "--interval", str(args.interval), stdout=asyncio.subprocess.PIPE)
    assert server.stdout is not None
    base_url = (await server.stdout.readline()).decode().strip()
    settings = load_settings(
        _env_file=None, database_url=database_url, telegram_bot_token=SecretStr(TOKEN),
        telegram_api_base_url=base_url, staff_chat_id=STAFF_CHAT, staff_language="en",
        quiet_hours="off", telegram_paid_broadcast=not args.free)
    hub = await create_app(settings)
    logging.getLogger().setLevel(logging.WARNING)
    await seed(hub, args.subscribers)
    channel = open_telegram(hub)
    await channel.start(poll_timeout=1)
    scheduler = HubScheduler(hub)
    scheduler.start()
    try:
        assert (await server.stdout.readline()).decode().strip() == "go"
        async with UnitOfWork(hub.database) as uow:
            announcement = Announcement(text=TEXT, audience={"kind": "all", "value": ""},
                                        author="bench")
            uow.session.add(announcement)
            await uow.commit()
        started = time.perf_counter()
        queued = await hub.services.announcements.queue(announcement.id or 0)  # as Send does
        print(f"queued {queued:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        result = json.loads((await server.stdout.readline()).decode())
    finally:
        await scheduler.stop()
        await channel.stop()
        await hub.close()
        await server.wait()
    return result  # type: ignore[no-any-return]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=0.2,
                        help="seconds between two questions")
    parser.add_argument("--free", action="store_true",
                        help="no paid broadcasts: 30 messages a second for everything")
    parser.add_argument("--database-url", help="a PostgreSQL server (a fresh database is "
                        "created there and dropped); default a fresh SQLite file")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        await serve(args.subscribers, args.interval)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        async with fresh_database(args.database_url, folder) as url:
            result = await run(args, url)
    database = "PostgreSQL" if args.database_url else "SQLite"
    mode = "free (30 messages/s for everything)" if args.free else "paid broadcast"
    print(f"{database}, {args.subscribers:,} subscribers, {mode}")
    print(f"announcement: {result['delivered']:,} delivered in {result['seconds']:.1f} s "
          f"({result['delivered'] / max(result['seconds'], 0.001):.0f}/s); "
          f"429 answers: {result['too_many_requests']}")
    print(f"questions before it: {BASELINE_QUESTIONS}, answered in p50 "
          f"{result['quiet_p50'] * 1000:.0f} ms, max {result['quiet_max'] * 1000:.0f} ms")
    print(f"questions meanwhile: {result['questions']}, answered in p50 "
          f"{result['p50'] * 1000:.0f} ms, p95 {result['p95'] * 1000:.0f} ms, max "
          f"{result['max'] * 1000:.0f} ms; over 1 s: {result['over_1s']}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
