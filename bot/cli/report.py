"""`hubbot report`: the donor report of a period, as PDF or XLSX."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.output import OutputError, write_file
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import HubApp

OpenApp = Callable[[Settings], Awaitable["HubApp"]]


def day(text: str) -> date:
    """A date as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `report` to the `hubbot` parser."""
    report = sub.add_parser(
        "report", help="the donor report of a period (aggregates only), as PDF or XLSX")
    report.add_argument("--from", dest="start", type=day, required=True,
                        help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="end", type=day, required=True,
                        help="last day, included (YYYY-MM-DD)")
    report.add_argument("--format", choices=["pdf", "xlsx"], required=True)
    report.add_argument("--lang", choices=["ka", "en"], default="ka",
                        help="language of the report (default ka)")
    report.add_argument("--output", "-o", type=Path,
                        help="file (or folder) to write; default report-FROM-TO.FORMAT here")


async def run(settings: Settings, args: argparse.Namespace, open_app: OpenApp) -> int:
    """Write the report: 0 done, 2 bad input or the file cannot be written."""
    from bot.services.report_files import file_name, report_document

    if args.end < args.start:
        print(f"hubbot report: --to {args.end} is before --from {args.start}", file=sys.stderr)
        return 2
    hub = await open_app(settings)
    try:
        async with hub.session_factory() as session:
            document = await report_document(session, settings, start=args.start,
                                             end=args.end, file_format=args.format,
                                             language=args.lang)
        output = args.output or Path(file_name(args.start, args.end, args.format))
        written = write_file(output, document.content, default_name=document.filename)
    except OutputError as exc:
        print(f"hubbot report: {exc}", file=sys.stderr)
        return 2
    finally:
        await hub.close()
    print(f"wrote {written}")
    return 0
