"""`hubbot events`: add, list, cancel and move events; list attendees. Registrants are told."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.arguments import positive, record_id, text
from bot.cli.output import OutputError, write_file
from bot.services.event_input import TIME_HELP, UsageError, parse_moment, parse_place
from bot.settings import Settings
from storage.models_events import AUDIENCE_ANYONE, AUDIENCES, KINDS

if TYPE_CHECKING:
    from bot.app import HubApp
    from bot.services.events import EventChange
    from storage.models import Person
    from storage.models_events import Event, EventRegistration

OpenApp = Callable[[Settings], Awaitable["HubApp"]]
OPTIONS = {"kind": "--kind", "title_ka": "--title", "title_en": "--title-en",
           "address": "--place", "online_url": "--online-url",
           "audience": "--audience"}  # the option that fills each length-limited column


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `events` and its actions to the `hubbot` parser."""
    events = sub.add_parser("events", help="events: add, list, cancel, move, attendees, poster")
    actions = events.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an event; prints its id")
    add.add_argument("--title", type=text, required=True, help="title in Georgian")
    add.add_argument("--title-en", type=text, help="title in English")
    add.add_argument("--starts", required=True, help=f"{TIME_HELP}; not in the past")
    add.add_argument("--ends", help=TIME_HELP)
    add.add_argument("--place", type=text, required=True,
                     help="address (a municipality's name in it is recognised) or an online link")
    add.add_argument("--online-url", type=text, help="an online link besides the address")
    add.add_argument("--capacity", type=positive, help="seats (default: no limit)")
    add.add_argument("--kind", choices=KINDS, default="other")
    add.add_argument("--description", type=text, help="description in Georgian")
    add.add_argument("--description-en", type=text, help="description in English")
    add.add_argument("--deadline", help=f"registration deadline, {TIME_HELP} (a date alone: "
                                        "the end of that day)")
    add.add_argument("--audience", choices=AUDIENCES, default=AUDIENCE_ANYONE,
                     help="who may register (default anyone)")
    listing = actions.add_parser("list", help="upcoming events (--all: past and cancelled too)")
    listing.add_argument("--all", action="store_true")
    cancel = actions.add_parser("cancel", help="cancel an event; registrants are told (once)")
    cancel.add_argument("id", type=record_id)
    move = actions.add_parser("move", help="change the time; registrants are told")
    move.add_argument("id", type=record_id)
    move.add_argument("--starts", required=True, help=f"{TIME_HELP}; not in the past")
    move.add_argument("--ends", help=TIME_HELP)
    attendees = actions.add_parser("attendees", help="registrations of an event")
    attendees.add_argument("id", type=record_id)
    attendees.add_argument("--format", choices=["csv"], default="csv")
    attendees.add_argument("--output", "-o", type=Path, help="file (default standard output)")
    poster = actions.add_parser("poster", help="the check-in poster (PDF, A4); prints its link")
    poster.add_argument("id", type=record_id)
    poster.add_argument("--output", "-o", type=Path,
                        help="file or folder (default event-ID-poster.pdf here)")


async def run(settings: Settings, args: argparse.Namespace, open_app: OpenApp) -> int:
    """Carry out one `hubbot events` action: 0 done, 1 no such event, 2 bad input."""
    try:
        if args.action == "add":
            event = _new_event(args, settings)
        elif args.action == "move":
            starts, ends = _new_times(args, settings)
    except UsageError as exc:
        print(f"hubbot events {args.action}: {exc}", file=sys.stderr)
        return 2
    hub = await open_app(settings)
    try:
        if args.action == "add":
            return await _add(hub, event)
        if args.action == "list":
            return await _list(hub, args.all)
        if args.action == "attendees":
            return await _attendees(hub, args.id, args.output)
        if args.action == "cancel":
            return await _cancel(hub, args.id)
        if args.action == "poster":
            return await _poster(hub, args.id, args.output)
        return await _move(hub, args.id, starts, ends)
    except (UsageError, OutputError) as exc:
        print(f"hubbot events {args.action}: {exc}", file=sys.stderr)
        return 2
    finally:
        await hub.close()


def _future(option: str, text: str, settings: Settings, *, end_of_day: bool = False) -> datetime:
    """A time typed for `option`, refused when it has already passed."""
    from storage.models import utcnow

    moment = parse_moment(text, settings.tz, end_of_day=end_of_day)
    if moment <= utcnow():
        raise UsageError(f"{option} {text} is in the past")
    return moment


def _new_times(args: argparse.Namespace, settings: Settings) -> tuple[datetime, datetime | None]:
    starts = _future("--starts", args.starts, settings)
    ends = parse_moment(args.ends, settings.tz) if args.ends else None
    if ends is not None and ends <= starts:
        raise UsageError("--ends must be after --starts")
    return starts, ends


def _new_event(args: argparse.Namespace, settings: Settings) -> Event:
    from storage.limits import overlong
    from storage.models_events import Event

    municipality, address, online_url = parse_place(args.place)
    if args.online_url and not args.online_url.lower().startswith(("http://", "https://")):
        raise UsageError("--online-url must be a link starting with https:// or http://")
    starts, ends = _new_times(args, settings)
    deadline = (_future("--deadline", args.deadline, settings, end_of_day=True)
                if args.deadline else None)
    if deadline is not None and deadline > starts:
        raise UsageError("--deadline must not be after --starts")
    event = Event(
        kind=args.kind, title_ka=args.title, title_en=args.title_en,
        description_ka=args.description, description_en=args.description_en,
        starts_at=starts, ends_at=ends,
        municipality=municipality, address=address, online_url=args.online_url or online_url,
        capacity=args.capacity, audience=args.audience, deadline=deadline)
    for field, limit, length in overlong(event):  # told here, not as a database error
        option = "--place" if field == "online_url" and not args.online_url else OPTIONS.get(field, field)
        raise UsageError(f"{option} is {length} characters long; at most {limit} fit")
    return event


async def _add(hub: HubApp, event: Event) -> int:
    from bot.services.events import create_event
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        try:
            await create_event(uow, event)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        await uow.commit()
    print(event.id)
    return 0


async def _list(hub: HubApp, everything: bool) -> int:
    from storage.models import utcnow
    from storage.repos.events_calendar import EventCalendarRepo
    from storage.uow import UnitOfWork

    now, tz = utcnow(), hub.settings.tz
    async with UnitOfWork(hub.database) as uow:
        repo = uow.repo(EventCalendarRepo)
        events = await repo.listing()
        if not everything:
            events = [e for e in events if e.cancelled_at is None and e.starts_at > now]
        taken = await repo.seats_taken_by_event([e.id for e in events if e.id is not None])
        waiting = {e.id: len(await repo.waitlist(e.id)) for e in events if e.id is not None}
    for event in events:
        state = ("cancelled" if event.cancelled_at else "past" if event.starts_at <= now
                 else "upcoming")
        seats = f"{taken.get(event.id or 0, 0)}/{event.capacity or '∞'}"
        print("\t".join([str(event.id), f"{event.starts_at.astimezone(tz):%Y-%m-%d %H:%M}",
                         event.kind, seats, f"waiting {waiting.get(event.id or 0, 0)}", state,
                         event.title_ka]))
    if not events:
        print("no events", file=sys.stderr)
    return 0


def _not_found(event_id: int) -> int:
    print(f"hubbot events: no event with id {event_id}", file=sys.stderr)
    return 1


async def _cancel(hub: HubApp, event_id: int) -> int:
    from bot.services.events import cancel_event
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        change = await cancel_event(uow, event_id)
        if change is None:
            return _not_found(event_id)
        await uow.commit()
    return await _report(hub, change, cancelled=True,
                         unchanged=f"event {event_id} was already cancelled; nobody was told "
                                   "again", done=f"event {event_id} cancelled")


async def _move(hub: HubApp, event_id: int, starts: datetime, ends: datetime | None) -> int:
    from bot.services.events import EventCancelled, move_event
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        try:
            change = await move_event(uow, event_id, starts, ends)
        except EventCancelled:
            raise UsageError(f"event {event_id} is cancelled; a cancelled event is not moved"
                             ) from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if change is None:
            return _not_found(event_id)
        await uow.commit()
    when = f"{change.event.starts_at.astimezone(hub.settings.tz):%Y-%m-%d %H:%M}"
    return await _report(hub, change, cancelled=False,
                         unchanged=f"event {event_id} already starts at {when}; nobody was told",
                         done=f"event {event_id} moved to {when}")


async def _report(hub: HubApp, change: EventChange, *, cancelled: bool, unchanged: str,
                  done: str) -> int:
    """Print what a cancel or move did, with the title; registrants are told only of a change."""
    if not change.changed:
        print(f"{unchanged}: {change.event.title_ka}")
        return 0
    print(f"{done}: {change.event.title_ka}")
    await _tell(hub, change.event, change.registrants, cancelled=cancelled)
    return 0


async def _tell(hub: HubApp, event: Event,
                registrants: Sequence[tuple[EventRegistration, Person]], *,
                cancelled: bool) -> None:
    from bot.cli.notify import deliver_notices
    from bot.services.event_notices import change_notices

    notices = change_notices(event, registrants, hub.settings.tz, cancelled=cancelled)
    untold = await deliver_notices(hub, notices)
    print(f"registrants told: {len(notices) - untold} of {len(notices)}")
    if untold:
        print(f"{untold} not told yet: their messages wait in the outbox for the running bot "
              "(or set the channel's token here)")


async def _attendees(hub: HubApp, event_id: int, output: Path | None) -> int:
    from bot.exports.attendees import attendee_table
    from bot.exports.cells import to_csv
    from storage.repos.events_calendar import EventCalendarRepo
    from storage.uow import UnitOfWork

    tz = hub.settings.tz
    async with UnitOfWork(hub.database) as uow:
        repo = uow.repo(EventCalendarRepo)
        if await repo.get(event_id) is None:
            return _not_found(event_id)
        rows = attendee_table(await repo.attendee_rows(event_id), tz)
    csv = to_csv(rows)  # names people typed: formula-like cells are made inert
    if output is None:
        sys.stdout.write(csv)
    else:
        written = write_file(output, csv.encode("utf-8-sig"),
                             default_name=f"attendees-{event_id}.csv")
        print(f"wrote {written} ({len(rows) - 1} registrations)")
    return 0


async def _poster(hub: HubApp, event_id: int, output: Path | None) -> int:
    from bot.channels.telegram_me import bot_username
    from bot.exports.poster import build_poster, checkin_links
    from storage.models import utcnow
    from storage.repos.events_calendar import EventCalendarRepo
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        event = await uow.repo(EventCalendarRepo).get(event_id)
    if event is None:
        return _not_found(event_id)
    links = checkin_links(event, telegram_username=await bot_username(hub.settings),
                          messenger_page=hub.settings.messenger_page)
    if not links:
        raise UsageError("no link to put on the poster: set TELEGRAM_BOT_USERNAME (or "
                         "TELEGRAM_BOT_TOKEN) or MESSENGER_PAGE")
    pdf = build_poster(event, links, tz=hub.settings.tz, generated=utcnow())
    name = f"event-{event_id}-poster.pdf"
    written = write_file(output if output is not None else Path(name), pdf, default_name=name)
    print(f"wrote {written}")
    for link in links:
        print(link.url)
    return 0
