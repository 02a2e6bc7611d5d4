"""`hubbot messenger setup`: the Get Started button, greeting and persistent menu of the Page."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot messenger`."""
    p = sub.add_parser("messenger", help="Messenger Page settings")
    p.add_argument("action", choices=["setup"],
                   help="setup: Get Started button, greeting (ka, en) and persistent menu")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Send the Page's Messenger profile through the Graph API."""
    if not settings.messenger_enabled:
        print("hubbot messenger: set MESSENGER_PAGE_TOKEN, MESSENGER_APP_SECRET and "
              "MESSENGER_VERIFY_TOKEN first", file=sys.stderr)
        return 2
    from bot.assembly import open_messenger
    from bot.channels.messenger import greeting_profile
    from bot.core.delivery import DeliveryError

    hub = await open_app(settings)
    channel = open_messenger(hub)
    try:
        await channel.graph.post("me/messenger_profile", greeting_profile(hub.router.has_command))
    except DeliveryError as exc:
        print(f"hubbot messenger setup: the Graph API refused: {exc}", file=sys.stderr)
        return 1
    finally:
        await channel.stop()
        await hub.close()
    print("Messenger profile set: Get Started button, greeting (ka, en), persistent menu")
    return 0
