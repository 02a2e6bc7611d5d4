"""Upgrading keeps what it should: on SQLite the rows that point at a rebuilt table (migration
0013 rebuilds `event` in batch mode, which with foreign keys on deleted every registration);
and it takes out what the audit log must not hold (rejection reasons, migration 0015)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import downgrade, upgrade


@asynccontextmanager
async def stepped_back(settings: Settings, revision: str) -> AsyncIterator[AsyncEngine]:
    """The test database with its schema back at `revision` (the test upgrades it again)."""
    engine = make_engine(settings.database_url)
    try:
        await downgrade(engine, revision)
        yield engine
    finally:
        await engine.dispose()


async def test_registrations_survive_the_upgrade_that_rebuilds_the_event_table(
        settings: Settings) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("batch table rebuilds happen on SQLite only")
    async with stepped_back(settings, "0012") as engine:
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO person (channel, external_id, chat_id, display_name, language, "
                "language_chosen, first_seen, last_seen) VALUES ('telegram', '41', '41', '', "
                "'en', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            await connection.execute(text(
                "INSERT INTO event (kind, title_ka, starts_at, audience, created_at, updated_at) "
                "VALUES ('forum', 'ფორუმი', CURRENT_TIMESTAMP, 'all', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"))
            await connection.execute(text(
                "INSERT INTO event_registration (event_id, person_id, participants, names, "
                "status, created_at, updated_at) VALUES ((SELECT id FROM event), "
                "(SELECT id FROM person), 1, '[]', 'confirmed', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"))
        await upgrade(engine)
        async with engine.connect() as connection:
            kept = (await connection.execute(text(
                "SELECT count(*) FROM event_registration"))).scalar_one()
            keys_on = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        assert kept == 1
        assert keys_on == 1  # and the pooled connection has its foreign keys back


async def test_the_upgrade_takes_rejection_reasons_out_of_the_audit_log(
        settings: Settings) -> None:
    async with stepped_back(settings, "0014") as engine:
        async with engine.begin() as connection:
            for action, details in (("org.reject", "კოდი სხვა ორგანიზაციისაა."),
                                    ("org.reject", "reason given (12 characters)"),
                                    ("event.move", "2026-12-24T10:00Z; told 2")):
                await connection.execute(text(
                    "INSERT INTO audit_entry (at, staff_name, action, target, details) VALUES "
                    "(CURRENT_TIMESTAMP, 'Nino', :action, 'organisation #1', :details)"),
                    {"action": action, "details": details})
        await upgrade(engine)
        async with engine.connect() as connection:
            kept = (await connection.execute(text(
                "SELECT details FROM audit_entry ORDER BY id"))).scalars().all()
    assert kept == ["reason given (25 characters)", "reason given (12 characters)",
                    "2026-12-24T10:00Z; told 2"]
