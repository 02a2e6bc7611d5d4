"""`hubbot announce TEXT [--audience all|topic:T|municipality:M|event:N]`: queue an announcement.

The running bot's scheduler sends it (within the flood limits) and reports the progress in
the staff chat; this command prints how many people it will reach.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cli.arguments import text
from bot.core.messages import small_number
from bot.places import MUNICIPALITIES
from bot.services.announcements import MAX_TEXT, SUBSCRIPTION_TOPICS
from bot.settings import Settings
from storage.models_outbox import Announcement
from storage.repos.announcements import AnnouncementRepo
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import HubApp

AUDIENCE_KINDS = ("all", "topic", "municipality", "event")


class AudienceError(Exception):
    """An audience that names nothing; `code` is 2 for a bad value, 1 for an unknown event."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `hubbot announce`."""
    p = sub.add_parser("announce", help="queue an announcement for subscribers")
    p.add_argument("text", type=text, help=f"the announcement (at most {MAX_TEXT} characters)")
    p.add_argument("--audience", default="all",
                   help=f"all | topic:{'|'.join(SUBSCRIPTION_TOPICS)} | municipality:kutaisi… "
                        "| event:ID (its confirmed registrants)")
    p.add_argument("--dry-run", action="store_true", help="only count the recipients")


def parse_audience(value: str) -> tuple[str, str]:
    """(kind, value) of an `--audience` option; `AudienceError` says what is wrong."""
    kind, sep, rest = value.strip().partition(":")
    if kind not in AUDIENCE_KINDS:
        raise AudienceError(f"--audience {value!r}: use {', '.join(AUDIENCE_KINDS)} "
                            "(with :VALUE except for all)")
    if kind == "all":
        if sep:
            raise AudienceError(f"--audience {value!r}: `all` takes no value")
        return kind, ""
    choices = {"topic": list(SUBSCRIPTION_TOPICS),
               "municipality": [m for m in MUNICIPALITIES if m != "other"]}.get(kind)
    if choices is not None and rest not in choices:
        raise AudienceError(f"--audience {value!r}: unknown {kind}; use one of "
                            f"{', '.join(choices)}")
    if kind == "event" and not (small_number(rest) or 0) > 0:
        raise AudienceError(f"--audience {value!r}: an event is named by its id, e.g. event:12")
    return kind, rest


async def _check_event(uow: UnitOfWork, value: str) -> None:
    if await uow.repo(EventCalendarRepo).get(int(value)) is None:
        raise AudienceError(f"hubbot announce: no event with id {value}", code=1)


async def run(settings: Settings, args: argparse.Namespace,
              open_app: Callable[[Settings], Awaitable[HubApp]]) -> int:
    """Count the audience and queue one outbox row per person: 0 done, 1 no such event,
    2 bad input."""
    try:
        if len(args.text) > MAX_TEXT:
            raise AudienceError(f"the text is {len(args.text)} characters long; "
                                f"at most {MAX_TEXT} fit in one message")
        kind, value = parse_audience(args.audience)
    except AudienceError as exc:
        print(f"hubbot announce: {exc}", file=sys.stderr)
        return exc.code
    hub = await open_app(settings)
    try:
        async with UnitOfWork(hub.database) as uow:
            if kind == "event":
                await _check_event(uow, value)
            announcement = Announcement(text=args.text, audience={"kind": kind, "value": value},
                                        author="hubbot announce")
            people = await hub.services.announcements.count(uow, announcement.audience)
            if args.dry_run:
                print(f"{people} recipients")
                return 0
            if not people:
                print("nobody is in this audience yet: nothing was queued")
                return 0
            await uow.repo(AnnouncementRepo).add(announcement)
            await uow.commit()
        queued = await hub.services.announcements.queue(announcement.id or 0)
        print(f"announcement #{announcement.id} queued for {queued} people; "
              "the running bot sends it")
        return 0
    except AudienceError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    finally:
        await hub.close()
