"""Background work done in slices: reminders planned from what changed, announcements queued a
page at a time, /stats counted in SQL, the directory paged in SQL — with the same outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.app import HubApp, create_app
from bot.core.messages import Incoming
from bot.services import announcements as announcements_module
from bot.services import routines as routines_module
from bot.services.events import cancel_registration, move_event
from bot.services.routines import Routines
from bot.settings import Settings
from storage.engine import Database, make_engine
from storage.migrate import downgrade, upgrade
from storage.models import Person, utcnow
from storage.models_events import CONFIRMED, Event, EventRegistration
from storage.models_hotline import Ticket
from storage.models_outbox import (
    Announcement,
    OutboxMessage,
    Subscription,
    UnreachablePerson,
)
from storage.repos import audience as audience_module
from storage.repos.outbox import OutboxRepo
from storage.repos.privacy import ERASED_CHAT
from storage.uow import UnitOfWork

STAFF_CHAT = -1009876543210


async def _people(hub: HubApp, count: int, **fields: object) -> list[int]:
    async with UnitOfWork(hub.database) as uow:
        people = [Person(channel="telegram", external_id=f"p{n}-{fields.get('tag', '')}",
                         chat_id=str(70_000 + n), language="en" if n % 2 else "ka")
                  for n in range(count)]
        uow.session.add_all(people)
        await uow.commit()
    return [p.id or 0 for p in people]


async def _event(hub: HubApp, starts_in: timedelta, changed_ago: timedelta = timedelta(0)) -> int:
    async with UnitOfWork(hub.database) as uow:
        event = Event(kind="forum", title_ka="ფორუმი", title_en="Forum",
                      starts_at=utcnow() + starts_in, municipality="kutaisi",
                      updated_at=utcnow() - changed_ago)
        uow.session.add(event)
        await uow.commit()
    return event.id or 0


async def _register(hub: HubApp, event_id: int, person_ids: list[int],
                    at: datetime | None = None) -> list[int]:
    async with UnitOfWork(hub.database) as uow:
        rows = [EventRegistration(event_id=event_id, person_id=p, status=CONFIRMED,
                                  **({"created_at": at, "updated_at": at} if at else {}))
                for p in person_ids]
        uow.session.add_all(rows)
        await uow.commit()
    return [r.id or 0 for r in rows]


async def _reminders(hub: HubApp, event_id: int) -> dict[str, str]:
    """Reminder keys of an event and their states (found by the event they name)."""
    async with hub.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.event_id == event_id))).all()
    assert all(row.dedupe_key.startswith(f"reminder:event{event_id}:") for row in rows)
    return {row.dedupe_key: row.state for row in rows}


def _pending_people(reminders: dict[str, str]) -> set[str]:
    return {key.split(":")[2].split("@")[0] for key, state in reminders.items()
            if state == "pending"}


async def test_reminders_follow_moves_cancellations_and_new_registrations(
        hub: HubApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routines_module, "SLICE", 2)  # several slices with five people
    people = await _people(hub, 5)
    event_id = await _event(hub, timedelta(days=3))
    registrations = await _register(hub, event_id, people[:4])
    routines = hub.services.routines
    assert await routines.plan_reminders() == "8 reminders queued"  # 4 people × (1 d, 2 h)
    assert await routines.plan_reminders() is None  # nothing changed

    async with UnitOfWork(hub.database) as uow:
        moved = await move_event(uow, event_id, utcnow() + timedelta(days=4))
        assert moved is not None
        await uow.commit()
    assert await routines.plan_reminders() == "8 reminders queued"
    reminders = await _reminders(hub, event_id)
    stamp = moved.event.starts_at.strftime("%Y%m%dT%H%M")
    assert {key for key, state in reminders.items() if state == "pending"} == {
        f"reminder:event{event_id}:person{p}@{stamp}:{s}" for p in people[:4]
        for s in (86400, 7200)}
    assert sum(state == "skipped" for state in reminders.values()) == 8  # the old time's

    async with UnitOfWork(hub.database) as uow:
        assert await cancel_registration(uow, registrations[1], people[1]) is not None
        await uow.commit()
    await _register(hub, event_id, [people[4]])
    assert await routines.plan_reminders() == "2 reminders queued"
    assert _pending_people(await _reminders(hub, event_id)) == {
        f"person{p}" for p in (people[0], people[2], people[3], people[4])}


async def test_a_cancelled_event_withdraws_every_reminder(hub: HubApp) -> None:
    people = await _people(hub, 3)
    event_id = await _event(hub, timedelta(days=2))
    await _register(hub, event_id, people)
    assert await hub.services.routines.plan_reminders() == "6 reminders queued"
    async with UnitOfWork(hub.database) as uow:
        event = await uow.session.get(Event, event_id)
        assert event is not None
        event.cancelled_at = event.updated_at = utcnow()
        uow.session.add(event)
        await uow.commit()
    assert await hub.services.routines.plan_reminders() is None
    assert set((await _reminders(hub, event_id)).values()) == {"skipped"}


async def test_after_downtime_a_missed_reminder_still_goes_out(hub: HubApp) -> None:
    people = await _people(hub, 2)
    # registered long ago; the 2 h reminder was due half an hour ago, while the bot was down
    event_id = await _event(hub, timedelta(minutes=90))
    await _register(hub, event_id, people, at=utcnow() - timedelta(days=5))
    restarted = Routines(hub.database, hub.settings, hub.services.hotline)
    assert await restarted.plan_reminders() == "2 reminders queued"
    async with hub.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.kind == "reminder"))).all()
    assert {row.state for row in rows} == {"pending"}
    assert all(row.not_before <= utcnow() for row in rows)  # due at once


async def test_the_hourly_full_plan_repairs_what_no_change_announced(hub: HubApp) -> None:
    people = await _people(hub, 2)
    event_id = await _event(hub, timedelta(days=2), changed_ago=timedelta(days=1))
    await _register(hub, event_id, people, at=utcnow() - timedelta(days=1))
    routines = hub.services.routines
    assert await routines.plan_reminders() == "4 reminders queued"
    async with UnitOfWork(hub.database) as uow:  # a change that forgot `updated_at`
        row = (await uow.session.exec(select(EventRegistration).where(
            EventRegistration.person_id == people[0]))).one()
        row.status, row.updated_at = "cancelled", utcnow() - timedelta(days=1)
        uow.session.add(row)
        await uow.commit()
    assert await routines.plan_reminders() is None
    assert _pending_people(await _reminders(hub, event_id)) == {f"person{p}" for p in people}
    routines._full_plan_at = utcnow() - timedelta(hours=2)
    await routines.plan_reminders()
    assert _pending_people(await _reminders(hub, event_id)) == {f"person{people[1]}"}


async def test_an_announcement_queues_one_row_per_recipient_in_slices(
        hub: HubApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(announcements_module, "SLICE", 7)
    subscribers = await _people(hub, 30, tag="s")
    others = await _people(hub, 3, tag="o")
    async with UnitOfWork(hub.database) as uow:
        uow.session.add_all([Subscription(person_id=p, topics=["funding"] if i % 3 else ["hub"])
                             for i, p in enumerate(subscribers)])
        uow.session.add_all([UnreachablePerson(person_id=p) for p in subscribers[:2]])
        erased = await uow.session.get(Person, subscribers[2])
        assert erased is not None and others
        erased.chat_id = ERASED_CHAT
        uow.session.add(erased)
        everyone = Announcement(text="Forum on Friday", audience={"kind": "all", "value": ""})
        funding = Announcement(text="Grants", audience={"kind": "topic", "value": "funding"})
        uow.session.add_all([everyone, funding])
        await uow.commit()
    announcements = hub.services.announcements
    monkeypatch.setattr(audience_module, "COUNT_PAGE", 4)  # the topic counted page by page
    async with UnitOfWork(hub.database) as uow:
        assert len(await announcements.recipients(uow, everyone.audience)) == 27
        assert await announcements.count(uow, everyone.audience) == 27  # the preview's count
        assert await announcements.count(uow, funding.audience) == sum(
            1 for i in range(3, 30) if i % 3)
    assert await announcements.queue(everyone.id or 0) == 27
    assert await announcements.queue(everyone.id or 0) == 0  # no longer a draft
    # subscribers 3..29 whose index is not a multiple of 3 chose funding
    assert await announcements.queue(funding.id or 0) == sum(
        1 for i in range(3, 30) if i % 3)
    async with hub.session_factory() as session:
        rows = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.batch_id == everyone.id))).all()
        stored = await session.get(Announcement, everyone.id)
    assert sorted(row.person_id for row in rows) == sorted(subscribers[3:])
    assert stored is not None and (stored.status, stored.total) == ("sending", 27)


async def _staff_hub(settings: Settings) -> HubApp:
    return await create_app(settings.model_copy(update={"staff_chat_id": STAFF_CHAT, "staff_language": "en"}),
                            migrate=False)


async def test_stats_count_tickets_as_before(settings: Settings) -> None:
    hub = await _staff_hub(settings)
    try:
        now = utcnow()
        async with UnitOfWork(hub.database) as uow:
            for n, (topic, place, status, hours, rating) in enumerate([
                    ("legal", "kutaisi", "open", 2, None), ("legal", "kutaisi", "closed", 4, 5),
                    ("consultation", "zestaponi", "closed", 10, 4), ("legal", "vani", "open", None,
                                                                None)]):
                created = now - timedelta(days=1, minutes=n)
                uow.session.add(Ticket(
                    channel="telegram", language="ka", topic=topic, municipality=place,
                    question="?", status=status, created_at=created, rating=rating,
                    first_staff_reply_at=created + timedelta(hours=hours) if hours else None))
            await uow.commit()
        [reply] = await hub.core.handle(Incoming(
            channel="telegram", user_id="1", chat_id=str(STAFF_CHAT), text="/stats",
            chat_kind="staff", display_name="Staff"))
    finally:
        await hub.close()
    text = reply.text
    assert "Tickets: 4 (2 open)" in text
    assert "Legal help: 3" in text and "Consultation: 1" in text and "Kutaisi: 2" in text and "Vani: 1" in text
    assert "Median time to the first staff reply: 4.0 h" in text
    assert "Satisfaction: 4.5 / 5 from 2 ratings" in text


async def test_reminders_queued_before_the_upgrade_are_still_withdrawn(
        settings: Settings) -> None:
    """Migration 0010 gives pending reminders their event, so a cancellation finds them."""
    engine = make_engine(settings.database_url)
    try:
        await downgrade(engine, "0009")
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO person (channel, external_id, chat_id, display_name, language, "
                "language_chosen, first_seen, last_seen) VALUES ('telegram', '31', '31', '', "
                "'en', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            await connection.execute(text(
                "INSERT INTO outbox (dedupe_key, kind, person_id, channel, chat_id, payload, "
                "state, attempts, not_before, quiet_hours, created_at) VALUES "
                "(:key, 'reminder', (SELECT id FROM person WHERE external_id = '31'), "
                "'telegram', '31', '{}', 'pending', 0, CURRENT_TIMESTAMP, false, "
                "CURRENT_TIMESTAMP)"), {"key": "reminder:event5:person1@20270101T1000:7200"})
        await upgrade(engine)
    finally:
        await engine.dispose()
    database = Database(make_engine(settings.database_url))
    try:
        async with UnitOfWork(database) as uow:
            assert await uow.repo(OutboxRepo).withdraw_reminders(5) == 1
            await uow.commit()
    finally:
        await database.dispose()
