"""`hubbot run`: the bot on its configured channels, with the scheduler and the web server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.startup import StartupError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger("hubbot")

NO_CHANNEL = ("hubbot: no channel configured — set TELEGRAM_BOT_TOKEN (and optionally "
              "TELEGRAM_API_BASE_URL) or MESSENGER_PAGE_TOKEN to run the bot, or try it in a "
              "terminal with `hubbot chat`")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot run`."""
    run = sub.add_parser("run", help="run the bot on the configured channels")
    run.add_argument("--role", choices=["all", "updates", "scheduler"], default="all",
                     help="all (default); or split between processes (PostgreSQL only): "
                          "`updates` answers people, `scheduler` sends reminders and announcements")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Run until SIGINT or SIGTERM."""
    role: str = args.role
    if settings.telegram_bot_token is None and not settings.messenger_enabled:
        print(NO_CHANNEL, file=sys.stderr)
        return 2
    if role != "all" and settings.is_sqlite:
        raise StartupError("hubbot: SQLite serves one process only; use --role all, or set "
                           "DATABASE_URL to PostgreSQL to split the work between processes")
    from telegram.error import InvalidToken

    from bot.assembly import open_messenger, open_telegram, open_web
    from scheduler import HubScheduler

    # No example content here: `hubbot run` reaches real people (examples come with `hubbot chat`
    # and `hubbot console open` on a fresh database, or `hubbot db add-examples`).
    hub = await open_app(settings)
    if settings.staff_chat_id is None:  # the app left the hotline out: say so, once
        log.warning("the hotline is off: STAFF_CHAT_ID is not set, so /ask is not offered and "
                    "no question for staff is taken")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    receives = role in ("all", "updates")
    telegram = open_telegram(hub) if settings.telegram_bot_token is not None else None
    messenger = open_messenger(hub) if settings.messenger_enabled else None
    # The web server (webhooks, /healthz, the staff console) runs wherever updates are received,
    # with long polling too; a scheduler-only process leaves HOST:PORT to them.
    web = open_web(hub, host=settings.host, port=settings.port) if receives else None
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
            log.info("staff console at %s/console/%s", settings.console_url,
                     "" if settings.console_public_url else
                     " (set CONSOLE_PUBLIC_URL to the address staff reach it at)")
        if telegram is not None:
            elect = receives and not settings.telegram_webhook_url and not settings.is_sqlite
            await telegram.start(poll=receives, long_poll=not elect)
            if elect:  # several processes may share PostgreSQL; Telegram allows one poller
                polling = asyncio.create_task(_poll_when_elected(hub, telegram), name="poll leader")
                polling.add_done_callback(lambda task: task.cancelled() or stop.set())
        if scheduler is not None:
            scheduler.start()
        hub.watch_content()  # FAQ changes made anywhere are answered here within seconds
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
