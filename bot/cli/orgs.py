"""`hubbot orgs`: list, approve, reject and export the registered organisations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.arguments import record_id, text
from bot.cli.output import OutputError, write_file
from bot.settings import Settings
from storage.models_orgs import STATUSES

if TYPE_CHECKING:
    from bot.app import HubApp

OpenApp = Callable[[Settings], Awaitable["HubApp"]]
FORMATS = ("csv", "xlsx", "pdf")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `orgs` and its actions to the `hubbot` parser."""
    orgs = sub.add_parser("orgs", help="organisations: list, approve, reject, export")
    actions = orgs.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one line per organisation")
    listing.add_argument("--status", choices=STATUSES, help="only organisations with this status")
    approve = actions.add_parser("approve",
                                 help="approve a registration (the person is told, once)")
    approve.add_argument("id", type=record_id)
    reject = actions.add_parser("reject", help="reject a registration with a reason")
    reject.add_argument("id", type=record_id)
    reject.add_argument("--reason", type=text, required=True, help="what the person reads")
    export = actions.add_parser(
        "export", help="CSV/XLSX of every organisation, or the PDF booklet of the listed ones")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--output", "-o", type=Path,
                        help="file (or folder) to write; required for xlsx and pdf "
                             "(CSV: default standard output)")
    export.add_argument("--lang", choices=["ka", "en"], default="ka",
                        help="language of names of choices and of the booklet (default ka)")


async def run(settings: Settings, args: argparse.Namespace, open_app: OpenApp) -> int:
    """Carry out one `hubbot orgs` action: 0 done, 1 no such organisation, 2 bad input."""
    if args.action == "export" and args.format != "csv" and args.output is None:
        # A binary file has no place on a terminal, and one dropped in whatever folder the
        # command ran from (often the bot's own) gets lost: staff say where it goes.
        print(f"hubbot orgs export: --format {args.format} needs --output FILE (or a folder), "
              f"e.g. -o {_default_name(args.format, datetime.now(settings.tz))}",
              file=sys.stderr)
        return 2
    hub = await open_app(settings)
    try:
        if args.action == "list":
            return await _list(hub, args.status)
        if args.action == "export":
            return await _export(hub, args)
        return await _decide(hub, args)
    except OutputError as exc:
        print(f"hubbot orgs {args.action}: {exc}", file=sys.stderr)
        return 2
    finally:
        await hub.close()


def _default_name(file_format: str, now: datetime) -> str:
    return f"{'booklet' if file_format == 'pdf' else 'organisations'}-{now:%Y-%m-%d}.{file_format}"


async def _list(hub: HubApp, status: str | None) -> int:
    from storage.repos.organisations import OrganisationRepo
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        organisations = await uow.repo(OrganisationRepo).listing(status)
    for org in organisations:
        print("\t".join([str(org.id), org.status, org.id_code or "-", org.municipality,
                         org.name_ka]))
    if not organisations:
        print("no organisations", file=sys.stderr)
    return 0


async def _decide(hub: HubApp, args: argparse.Namespace) -> int:
    from bot.cli.notify import deliver_notices, notice_for
    from bot.services.organisations import approve_organisation, reject_organisation
    from storage.uow import UnitOfWork

    async with UnitOfWork(hub.database) as uow:
        if args.action == "approve":
            outcome = await approve_organisation(uow, args.id)
        else:
            outcome = await reject_organisation(uow, args.id, args.reason)
        if outcome is None:
            print(f"hubbot orgs: no organisation with id {args.id}", file=sys.stderr)
            return 1
        await uow.commit()
    org = outcome.organisation
    if not outcome.changed:
        print(f"organisation {org.id} was already {org.status}"
              f"{' with this reason' if args.action == 'reject' else ''}; "
              f"nobody was told again: {org.name_ka}")
        return 0
    print(f"organisation {org.id} {org.status}: {org.name_ka}")
    if outcome.person is None:
        print("nobody to tell: the person who registered it is no longer known")
        return 0
    untold = await deliver_notices(hub, [notice_for(outcome.person, outcome.text)])
    if untold:
        print(f"the person on {outcome.person.channel} was not told yet: the message waits in "
              "the outbox for the running bot (or set the channel's token here)")
    else:
        print("the person was told")
    return 0


async def _export(hub: HubApp, args: argparse.Namespace) -> int:
    from bot.exports.org_tables import rows, to_csv, to_xlsx
    from storage.repos.organisations import OrganisationRepo
    from storage.uow import UnitOfWork

    tz = hub.settings.tz
    now = datetime.now(tz)
    async with UnitOfWork(hub.database) as uow:
        repo = uow.repo(OrganisationRepo)
        organisations = await (repo.public() if args.format == "pdf" else repo.listing())
    if args.format == "csv":
        csv = to_csv(rows(organisations, language=args.lang, tz=tz))
        if args.output is None:
            sys.stdout.write(csv)
            return 0
        content = csv.encode("utf-8-sig")  # Excel reads Georgian correctly with the BOM
    elif args.format == "xlsx":
        content = to_xlsx(rows(organisations, language=args.lang, tz=tz))
    else:
        from bot.exports.booklet import build_booklet

        content = build_booklet(organisations, language=args.lang, generated=now)
    written = write_file(args.output, content, default_name=_default_name(args.format, now))
    print(f"wrote {written} ({len(organisations)} organisations)")
    return 0
