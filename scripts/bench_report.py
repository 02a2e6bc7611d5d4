"""Benchmark: the donor report (PDF and XLSX) of a busy year.

Seeds a year of a busy hub — 20,000 people, 5,000 tickets, 300 events, 10,000 registrations,
1,000 organisations, 20,000 FAQ questions, 40 announcements with their outbox rows — then
times `hubbot report`'s work: the figures (SQL), the PDF with its charts, and the XLSX.

Usage: python scripts/bench_report.py [--database-url URL] [--lang ka|en] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import HubApp, create_app
from bot.exports.report_pdf import build_report_pdf
from bot.exports.report_xlsx import build_report_xlsx
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from bot.services.org_catalog import AREAS, LEGAL_FORMS
from bot.services.report import build_report
from bot.settings import load_settings
from scripts.bench_database import add_database_option, bench_database
from scripts.bench_seed import bulk_insert
from storage.models import FaqQuestion, Person
from storage.models_events import CONFIRMED, KINDS, Event, EventRegistration
from storage.models_hotline import Ticket
from storage.models_orgs import APPROVED, PENDING, Organisation
from storage.models_outbox import Announcement, OutboxMessage

PEOPLE, TICKETS, EVENTS, REGISTRATIONS, ORGANISATIONS = 20_000, 5_000, 300, 10_000, 1_000
QUESTIONS, ANNOUNCEMENTS, PER_ANNOUNCEMENT = 20_000, 40, 500
YEAR = 2026
CHUNK = 2_000


async def _bulk(hub: HubApp, model: type, rows: list[dict[str, object]]) -> None:
    await bulk_insert(hub, model, rows, chunk=CHUNK)


def _moment(rng: random.Random) -> datetime:
    return datetime(YEAR, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 364 * 24 * 60))


async def seed(hub: HubApp) -> None:
    """A busy year in YEAR."""
    rng = random.Random(15)
    places = [m for m in MUNICIPALITIES if m != "other"]
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    await _bulk(hub, Person, [
        {"id": i, "channel": "telegram", "external_id": str(i), "chat_id": str(i),
         "display_name": f"Person {i}", "language": "ka" if i % 3 else "en",
         "first_seen": start, "last_seen": start} for i in range(1, PEOPLE + 1)])
    await _bulk(hub, Organisation, [
        {"id": i, "name_ka": f"ორგანიზაცია {i}", "legal_form": rng.choice(list(LEGAL_FORMS)),
         "municipality": rng.choice(places), "areas": rng.sample(list(AREAS), 2),
         "contact_name": "—", "phone": "+995555123456", "email": f"org{i}@example.ge",
         "description": "—", "consent_store_at": start,
         "status": APPROVED if i % 4 else PENDING, "person_id": i,
         "created_at": _moment(rng) - timedelta(days=200 * (i % 2)), "updated_at": start}
        for i in range(1, ORGANISATIONS + 1)])
    await _bulk(hub, Event, [
        {"id": i, "kind": KINDS[i % len(KINDS)], "title_ka": f"ფორუმი {i}",
         "starts_at": _moment(rng), "municipality": rng.choice(places), "created_at": start,
         "updated_at": start} for i in range(1, EVENTS + 1)])
    await _bulk(hub, EventRegistration, [
        {"event_id": i % EVENTS + 1, "person_id": i, "participants": 1 + i % 3, "names": [],
         "organisation_id": i % ORGANISATIONS + 1 if i % 3 else None, "status": CONFIRMED,
         "created_at": start, "updated_at": start} for i in range(1, REGISTRATIONS + 1)])
    tickets = []
    for i in range(1, TICKETS + 1):
        created = _moment(rng)
        tickets.append({
            "id": i, "person_id": i * 3 % PEOPLE + 1, "channel": "telegram", "language": "ka",
            "topic": rng.choice(list(TOPICS)), "municipality": rng.choice(places),
            "question": "კითხვა", "status": "closed", "created_at": created,
            "last_activity_at": created,
            "first_staff_reply_at": created + timedelta(minutes=rng.randint(5, 60 * 72))
            if i % 7 else None, "rating": rng.randint(1, 5) if i % 4 == 0 else None})
    await _bulk(hub, Ticket, tickets)
    await _bulk(hub, FaqQuestion, [
        {"person_id": i % PEOPLE + 1, "language": "ka" if i % 3 else "en", "query": "—",
         "answer_id": rng.choice(["office", "register", "grants", "trainings", None]),
         "score": 0.9, "created_at": _moment(rng)} for i in range(QUESTIONS)])
    await _bulk(hub, Announcement, [
        {"id": i, "text": "—", "audience": {"kind": "all", "value": ""}, "status": "done",
         "created_at": start + timedelta(days=9 * i)} for i in range(1, ANNOUNCEMENTS + 1)])
    await _bulk(hub, OutboxMessage, [
        {"dedupe_key": f"{p}:announcement:{a}", "kind": "announcement", "person_id": p,
         "channel": "telegram", "chat_id": str(p), "batch_id": a, "payload": {},
         "state": "sent" if p % 20 else "skipped",
         "last_error": None if p % 20 else "unreachable", "created_at": start}
        for a in range(1, ANNOUNCEMENTS + 1)
        for p in range(a * 7 % 1000 + 1, a * 7 % 1000 + 1 + PER_ANNOUNCEMENT)])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", choices=["ka", "en"], default="ka")
    add_database_option(parser)
    args = parser.parse_args()
    with bench_database(args.database_url, "report") as url:
        settings = load_settings(_env_file=None, database_url=url, example_content="off")
        hub = await create_app(settings)
        try:
            started = time.perf_counter()
            await seed(hub)
            print(f"{hub.engine.dialect.name}: {PEOPLE:,} people, {TICKETS:,} tickets, "
                  f"{EVENTS} events, {REGISTRATIONS:,} registrations "
                  f"(seeded in {time.perf_counter() - started:.0f} s)")
            sql, pdf, xlsx, total = [], [], [], []
            for _ in range(args.runs):
                began = time.perf_counter()
                async with hub.session_factory() as session:
                    report = await build_report(
                        session, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31),
                        language=args.lang, tz=settings.tz, sla_hours=settings.sla_hours,
                        now=datetime.now(UTC))
                queried = time.perf_counter()
                content = await asyncio.to_thread(build_report_pdf, report)
                drawn = time.perf_counter()
                workbook = await asyncio.to_thread(build_report_xlsx, report)
                sql.append(queried - began)
                pdf.append(drawn - queried)
                xlsx.append(time.perf_counter() - drawn)
                total.append(drawn - began)
            print(f"report of {YEAR} ({args.lang}, {args.runs} runs, median): figures "
                  f"{statistics.median(sql):.2f} s, PDF {statistics.median(pdf):.2f} s "
                  f"({len(content) // 1024} KB), figures + PDF {statistics.median(total):.2f} s "
                  f"(slowest {max(total):.2f} s); XLSX {statistics.median(xlsx):.2f} s "
                  f"({len(workbook) // 1024} KB)")
        finally:
            await hub.close()


if __name__ == "__main__":
    asyncio.run(main())
