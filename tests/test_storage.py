"""Storage on both databases: migrations, people, conversation state, redelivery guard."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.settings import Settings
from collections.abc import AsyncIterator

import pytest

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
            person, _conversation, created = await uow.people.seen(
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


async def test_nothing_is_written_without_commit(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await uow.people.seen(channel="console", external_id="b", chat_id="b",
                              display_name="", language="ka")
    async with UnitOfWork(database) as uow:
        assert await uow.people.find(channel="console", external_id="b") is None