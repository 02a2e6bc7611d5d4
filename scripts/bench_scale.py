"""Benchmark: what the bot costs on a big database, and how long background work stalls it.

Seeds a database with `--people` people (default 100,000) and what such a hub accumulates:
subscriptions (10 %), hotline tickets with their messages, upcoming events with registrations
(one of 2,000), a year of outbox history, FAQ questions, 1,000 listed organisations. Then prints

- the per-message cost: a few hundred FAQ questions through the core (`hub.core.handle`);
- for each routine (reminder planning, SLA, digest, retention, an announcement to every
  subscriber, /stats, /directory): its duration, the longest event-loop stall while it ran (a
  ticker task records the gaps between `asyncio.sleep(0.005)` wake-ups), the CPU the loop's
  thread spent in that longest gap (what our code held it for: on a busy machine the wall-clock
  gap also holds waits for a core and for the database thread), and the longest wait of a
  message-sized unit of work started every 10 ms meanwhile (on SQLite, the write lock);
- export times: organisations CSV and XLSX, the booklet of 1,000 organisations, the attendees CSV.

Usage: python scripts/bench_scale.py [--people 100000] [--database-url URL] [--questions 300]
       [--seeded FILE]

Seeding 100k people takes minutes: `--seeded FILE` keeps the seeded SQLite database in FILE (or,
with `--database-url`, the seeded PostgreSQL database as `<name>_seeded`) and later runs start from
a fresh copy of it, so every run measures the same starting point.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import HubApp, create_app
from bot.core.messages import Incoming
from bot.exports import org_tables
from bot.exports.attendees import attendee_table
from bot.exports.booklet import build_booklet
from bot.exports.cells import to_csv
from bot.settings import load_settings
from scripts.bench_database import add_database_option, bench_database, keep_seeded, restore
from scripts.bench_seed import (
    BIG_EVENT_REGISTRATIONS,
    ORGANISATIONS,
    STAFF_CHAT,
    catch_up,
    seed_hub,
)
from scripts.bench_watch import StallStacks, Watch
from storage.models_outbox import Announcement
from storage.repos.events_calendar import EventCalendarRepo
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork

QUESTIONS = ["Where is your office?", "სად არის ოფისი?", "sad aris tqveni ofisi",
             "How can I register my organisation?", "what trainings do you have",
             "grantebi xom ar gaqvt?", "როდის ხართ ღია?", "Can you help with a legal question?"]


async def per_message(hub: HubApp, people: int, count: int) -> list[float]:
    """Milliseconds per FAQ question through the core, from existing people."""
    rng = random.Random(11)
    took = []
    for n in range(count):
        user = str(rng.randint(1, people))
        event = Incoming(channel="telegram", user_id=user, chat_id=user, event_key=f"q{n}",
                         text=QUESTIONS[n % len(QUESTIONS)])
        started = time.perf_counter()
        await hub.core.handle(event)
        took.append((time.perf_counter() - started) * 1000)
    return took


async def staff_command(hub: HubApp, text_: str) -> None:
    """A command typed in the staff chat."""
    await hub.core.handle(Incoming(channel="telegram", user_id="900", chat_id=str(STAFF_CHAT),
                                   text=text_, chat_kind="staff", display_name="Staff"))


async def press(hub: HubApp, payload: str) -> None:
    """A button pressed by one of the seeded people."""
    await hub.core.handle(Incoming(channel="telegram", user_id="42", chat_id="42",
                                   payload=payload))


async def new_announcement(hub: HubApp) -> int:
    """A draft to every subscriber."""
    async with UnitOfWork(hub.database) as uow:
        announcement = Announcement(text="ფორუმი ქუთაისში პარასკევს",
                                    audience={"kind": "all", "value": ""}, author="bench")
        uow.session.add(announcement)
        await uow.commit()
    assert announcement.id is not None
    return announcement.id


async def exports(hub: HubApp, event_id: int) -> list[tuple[str, float]]:
    """Seconds per export, each read from the database and built."""
    tz = hub.settings.tz
    out: list[tuple[str, float]] = []

    async def timed(name: str, build: Callable[[], Awaitable[object]]) -> None:
        started = time.perf_counter()
        await build()
        out.append((name, time.perf_counter() - started))

    async def orgs_csv() -> object:
        async with UnitOfWork(hub.database) as uow:
            listed = await uow.repo(OrganisationRepo).listing()
        return org_tables.to_csv(org_tables.rows(listed, language="ka", tz=tz))

    async def orgs_xlsx() -> object:
        async with UnitOfWork(hub.database) as uow:
            listed = await uow.repo(OrganisationRepo).listing()
        return org_tables.to_xlsx(org_tables.rows(listed, language="ka", tz=tz))

    async def booklet() -> object:
        async with UnitOfWork(hub.database) as uow:
            listed = await uow.repo(OrganisationRepo).public()
        return build_booklet(listed, language="ka", generated=datetime.now(UTC))

    async def attendees() -> object:
        async with UnitOfWork(hub.database) as uow:
            found = await uow.repo(EventCalendarRepo).attendee_rows(event_id)
        return to_csv(attendee_table(found, tz))

    await timed(f"organisations CSV ({ORGANISATIONS})", orgs_csv)
    await timed(f"organisations XLSX ({ORGANISATIONS})", orgs_xlsx)
    await timed(f"booklet PDF ({ORGANISATIONS} organisations)", booklet)
    await timed(f"attendees CSV ({BIG_EVENT_REGISTRATIONS} registrations)", attendees)
    return out


def _watch_sql(hub: HubApp, limit: float) -> None:
    """Print statements slower than `limit` seconds (to find what a stall is made of)."""
    from sqlalchemy import event

    @event.listens_for(hub.engine.sync_engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        conn.info["started"] = time.perf_counter()

    @event.listens_for(hub.engine.sync_engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        took = time.perf_counter() - conn.info.get("started", time.perf_counter())
        if took > limit:
            print(f"  slow SQL {took * 1000:.0f} ms: {' '.join(statement.split())[:300]}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=300)
    add_database_option(parser)
    parser.add_argument("--seeded", metavar="FILE", help="reuse the seeded database: a SQLite "
                        "file kept here (PostgreSQL: a template database <name>_seeded)")
    parser.add_argument("--slow-sql", type=float, metavar="MS",
                        help="print the first line of every statement slower than this")
    parser.add_argument("--only", help="run only the work whose name contains this")
    parser.add_argument("--stall-stacks", type=float, metavar="MS", help="after each routine, "
                        "print where the event loop was when it stood still longer than this")
    args = parser.parse_args()
    with bench_database(args.database_url, "scale") as url:
        reused = await restore(url, args.seeded)
        settings = load_settings(_env_file=None, database_url=url, staff_chat_id=STAFF_CHAT,
                                 quiet_hours="off", retention_days=365)
        hub = await create_app(settings)
        logging.getLogger().setLevel(logging.WARNING)
        try:
            started = time.perf_counter()
            if reused:
                big_event = await catch_up(hub)
                how = "a copy of the seeded database"
            else:
                big_event = await seed_hub(hub, args.people)
                how = f"seeded in {time.perf_counter() - started:.0f} s"
                if args.seeded:
                    await keep_seeded(hub, url, args.seeded)
                    await hub.close()
                    hub = await create_app(settings)
            if args.slow_sql:
                _watch_sql(hub, args.slow_sql / 1000)
            stalls = StallStacks(args.stall_stacks / 1000) if args.stall_stacks else None
            print(f"{hub.engine.dialect.name}, {args.people:,} people ({how})")
            took = sorted(await per_message(hub, args.people, args.questions))
            print(f"per message ({args.questions} FAQ questions through the core): "
                  f"median {statistics.median(took):.2f} ms, "
                  f"p95 {took[int(len(took) * 0.95)]:.2f} ms")
            routines = hub.services.routines
            announcement = await new_announcement(hub)
            subscribers = args.people // 10
            work: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("plan reminders (first run after start)", routines.plan_reminders),
                ("plan reminders (a minute later)", routines.plan_reminders),
                ("hotline SLA", routines.raise_overdue_tickets),
                ("daily digest", routines.daily_digest),
                ("retention", routines.purge_old_tickets),
                (f"announcement to {subscribers:,} subscribers (queueing)",
                 lambda: hub.services.announcements.queue(announcement)),
                ("progress report of that announcement",
                 lambda: hub.services.announcements.report({announcement})),
                ("/stats in the staff chat", lambda: staff_command(hub, "/stats")),
                ("/directory, a municipality's 2nd page", lambda: press(hub, "dir:m:kutaisi:5")),
            ]
            print(f"{'work':<48} {'took':>9} {'loop stall':>11} {'(its CPU)':>10} "
                  f"{'message delay':>14}")
            for name, routine in work:
                if args.only and args.only not in name:
                    continue
                watch = Watch(hub, stalls)
                elapsed, _result = await watch.measure(routine())
                print(f"{name:<48} {elapsed * 1000:>7.0f} ms {watch.stall * 1000:>8.0f} ms "
                      f"{watch.cpu_stall * 1000:>7.0f} ms {watch.wait * 1000:>11.0f} ms")
                if stalls is not None:
                    stalls.report()
            for name, seconds in await exports(hub, big_event):
                print(f"{name:<48} {seconds * 1000:>7.0f} ms")
        finally:
            await hub.close()


if __name__ == "__main__":
    asyncio.run(main())
