"""Apply Alembic migrations programmatically (`hubbot db upgrade` and start-up)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the database schema to `revision` on the given engine."""
    await _migrate(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Step the schema back to `revision` (used by the migration stairway test)."""
    await _migrate(engine, command.downgrade, revision)


async def _migrate(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _run(connection: object) -> None:
        config.attributes["connection"] = connection
        step(config, revision)

    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        if sqlite:
            # Alembic's batch mode rebuilds a SQLite table (copy, DROP, rename): with foreign
            # keys on, the DROP would cascade and delete every row that points at the table
            # (registrations of `event`, messages of `ticket`). The pragma only takes effect
            # outside a transaction, so it is set before ours begins and restored after.
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute_fetchall("PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(_run)
        finally:
            if sqlite:
                await raw.driver_connection.execute_fetchall("PRAGMA foreign_keys=ON")
