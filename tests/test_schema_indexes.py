"""The migrations build the indexes the models declare (and no others)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.tables  # noqa: F401 — every table registered on the metadata
from bot.settings import Settings
from storage.engine import make_engine


def _index_differences(connection: Any) -> list[tuple[str, str, str]]:
    context = MigrationContext.configure(connection)
    found = []
    for diff in compare_metadata(context, SQLModel.metadata):
        if isinstance(diff, tuple) and diff[0] in ("add_index", "remove_index"):
            index = diff[1]
            found.append((diff[0], index.table.name, index.name))
    return found


async def test_migrated_indexes_match_the_models(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_index_differences)
    finally:
        await engine.dispose()
    assert differences == []
