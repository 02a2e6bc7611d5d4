"""The `hubbot` command line: one module per command group, each parsing, calling services and
printing its result.

Exit codes: 0 done, 1 something named does not exist (or a check failed), 2 bad input or a
setting or start-up problem; each refusal is one line on standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.cli import (
    announce,
    chat,
    console,
    db,
    events,
    faq,
    messenger,
    orgs,
    report,
    run,
)
from bot.cli.arguments import OneLineParser
from bot.cli.startup import StartupError, open_app, setup_logging
from bot.settings import SettingsError, load_settings

COMMANDS = {"run": run, "chat": chat, "faq": faq, "db": db, "orgs": orgs, "events": events,
            "announce": announce, "messenger": messenger, "console": console,
            "report": report}


def parser() -> argparse.ArgumentParser:
    """The argument parser of `hubbot`."""
    p = OneLineParser(prog="hubbot", description="Imereti Hub front-door bot")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hubbot` console script."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.code, file=sys.stderr)
        return 2
    setup_logging(settings, command=args.command)
    try:
        return asyncio.run(COMMANDS[args.command].run(settings, args, open_app))
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 2
