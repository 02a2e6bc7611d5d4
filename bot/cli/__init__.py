"""The `hubbot` command line: run, chat, faq, db."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cli import announce as cli_announce
from bot.cli import events as cli_events
from bot.cli import messenger as cli_messenger
from bot.cli import orgs as cli_orgs
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.app import HubApp
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger("hubbot")

NO_CHANNEL = ("hubbot: no channel configured — set TELEGRAM_BOT_TOKEN (and optionally "
              "TELEGRAM_API_BASE_URL) or MESSENGER_PAGE_TOKEN to run the bot, or try it in a "
              "terminal with `hubbot chat`")


def _setup_logging(settings: Settings) -> None:
    from bot import redact

    handler = logging.StreamHandler(sys.stderr)
    # Tokens (also inside tracebacks) and database messages quoting people's data are hidden.
    redact.remember_settings(settings)
    redact.protect(handler, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # Library debug logs carry tokens in URLs and people's messages in payloads.
    quiet = max(logging.WARNING, logging.getLevelName(settings.log_level))
    for noisy in ("httpx", "httpcore", "alembic", "telegram", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(quiet)


async def _run(settings: Settings, role: str = "all") -> int:
    if settings.telegram_bot_token is None and not settings.messenger_enabled:
        print(NO_CHANNEL, file=sys.stderr)
        return 2
    if role != "all" and settings.is_sqlite:
        raise StartupError("hubbot: SQLite serves one process only; use --role all, or set "
                           "DATABASE_URL to PostgreSQL to split the work between processes")
    from telegram.error import InvalidToken

    from bot.channels.messenger import MessengerChannel
    from bot.channels.telegram import TelegramChannel
    from bot.web import WebServer
    from scheduler import HubScheduler

    hub = await _open_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    receives = role in ("all", "updates")
    telegram = TelegramChannel(hub) if settings.telegram_bot_token is not None else None
    messenger = MessengerChannel(hub) if settings.messenger_enabled else None
    web = WebServer(hub, host=settings.host, port=settings.port) \
        if receives and settings.needs_web_server else None
    scheduler = HubScheduler(hub) if role in ("all", "scheduler") else None
    if web is not None and scheduler is not None:
        web.worker = scheduler.worker  # /healthz and /metrics tell whether it runs
    polling: asyncio.Task[None] | None = None
    exit_code = 0
    try:
        if web is not None:
            if messenger is not None:
                web.add_routes(messenger.add_routes)
            if telegram is not None and settings.telegram_webhook_url:
                web.add_routes(telegram.add_routes)
            try:
                await web.start()
            except OSError as exc:
                raise StartupError(f"hubbot: cannot listen on HOST/PORT "
                                   f"{settings.host}:{settings.port}: {exc.strerror}") from None
        if telegram is not None:
            elect = receives and not settings.telegram_webhook_url and not settings.is_sqlite
            await telegram.start(poll=receives, long_poll=not elect)
            if elect:  # several processes may share PostgreSQL; Telegram allows one poller
                polling = asyncio.create_task(_poll_when_elected(hub, telegram), name="poll leader")
                polling.add_done_callback(lambda task: task.cancelled() or stop.set())
        if scheduler is not None:
            scheduler.start()
        log.info("running as %s", role)
        await stop.wait()
    except InvalidToken:
        raise StartupError("hubbot: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather")
    finally:
        if polling is not None:  # stops polling, then gives the lock to another process
            polling.cancel()
            failure = (await asyncio.gather(polling, return_exceptions=True))[0]
            if isinstance(failure, Exception):
                log.error("the polling election failed; stopping", exc_info=failure)
                exit_code = 1
        if scheduler is not None:
            await scheduler.stop()
        if web is not None:
            await web.stop()
        if telegram is not None:
            await telegram.stop()
        if messenger is not None:
            await messenger.stop()
        await hub.close()
    return exit_code


async def _poll_when_elected(hub: HubApp, telegram: TelegramChannel) -> None:
    """Long-poll Telegram while this process holds the database's polling lock."""
    from bot.channels.poll_leader import PollLeader, polling_lock_key

    assert hub.settings.telegram_bot_token is not None
    key = polling_lock_key(hub.settings.telegram_bot_token.get_secret_value())
    await PollLeader(hub.engine, key).lead(telegram.start_polling, telegram.stop_polling)


class StartupError(Exception):
    """A problem at start-up, told in one line."""


async def _open_app(settings: Settings) -> HubApp:
    """Create the app; a database or content problem becomes one clear line."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_app
    from bot.faq.content import ContentError

    try:
        return await create_app(settings)
    except ContentError as exc:
        raise StartupError(f"hubbot: bad content in CONTENT_DIR: {exc}") from None
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StartupError(f"hubbot: cannot open DATABASE_URL: {reason}") from None


async def _chat(settings: Settings, language: str | None) -> int:
    from bot.channels.console import ConsoleChat

    hub = await _open_app(settings)
    try:
        await ConsoleChat(hub.core, language=language).run()
    finally:
        await hub.close()
    return 0


def _faq(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_faq
    from bot.faq.content import ContentError, load_faq
    from handlers import build_router

    if args.question == ["check"]:
        try:
            content = load_faq(settings.content_dir / "faq.yaml")
        except ContentError as exc:
            print(f"hubbot faq check: {exc}", file=sys.stderr)
            return 1
        phrasings = sum(len(q) for t in content.topics for q in t.questions.values())
        print(f"ok: {len(content.topics)} topics, {len(content.categories)} categories, "
              f"{phrasings} question phrasings")
        return 0
    faq = build_faq(settings, build_router())
    questions = [" ".join(args.question)] if args.question else (line.rstrip("\n")
                                                                 for line in sys.stdin)
    for question in questions:  # blank lines get a null answer too: output lines match input
        result = faq.match(question)
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            topic = faq.topic(result.answer_id) if result.answer_id else None
            print(faq.answer(topic, result.language or "en") if topic else "(no answer)")
    return 0


async def _db(settings: Settings, action: str) -> int:
    from storage.engine import make_engine
    from storage.migrate import upgrade

    from sqlalchemy.exc import SQLAlchemyError

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StartupError(f"hubbot: cannot open DATABASE_URL: {reason}") from None
    finally:
        await engine.dispose()
    print(f"database schema is up to date ({action})")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of `hubbot`."""
    p = argparse.ArgumentParser(prog="hubbot", description="Imereti Hub front-door bot")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot on the configured channels")
    run.add_argument("--role", choices=["all", "updates", "scheduler"], default="all",
                     help="all (default); or split between processes (PostgreSQL only): "
                          "`updates` answers people, `scheduler` sends reminders and announcements")
    chat = sub.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument("--lang", choices=["ka", "en"], default=None,
                      help="your language (default: from $LANG, else Georgian)")
    faq = sub.add_parser("faq", help="ask the FAQ (`hubbot faq check` validates the content)")
    faq.add_argument("--json", action="store_true", help="print one JSON object per question")
    faq.add_argument("question", nargs="*", help="a question; none: one per line on stdin")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    cli_orgs.add_parser(sub)
    cli_events.add_parser(sub)
    cli_announce.add_parser(sub)
    cli_messenger.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hubbot` console script."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.code, file=sys.stderr)
        return 2
    _setup_logging(settings)
    try:
        if args.command == "run":
            return asyncio.run(_run(settings, args.role))
        if args.command == "chat":
            language = args.lang or (os.environ.get("LANG", "")[:2] or None)
            return asyncio.run(_chat(settings, language))
        if args.command == "announce":
            return asyncio.run(cli_announce.run(settings, args, _open_app))
        if args.command == "faq":
            return _faq(settings, args)
        if args.command in ("orgs", "events", "messenger"):
            feature = {"orgs": cli_orgs, "events": cli_events,
                       "messenger": cli_messenger}[args.command]
            return asyncio.run(feature.run(settings, args, _open_app))
        return asyncio.run(_db(settings, args.action))
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 2

