"""`hubbot announce TEXT [--audience all|topic:T|municipality:M|event:N]`: queue an announcement.

The running bot's scheduler sends it (within the flood limits) and reports the progress in
the staff chat; this command prints how many people it will reach.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.settings import Settings
from storage.models_outbox import Announcement
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import HubApp

AUDIENCE_KINDS = ("all", "topic", "municipality", "event")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot announce`."""
    p = sub.add_parser("announce", help="queue an announcement for subscribers")
    p.add_argument("text", help="the announcement")
    p.add_argument("--audience", default="all",
                   help="all | topic:forums|trainings|funding|legal|hub | municipality:kutaisi… "
                        "| event:ID (registrants)")
    p.add_argument("--dry-run", action="store_true", help="only count the recipients")


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Count the audience and queue one outbox row per person."""
    kind, _sep, value = args.audience.partition(":")
    if kind not in AUDIENCE_KINDS or (kind != "all" and not value):
        print(f"hubbot announce: --audience must be one of {', '.join(AUDIENCE_KINDS)} "
              "(with :VALUE except for all)")
        return 2
    hub = await open_app(settings)
    try:
        async with UnitOfWork(hub.database) as uow:
            announcement = Announcement(text=args.text, audience={"kind": kind, "value": value},
                                        author="hubbot announce")
            people = await hub.services.announcements.recipients(uow, announcement.audience)
            if args.dry_run:
                print(f"{len(people)} recipients")
                return 0
            uow.session.add(announcement)
            await uow.commit()
        queued = await hub.services.announcements.queue(announcement.id or 0)
        print(f"announcement #{announcement.id} queued for {queued} people; "
              "the running bot sends it")
        return 0
    finally:
        await hub.close()
