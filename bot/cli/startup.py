"""What every `hubbot` command shares: logging, opening the app, start-up errors in one line."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp

# Library loggers whose debug output carries tokens in URLs and people's messages in payloads,
# or (fontTools, while the booklet's font is subset) pages of detail nobody asked for.
NOISY = ("httpx", "httpcore", "alembic", "telegram", "aiosqlite", "asyncio", "fontTools")


class StartupError(Exception):
    """A problem at start-up, told in one line."""


class ContentStartupError(StartupError):
    """The content files the empty database would be seeded from are broken."""


def setup_logging(settings: Settings, *, command: str | None = None) -> None:
    """Log to stderr, secrets hidden; a staff command logs warnings only unless LOG_LEVEL says."""
    from bot import redact

    handler = logging.StreamHandler(sys.stderr)
    # Tokens (also inside tracebacks) and database messages quoting people's data are hidden.
    redact.remember_settings(settings)
    redact.protect(handler, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    level = settings.log_level
    if command not in (None, "run") and "log_level" not in settings.model_fields_set:
        level = "WARNING"  # a one-shot command prints its result; its start-up is not news
    logging.basicConfig(level=level, handlers=[handler])
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(quiet)


async def open_app(settings: Settings) -> HubApp:
    """Create the app; a database or content problem becomes one clear line."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_app
    from bot.faq.content import ContentError

    try:
        return await create_app(settings)
    except ContentError as exc:
        raise ContentStartupError(f"hubbot: bad content in CONTENT_DIR: {exc}") from None
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(f"hubbot: cannot open DATABASE_URL: {first_line(exc)}") from None


async def add_examples_on_first_start(hub: HubApp) -> None:
    """A fresh SQLite database gets the example content once (EXAMPLE_CONTENT=auto, the
    default), so a newcomer's `hubbot chat` or console shows the bot working."""
    from bot.services.example_content import add_on_first_start

    await add_on_first_start(hub.database, hub.settings)


def first_line(exc: BaseException) -> str:
    """The first line of a database or OS error (the driver's own message when there is one)."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
