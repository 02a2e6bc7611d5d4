"""Seeding a benchmark's database: rows inserted in bulk, and the hub of `people` people that
scripts/bench_scale.py and scripts/bench_dashboard.py measure (subscriptions, hotline tickets with
their messages, events with registrations, a year of outbox history, FAQ questions, 1,000 listed
organisations)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import select

from bot.app import HubApp
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from storage.models import FaqQuestion, Person
from storage.models_events import CONFIRMED, WAITLISTED, Event, EventRegistration
from storage.models_hotline import Ticket, TicketMessage
from storage.models_orgs import APPROVED, Organisation
from storage.models_outbox import Announcement, OutboxMessage, Subscription
from storage.uow import UnitOfWork

STAFF_CHAT = -1001234567890  # the seeded hub's staff chat (its tickets have topics there)
CHUNK = 5_000
BIG_EVENT = 20  # the event with BIG_EVENT_REGISTRATIONS registrations; starts in three hours
BIG_EVENT_REGISTRATIONS = 2_000
ORGANISATIONS = 1_000


async def bulk_insert(hub: HubApp, model: Any, rows: list[dict[str, Any]], *,
                      chunk: int = CHUNK) -> None:
    """Insert `rows` of `model`, `chunk` rows to a unit of work."""
    for start in range(0, len(rows), chunk):
        async with UnitOfWork(hub.database) as uow:
            await uow.session.execute(insert(model), rows[start:start + chunk])
            await uow.commit()


async def reset_id_sequences(hub: HubApp, tables: tuple[str, ...]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids inserted by hand (so the bot's
    own inserts do not collide with them); nothing to do on SQLite."""
    if hub.engine.dialect.name != "postgresql":
        return
    async with UnitOfWork(hub.database) as uow:
        for table in tables:
            await uow.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"))
        await uow.commit()


async def analyze(hub: HubApp) -> None:
    """Fresh planner statistics, as a database that has lived a while has."""
    if hub.engine.dialect.name == "postgresql":
        async with hub.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("ANALYZE"))
        return
    async with UnitOfWork(hub.database) as uow:
        await uow.session.execute(text("ANALYZE"))
        await uow.commit()


async def seed_hub(hub: HubApp, people: int) -> int:
    """Fill the database with a hub of `people` people; returns the id of the event with
    BIG_EVENT_REGISTRATIONS registrations."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    municipalities = [m for m in MUNICIPALITIES if m != "other"]
    await bulk_insert(hub, Person, [
        {"id": i, "channel": "telegram", "external_id": str(i), "chat_id": str(i),
         "display_name": f"Person {i}", "language": "ka" if i % 3 else "en",
         "first_seen": now - timedelta(days=i % 400), "last_seen": now,
         "last_inbound_at": now} for i in range(1, people + 1)])
    await bulk_insert(hub, Subscription, [
        {"person_id": i, "topics": ["hub", "forums"] if i % 2 else ["funding"],
         "municipality": None if i % 4 else rng.choice(municipalities),
         "created_at": now} for i in range(1, people + 1, 10)])
    await bulk_insert(hub, Organisation, [
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
               "address": "111 Tsereteli St.", "capacity": 1_900 if i == BIG_EVENT else None,
               "created_at": now - timedelta(days=30), "updated_at": now - timedelta(days=30)}
              for i in range(1, 61)]
    await bulk_insert(hub, Event, events)
    registrations, person = [], 1
    for event in range(20, 61):
        count = BIG_EVENT_REGISTRATIONS if event == BIG_EVENT else people // 5 // 40
        for n in range(count):
            waiting = event == BIG_EVENT and n >= 1_900
            registrations.append({
                "event_id": event, "person_id": person, "participants": 1, "names": [],
                "organisation_id": (n % ORGANISATIONS) + 1 if n % 2 else None,
                "status": WAITLISTED if waiting else CONFIRMED,
                "position": n if waiting else None,
                "created_at": now - timedelta(days=2), "updated_at": now - timedelta(days=2)})
            person = person % people + 1
    await bulk_insert(hub, EventRegistration, registrations)
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
    await bulk_insert(hub, Ticket, tickets)
    await bulk_insert(hub, TicketMessage, [
        {"ticket_id": t["id"], "direction": d, "text": "ტექსტი", "created_at": t["created_at"],
         "staff_message_id": 90_000 + 2 * t["id"] + (d == "out")}
        for t in tickets for d in ("in", "out")])
    await bulk_insert(hub, FaqQuestion, [
        {"person_id": i, "language": "ka", "query": "სად არის ოფისი", "answer_id": "office",
         "score": 0.9, "created_at": now - timedelta(hours=i % 9_000)}
        for i in range(1, people + 1, 2)])
    await bulk_insert(hub, Announcement, [{"id": i, "text": "ძველი განცხადება", "audience": {
        "kind": "all", "value": ""}, "status": "done", "created_at": now - timedelta(days=i)}
        for i in range(1, 401)])
    await bulk_insert(hub, OutboxMessage, [
        {"dedupe_key": f"telegram:{i}:announcement:{i % 400 + 1}", "kind": "announcement",
         "person_id": i, "channel": "telegram", "chat_id": str(i),
         "payload": {"replies": [{"text": "ძველი განცხადება"}]}, "state": "sent",
         "batch_id": i % 400 + 1, "not_before": now - timedelta(days=i % 400),
         "created_at": now - timedelta(days=i % 400), "sent_at": now - timedelta(days=i % 400)}
        for i in range(1, people + 1)])
    await reset_id_sequences(hub, ("person", "organisation", "event", "ticket", "announcement"))
    await analyze(hub)
    return BIG_EVENT


async def catch_up(hub: HubApp) -> int:
    """A reused seed: events move by the time since seeding, so they are as near as seeded;
    returns the id of the big event."""
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
    return BIG_EVENT
