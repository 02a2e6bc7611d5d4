"""`hubbot db upgrade`: apply the database migrations."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.startup import StartupError, first_line
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot db`."""
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Bring the schema up to date (the bot does it at every start too)."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(f"hubbot: cannot open DATABASE_URL: {first_line(exc)}") from None
    finally:
        await engine.dispose()
    print(f"database schema is up to date ({args.action})")
    return 0
