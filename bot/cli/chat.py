"""`hubbot chat`: the bot in this terminal, on the same core and database."""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot chat`."""
    chat = sub.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument("--lang", choices=["ka", "en"], default=None,
                      help="your language (default: from $LANG, else Georgian)")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Chat until end of input."""
    from bot.channels.console import ConsoleChat
    from bot.cli.startup import add_examples_on_first_start

    language = args.lang or (os.environ.get("LANG", "")[:2] or None)
    hub = await open_app(settings)
    try:
        await add_examples_on_first_start(hub)
        hub.watch_content()
        await ConsoleChat(hub.core, language=language).run()
    finally:
        await hub.close()
    return 0
