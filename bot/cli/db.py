"""`hubbot db upgrade | add-examples | remove-examples`: the schema, and the example content."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.startup import StartupError, first_line
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp
    from storage.engine import Database

ACTIONS = ("upgrade", "add-examples", "remove-examples")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot db`."""
    db = sub.add_parser("db", help="database schema and example content")
    db.add_argument("action", choices=ACTIONS,
                    help="upgrade: apply migrations; add-examples: add the example content to "
                         "an empty database; remove-examples: delete the example content")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Bring the schema up to date (the bot does it at every start too), then the action."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.engine import open_database
    from storage.migrate import upgrade

    database = open_database(settings.database_url)
    try:
        await upgrade(database.engine)
        if args.action == "upgrade":
            print(f"database schema is up to date ({args.action})")
            return 0
        if args.action == "add-examples":
            return await _add(database, settings)
        return await _remove(database)
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(f"hubbot: cannot open DATABASE_URL: {first_line(exc)}") from None
    finally:
        await database.dispose()


async def _add(database: Database, settings: Settings) -> int:
    from bot.services.example_content import Added, add_examples
    from storage.uow import UnitOfWork

    async with UnitOfWork(database) as uow:
        outcome = await add_examples(uow, settings.tz)
        await uow.commit()
    if outcome is Added.REAL_DATA:
        print("hubbot: the database already holds real data (people, organisations, events or "
              "tickets); example content is added only to an empty database", file=sys.stderr)
        return 1
    print("example content added (remove it with: hubbot db remove-examples)"
          if outcome is Added.ADDED else "example content is already there")
    return 0


async def _remove(database: Database) -> int:
    from bot.services.example_content import remove_examples
    from storage.uow import UnitOfWork

    async with UnitOfWork(database) as uow:
        removed = await remove_examples(uow)
        await uow.commit()
    if not any(removed.values()):
        print("no example content to remove")
    else:
        print("example content removed: " + ", ".join(
            f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in removed.items()))
    return 0
