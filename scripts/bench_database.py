"""The database a benchmark runs on: `--database-url` (PostgreSQL) or a SQLite file in a
temporary folder, with the logs kept quiet; and a seeded database kept for the next runs (a
file copy on SQLite, a template database on PostgreSQL)."""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import HubApp


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """`--database-url`: an empty PostgreSQL database instead of the temporary SQLite file."""
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default a "
                        "SQLite file in a temporary folder")


@contextmanager
def bench_database(url: str | None, name: str) -> Iterator[str]:
    """The URL to run on (`url`, or `<name>.db` in a temporary folder removed afterwards), with
    warnings and the bot's logs kept out of the figures."""
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # sqlmodel on execute()
    with tempfile.TemporaryDirectory() as folder:
        yield url or f"sqlite+aiosqlite:///{folder}/{name}.db"


async def _admin(url: str, *statements: str) -> None:
    """Run statements on the PostgreSQL server of `url` (outside any database we copy)."""
    engine = create_async_engine(make_url(url).set(database="postgres"),
                                 isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _pg_has(url: str, name: str) -> bool:
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
    name = make_url(url).database
    await _admin(url, f'DROP DATABASE IF EXISTS "{name}_seeded"',
                 f'CREATE DATABASE "{name}_seeded" TEMPLATE "{name}"')
