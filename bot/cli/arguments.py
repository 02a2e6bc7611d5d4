"""Argument parsing for `hubbot`: one-line refusals (exit 2) and the value types commands share."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

MAX_ID = 2**31 - 1  # the largest id a database column holds; larger ones name nothing


class OneLineParser(argparse.ArgumentParser):
    """An argument parser that refuses bad input in one line on stderr, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print `hubbot …: message (see --help)` and exit 2."""
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def record_id(text: str) -> int:
    """A positive whole number naming a stored record."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a whole number)") from None
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a positive whole number)")
    return value


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def text(value: str) -> str:
    """A text that is not blank (outer spaces dropped)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    return value.strip()
