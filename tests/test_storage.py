"""Storage on both databases: migrations, people, conversation state, redelivery guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect

from bot.settings import Settings
from storage.engine import Database, make_engine, open_database
from storage.migrate import downgrade, upgrade
from storage.uow import UnitOfWork


async def test_migrations_go_down_and_up_again(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert "person" not in tables
        await upgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert {"person", "conversation", "processed_event", "faq_question"} <= set(tables)
    finally:
        await engine.dispose()


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    """The test database, opened as the bot opens it."""
    database = open_database(settings.database_url)
    yield database
    await database.dispose()


async def test_person_is_one_row_per_channel_and_id(database: Database) -> None:
    for name in ("Nino", "Nino B."):
        async with UnitOfWork(database) as uow:
            _person, _conversation, created = await uow.people.seen(
                channel="telegram", external_id="42", chat_id="42", display_name=name,
                language="en")
            await uow.commit()
        assert created is (name == "Nino")
    async with UnitOfWork(database) as uow:
        found = await uow.people.find(channel="telegram", external_id="42")
        other = await uow.people.find(channel="messenger", external_id="42")
    assert found is not None and found.display_name == "Nino B." and found.language == "en"
    assert other is None


async def test_conversation_state_is_kept_until_cleared(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        person, _c, _n = await uow.people.seen(channel="console", external_id="a", chat_id="a",
                                          display_name="", language="ka")
        await uow.conversations.set(person.id, flow="f", step="s", data={"n": 1, "t": "ქ"})
        await uow.commit()
    async with UnitOfWork(database) as uow:
        row = await uow.conversations.get(person.id)
        assert row is not None and row.step == "s" and row.data == {"n": 1, "t": "ქ"}
        await uow.conversations.clear(person.id)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        assert await uow.conversations.get(person.id) is None


async def test_an_event_key_is_claimed_once(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        assert await uow.processed.claim(channel="telegram", event_key="7")
        await uow.commit()
    async with UnitOfWork(database) as uow:
        assert not await uow.processed.claim(channel="telegram", event_key="7")
        assert await uow.processed.claim(channel="messenger", event_key="7")


@pytest.mark.parametrize("brief", [False, True], ids=["background", "turn"])
async def test_nothing_is_written_without_commit(database: Database, brief: bool) -> None:
    """Every per-message statement runs in the unit of work's transaction (on PostgreSQL the
    later ones through asyncpg's own `fetch`, on SQLite the turn's in the loop's thread)."""
    async with UnitOfWork(database, brief=brief) as uow:
        assert await uow.processed.claim(channel="console", event_key="b-1")
        person, _c, _n = await uow.people.seen(channel="console", external_id="b", chat_id="b",
                                               display_name="", language="ka")
        assert person.id is not None
        await uow.faq.record_question(person_id=person.id, language="ka", query="?", answer_id=None,
                                      score=0.0)
    async with UnitOfWork(database, brief=brief) as uow:
        assert await uow.people.find(channel="console", external_id="b") is None
        assert await uow.processed.claim(channel="console", event_key="b-1")

@pytest.mark.parametrize("urgent", [False, True], ids=["background", "turn"])
async def test_a_writer_in_another_process_is_waited_for_and_the_loop_goes_on(
        database: Database, settings: Settings, urgent: bool) -> None:
    """A write lock held elsewhere is waited for without holding the event loop: in aiosqlite's
    thread by background work, with asyncio sleeps by a person's turn (statements in the loop's
    thread on SQLite: storage/inline_sqlite.py)."""
    other = open_database(settings.database_url)  # what a second process would hold
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def second_writer() -> None:
        async with UnitOfWork(other, urgent=urgent, brief=urgent) as uow:
            await uow.people.seen(channel="console", external_id="second", chat_id="2",
                                  display_name="", language="en")
            await uow.commit()
        order.append("second")

    order: list[str] = []
    ticker = asyncio.create_task(tick())
    try:
        async with UnitOfWork(database) as uow:
            await uow.people.seen(channel="console", external_id="first", chat_id="1",
                                  display_name="", language="en")  # SQLite: holds the write lock
            writer = asyncio.create_task(second_writer())
            before = ticks
            await asyncio.sleep(0.3)
            assert ticks - before >= 5, "the event loop stood still while the other writer waited"
            order.append("first")
            await uow.commit()
        await asyncio.wait_for(writer, 15)
    finally:
        ticker.cancel()
        await other.dispose()
    if database.engine.dialect.name == "sqlite":
        assert order == ["first", "second"]  # the second waited for the lock, then wrote
    async with UnitOfWork(database) as uow:
        for name in ("first", "second"):
            assert await uow.people.find(channel="console", external_id=name) is not None


async def test_the_per_message_statements_store_what_the_orm_reads_back(database: Database) -> None:
    """Claim, person and question log are plain SQLAlchemy statements; times and values match."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from storage.models import FaqQuestion, ProcessedEvent

    before = datetime.now(UTC)
    async with UnitOfWork(database) as uow:
        person, _conversation, _created = await uow.people.seen(
            channel="console", external_id="t", chat_id="t", display_name="Tamar", language="ka")
        await uow.processed.claim(channel="console", event_key="e-1")
        question_id = await uow.faq.record_question(
            person_id=person.id or 0, language="ka", query="სად არის ოფისი?", answer_id="office",
            score=0.87654)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        question = await uow.faq.question(question_id)
        event = (await uow.session.exec(
            select(ProcessedEvent).where(ProcessedEvent.event_key == "e-1"))).one()
        again, _conversation, created = await uow.people.seen(
            channel="console", external_id="t", chat_id="t", display_name="Tamar", language="en")
    assert question is not None and isinstance(question, FaqQuestion)
    assert (question.query, question.answer_id, question.score) == ("სად არის ოფისი?", "office",
                                                                     0.8765)
    for moment in (question.created_at, event.received_at, again.first_seen):
        assert moment.tzinfo is not None and before - timedelta(seconds=1) <= moment
        assert moment <= datetime.now(UTC)
    assert not created and again.language == "ka" and again.language_chosen is False
    # Retention compares the stored times: the event is kept now, and dropped once old.
    async with UnitOfWork(database) as uow:
        assert await uow.processed.forget_before(before - timedelta(days=1)) == 0
        assert await uow.processed.forget_before(datetime.now(UTC) + timedelta(seconds=1)) >= 1
        await uow.commit()


async def test_what_seen_returns_is_the_stored_row_and_changes_to_it_are_saved(
        database: Database) -> None:
    """seen() reads in one statement, not through the ORM's loading, yet the person and the
    conversation it returns are the session's own: a change is an UPDATE, not a second row."""
    async with UnitOfWork(database) as uow:
        person, _c, _n = await uow.people.seen(channel="telegram", external_id="77",
                                               chat_id="77", display_name="Nino", language="ka")
        assert person.id is not None
        await uow.conversations.set(person.id, flow="f", step="one", data={"answers": ["ა"]})
        await uow.commit()
    async with UnitOfWork(database) as uow:
        person, conversation, created = await uow.people.seen(
            channel="telegram", external_id="77", chat_id="78", display_name="Nino B.",
            language="en")
        assert not created and conversation is not None
        assert (conversation.flow, conversation.step, conversation.data) == (
            "f", "one", {"answers": ["ა"]})
        assert (person.chat_id, person.display_name, person.language) == ("78", "Nino B.", "ka")
        person.language, person.language_chosen = "en", True
        await uow.conversations.set(person.id, flow="f", step="two", data={"answers": []})
        await uow.commit()
    async with UnitOfWork(database) as uow:
        found = await uow.people.find(channel="telegram", external_id="77")
        row = await uow.conversations.get(person.id)
    assert found is not None and found.id == person.id
    assert (found.chat_id, found.display_name, found.language, found.language_chosen) == (
        "78", "Nino B.", "en", True)
    assert row is not None and (row.step, row.data) == ("two", {"answers": []})


async def test_connections_the_database_dropped_are_replaced_before_a_question_uses_them(
        settings: Settings) -> None:
    """PostgreSQL restarted (every connection cut): the next question is answered all the same."""
    from sqlalchemy import text

    from bot.app import create_app
    from bot.core.messages import Incoming

    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connections to lose")
    app = await create_app(settings, migrate=False)
    admin = make_engine(settings.database_url)
    try:
        async def ask(key: str) -> str:
            replies = await app.core.handle(Incoming(
                channel="telegram", user_id="5", chat_id="5", event_key=key,
                language_hint="en", text="Where is your office?"))
            return replies[0].text

        assert "Sorry, something went wrong" not in await ask("1")
        async with admin.connect() as connection:
            cut = (await connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))).scalar()
        assert cut and cut >= 1
        for key in ("2", "3"):
            assert "Sorry, something went wrong" not in await ask(key)
    finally:
        await admin.dispose()
        await app.close()


async def test_a_turns_database_errors_are_sqlalchemys_and_leave_nothing_behind(
        database: Database) -> None:
    """A failing statement in a person's turn raises SQLAlchemy's own error (on SQLite the turn
    engine's driver maps like aiosqlite's), and the unit of work is rolled back whole."""
    from sqlalchemy.exc import IntegrityError

    from storage.models import Person, utcnow

    async with UnitOfWork(database, brief=True) as uow:
        await uow.people.seen(channel="console", external_id="twin", chat_id="t",
                              display_name="", language="ka")
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with UnitOfWork(database, brief=True) as uow:
            assert await uow.processed.claim(channel="console", event_key="twin-1")
            now = utcnow()
            uow.session.add(Person(channel="console", external_id="twin", chat_id="t2",
                                   display_name="", language="en", first_seen=now,
                                   last_seen=now))
            await uow.flush()
    async with UnitOfWork(database, brief=True) as uow:
        assert await uow.processed.claim(channel="console", event_key="twin-1")
        found = await uow.people.find(channel="console", external_id="twin")
    assert found is not None and found.chat_id == "t"
