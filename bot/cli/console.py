"""`hubbot console link|logout-all|open`: sign-in links and sessions of the staff console."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import webbrowser
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.arguments import text
from bot.cli.startup import StartupError, add_examples_on_first_start
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp

log = logging.getLogger("hubbot")
DEFAULT_NAME = "Admin"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot console`."""
    console = sub.add_parser("console", help="the staff console: sign-in links and sessions")
    actions = console.add_subparsers(dest="action", metavar="ACTION", required=True)
    link = actions.add_parser("link", help="print a one-time sign-in link (15 minutes)")
    link.add_argument("--name", type=text, required=True, help="the staff member it signs in")
    actions.add_parser("logout-all", help="sign every browser out of the console")
    opener = actions.add_parser("open", help="run the console here and open it in a browser, "
                                             "signed in")
    opener.add_argument("--name", type=text, default=DEFAULT_NAME,
                        help=f"the name to sign in as (default {DEFAULT_NAME})")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Do one console action."""
    hub = await open_app(settings)
    try:
        if args.action == "link":
            print(await _link(hub, args.name))
            return 0
        if args.action == "logout-all":
            count = await _logout_all(hub)
            print(f"signed out {count} console session{'s' if count != 1 else ''}")
            return 0
        return await _open(hub, args.name)
    finally:
        await hub.close()


async def _link(hub: HubApp, name: str, base: str | None = None) -> str:
    from bot.services import console_access
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        token = await console_access.new_link(uow, name)
        await uow.commit()
    return console_access.link_url(hub.settings, token, base)


async def _logout_all(hub: HubApp) -> int:
    from bot.services import console_access
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        count = await console_access.logout_all(uow, by="hubbot console logout-all")
        await uow.commit()
    return count


async def _open(hub: HubApp, name: str) -> int:
    """The web server with the console, the scheduler and the outbox worker, until Ctrl-C."""
    from bot.assembly import open_web
    from scheduler import HubScheduler

    settings = hub.settings
    await add_examples_on_first_start(hub)  # a fresh clone's console shows something to try
    web = open_web(hub, host=settings.host, port=settings.port)
    scheduler = HubScheduler(hub)
    web.worker = scheduler.worker
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.start()
    except OSError as exc:
        raise StartupError(f"hubbot: cannot listen on HOST/PORT {settings.host}:{settings.port}: "
                           f"{exc.strerror}") from None
    try:
        scheduler.start()
        hub.watch_content()  # edits from any process are answered here within seconds
        url = await _link(hub, name, web.base_url)  # this machine, whatever the public address
        print(f"console: {url}  (one-time link, 15 minutes; Ctrl-C stops)", flush=True)
        try:
            webbrowser.open(url)
        except Exception:
            log.debug("no browser to open", exc_info=True)
        await stop.wait()
    finally:
        await scheduler.stop()
        await web.stop()
    return 0
