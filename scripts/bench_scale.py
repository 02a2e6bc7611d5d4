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
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text
from sqlmodel import select

from bot.app import HubApp, create_app
from bot.core.messages import Incoming
from bot.exports import org_tables
from bot.exports.attendees import attendee_table
from bot.exports.booklet import build_booklet
from bot.exports.cells import to_csv
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from bot.settings import load_settings
from storage.models import FaqQuestion, Person
from storage.models_events import CONFIRMED, WAITLISTED, Event, EventRegistration
from storage.models_hotline import Ticket, TicketMessage
from storage.models_orgs import APPROVED, Organisation
from storage.models_outbox import Announcement, OutboxMessage, Subscription
from storage.repos.events_calendar import EventCalendarRepo
from storage.repos.organisations import OrganisationRepo
from storage.uow import UnitOfWork

STAFF_CHAT = -1001234567890
CHUNK = 5_000
BIG_EVENT_REGISTRATIONS = 2_000
ORGANISATIONS = 1_000
QUESTIONS = ["Where is your office?", "სად არის ოფისი?", "sad aris tqveni ofisi",
             "How can I register my organisation?", "what trainings do you have",
             "grantebi xom ar gaqvt?", "როდის ხართ ღია?", "Can you help with a legal question?"]


async def _bulk(hub: HubApp, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        async with UnitOfWork(hub.database) as uow:
            await uow.session.execute(insert(model), rows[start:start + CHUNK])
            await uow.commit()


async def seed(hub: HubApp, people: int) -> int:
    """Fill the database; returns the id of the event with 2,000 registrations."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    municipalities = [m for m in MUNICIPALITIES if m != "other"]
    await _bulk(hub, Person, [
        {"id": i, "channel": "telegram", "external_id": str(i), "chat_id": str(i),
         "display_name": f"Person {i}", "language": "ka" if i % 3 else "en",
         "first_seen": now - timedelta(days=i % 400), "last_seen": now,
         "last_inbound_at": now} for i in range(1, people + 1)])
    await _bulk(hub, Subscription, [
        {"person_id": i, "topics": ["hub", "forums"] if i % 2 else ["funding"],
         "municipality": None if i % 4 else rng.choice(municipalities),
         "created_at": now} for i in range(1, people + 1, 10)])
    await _bulk(hub, Organisation, [
        {"id": i, "name_ka": f"ორგანიზაცია {i} — სამოქალაქო ინიციატივა",
         "name_en": f"Organisation {i}", "legal_form": "nnle", "id_code": f"{200_000_000 + i}",
         "municipality": municipalities[i % len(municipalities)], "areas": ["youth", "sp2"],
         "contact_name": "ნინო ბერიძე", "phone": "+995555123456", "email": f"org{i}@example.ge",
         "website": "https://example.ge", "description": "ახალგაზრდების ჩართულობა ადგილობრივ "
         "ცხოვრებაში, ტრენინგები და ფორუმები იმერეთის მუნიციპალიტეტებში.",
         "consent_store_at": now, "consent_public_at": now, "status": APPROVED,
         "person_id": i * 7, "created_at": now, "updated_at": now}
        for i in range(1, ORGANISATIONS + 1)])
    events = [{"id": i, "kind": "forum", "title_ka": f"ფორუმი {i}", "title_en": f"Forum {i}",
               "starts_at": now + timedelta(days=i - 20, hours=3), "municipality": "kutaisi",
               "address": "111 Tsereteli St.", "capacity": 1_900 if i == 20 else None,
               "created_at": now - timedelta(days=30), "updated_at": now - timedelta(days=30)}
              for i in range(1, 61)]
    await _bulk(hub, Event, events)
    big = 20  # starts in three hours
    registrations, person = [], 1
    for event in range(20, 61):
        count = BIG_EVENT_REGISTRATIONS if event == big else people // 5 // 40
        for n in range(count):
            waiting = event == big and n >= 1_900
            registrations.append({
                "event_id": event, "person_id": person, "participants": 1, "names": [],
                "organisation_id": (n % ORGANISATIONS) + 1 if n % 2 else None,
                "status": WAITLISTED if waiting else CONFIRMED,
                "position": n if waiting else None,
                "created_at": now - timedelta(days=2), "updated_at": now - timedelta(days=2)})
            person = person % people + 1
    await _bulk(hub, EventRegistration, registrations)
    tickets = []
    for i in range(1, people // 10 + 1):
        created = now - timedelta(hours=rng.randint(1, 24 * 500))
        closed = i % 10 != 0
        tickets.append({
            "id": i, "person_id": i * 3 % people + 1, "channel": "telegram", "language": "ka",
            "topic": rng.choice(list(TOPICS)), "municipality": rng.choice(municipalities),
            "question": "კითხვა", "status": "closed" if closed else "open",
            "staff_thread_id": 10_000 + i, "staff_card_message_id": 50_000 + i,
            "created_at": created, "closed_at": created + timedelta(days=2) if closed else None,
            "first_staff_reply_at": created + timedelta(hours=rng.randint(1, 48))
            if i % 3 else None, "rating": rng.randint(1, 5) if i % 4 == 0 else None})
    await _bulk(hub, Ticket, tickets)
    await _bulk(hub, TicketMessage, [
        {"ticket_id": t["id"], "direction": d, "text": "ტექსტი", "created_at": t["created_at"],
         "staff_message_id": 90_000 + 2 * t["id"] + (d == "out")}
        for t in tickets for d in ("in", "out")])
    await _bulk(hub, FaqQuestion, [
        {"person_id": i, "language": "ka", "query": "სად არის ოფისი", "answer_id": "office",
         "score": 0.9, "created_at": now - timedelta(hours=i % 9_000)}
        for i in range(1, people + 1, 2)])
    await _bulk(hub, Announcement, [{"id": i, "text": "ძველი განცხადება", "audience": {
        "kind": "all", "value": ""}, "status": "done", "created_at": now - timedelta(days=i)}
        for i in range(1, 401)])
    await _bulk(hub, OutboxMessage, [
        {"dedupe_key": f"telegram:{i}:announcement:{i % 400 + 1}", "kind": "announcement",
         "person_id": i, "channel": "telegram", "chat_id": str(i),
         "payload": {"replies": [{"text": "ძველი განცხადება"}]}, "state": "sent",
         "batch_id": i % 400 + 1, "not_before": now - timedelta(days=i % 400),
         "created_at": now - timedelta(days=i % 400), "sent_at": now - timedelta(days=i % 400)}
        for i in range(1, people + 1)])
    if hub.engine.dialect.name == "postgresql":
        async with UnitOfWork(hub.database) as uow:
            for table in ("person", "organisation", "event", "ticket", "announcement"):
                await uow.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
            await uow.commit()
        async with hub.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE"))
    else:
        async with UnitOfWork(hub.database) as uow:
            await uow.session.execute(text("ANALYZE"))
            await uow.commit()
    return big


class StallStacks:
    """Where the event loop stands still: a thread samples the loop thread's stack whenever the
    ticker has not run for `threshold` seconds (`--stall-stacks`)."""

    def __init__(self, threshold: float) -> None:
        import threading

        self.threshold = threshold
        self.beat = time.perf_counter()
        self.samples: dict[str, int] = {}
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import traceback

        while not self._stop.wait(0.005):
            if time.perf_counter() - self.beat < self.threshold:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            if stack and stack[-1].name in ("select", "_read_from_self"):
                continue  # waiting for a core, or for the database thread to let go
            lines = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack][-8:]
            key = " <- ".join(reversed(lines))
            self.samples[key] = self.samples.get(key, 0) + 1

    def report(self) -> None:
        self._stop.set()
        for key, count in sorted(self.samples.items(), key=lambda kv: -kv[1])[:8]:
            print(f"    {count * 5:>5} ms  {key}")
        self.samples.clear()
        self._stop.clear()
        self._thread = __import__("threading").Thread(target=self._sample, daemon=True)
        self._thread.start()


STALLS: StallStacks | None = None


class Watch:
    """While work runs: the longest event-loop stall and the longest wait of a small unit of work."""

    def __init__(self, hub: HubApp) -> None:
        self.hub = hub
        self.stall = 0.0
        self.cpu_stall = 0.0
        self.wait = 0.0
        self._running = True

    async def _ticker(self) -> None:
        loop = asyncio.get_running_loop()
        last, last_cpu = loop.time(), time.thread_time()
        while self._running:
            await asyncio.sleep(0.005)
            now, cpu = loop.time(), time.thread_time()
            if STALLS is not None:
                STALLS.beat = time.perf_counter()
            gap = now - last - 0.005
            self.stall = max(self.stall, gap)
            # The same gap counting only the CPU the loop's thread used in it: the work that held
            # the loop. On a busy machine the process also waits for a core (and the loop for
            # the database thread's turn), which the wall-clock column includes.
            self.cpu_stall = max(self.cpu_stall, min(gap, cpu - last_cpu))
            last, last_cpu = now, cpu

    async def _prober(self) -> None:
        loop = asyncio.get_running_loop()
        while self._running:
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            async with UnitOfWork(self.hub.database) as uow:  # what a message does first
                await uow.session.exec(select(Person.id).limit(1))
            self.wait = max(self.wait, loop.time() - due)  # stalls and lock waits alike

    async def measure(self, work: Awaitable[Any]) -> tuple[float, Any]:
        """Run `work` under watch; its duration and result."""
        tasks = [asyncio.create_task(self._ticker()), asyncio.create_task(self._prober())]
        await asyncio.sleep(0.02)
        self.stall = self.cpu_stall = self.wait = 0.0
        started = time.perf_counter()
        try:
            result = await work
        finally:
            elapsed = time.perf_counter() - started
            self._running = False
            await asyncio.gather(*tasks)
        return elapsed, result


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


async def _admin(url: str, *statements: str) -> None:
    """Run statements on the PostgreSQL server of `url` (outside any database we copy)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(make_url(url).set(database="postgres"),
                                 isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _pg_has(url: str, name: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(make_url(url).set(database="postgres"))
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                             {"n": name})).first() is not None
    finally:
        await engine.dispose()


async def restore(url: str, seeded: str | None) -> bool:
    """Start from a copy of the seeded database when there is one; True if so."""
    if not seeded:
        return False
    if url.startswith("sqlite"):
        if not Path(seeded).exists():
            return False
        shutil.copyfile(seeded, url.split("///", 1)[1])
        return True
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    if not await _pg_has(url, f"{name}_seeded"):
        return False
    await _admin(url, f'DROP DATABASE IF EXISTS "{name}"',
                 f'CREATE DATABASE "{name}" TEMPLATE "{name}_seeded"')
    return True


async def keep_seeded(hub: HubApp, url: str, seeded: str) -> None:
    """Keep what was just seeded for the next runs (a file copy, or a template database)."""
    await hub.database.dispose()
    if url.startswith("sqlite"):
        import sqlite3

        source, target = sqlite3.connect(url.split("///", 1)[1]), sqlite3.connect(seeded)
        try:
            source.backup(target)  # one file, the write-ahead log folded in
        finally:
            source.close()
            target.close()
        return
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    await _admin(url, f'DROP DATABASE IF EXISTS "{name}_seeded"',
                 f'CREATE DATABASE "{name}_seeded" TEMPLATE "{name}"')


async def catch_up(hub: HubApp) -> int:
    """A reused seed: events move by the time since seeding, so they are as near as seeded."""
    async with UnitOfWork(hub.database) as uow:
        seeded_at = (await uow.session.exec(select(Person.last_seen).order_by(
            Person.last_seen.desc()).limit(1))).one()  # type: ignore[attr-defined]
        if seeded_at.tzinfo is None:
            seeded_at = seeded_at.replace(tzinfo=UTC)
        shift = datetime.now(UTC) - seeded_at
        for event in (await uow.session.exec(select(Event))).all():
            event.starts_at += shift
            uow.session.add(event)
        await uow.commit()
    return 20


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default a "
                        "SQLite file in a temporary folder")
    parser.add_argument("--seeded", metavar="FILE", help="reuse the seeded database: a SQLite "
                        "file kept here (PostgreSQL: a template database <name>_seeded)")
    parser.add_argument("--slow-sql", type=float, metavar="MS",
                        help="print the first line of every statement slower than this")
    parser.add_argument("--only", help="run only the work whose name contains this")
    parser.add_argument("--stall-stacks", type=float, metavar="MS", help="after each routine, "
                        "print where the event loop was when it stood still longer than this")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # sqlmodel on execute()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/scale.db"
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
                big_event = await seed(hub, args.people)
                how = f"seeded in {time.perf_counter() - started:.0f} s"
                if args.seeded:
                    await keep_seeded(hub, url, args.seeded)
                    await hub.close()
                    hub = await create_app(settings)
            if args.slow_sql:
                _watch_sql(hub, args.slow_sql / 1000)
            if args.stall_stacks:
                global STALLS
                STALLS = StallStacks(args.stall_stacks / 1000)
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
                watch = Watch(hub)
                elapsed, _result = await watch.measure(routine())
                print(f"{name:<48} {elapsed * 1000:>7.0f} ms {watch.stall * 1000:>8.0f} ms "
                      f"{watch.cpu_stall * 1000:>7.0f} ms {watch.wait * 1000:>11.0f} ms")
                if STALLS is not None:
                    STALLS.report()
            for name, seconds in await exports(hub, big_event):
                print(f"{name:<48} {seconds * 1000:>7.0f} ms")
        finally:
            await hub.close()


if __name__ == "__main__":
    asyncio.run(main())
