"""The declarations of a form: its steps, their options, and how a typed answer is parsed.

A form (bot/core/forms.py) is a list of `Step`s; each step has a kind (text, a choice, ticks, yes
or no, a phone number, an e-mail, a number, a date and time, files, a review screen), a prompt,
and what checks its answer. Nothing here talks to a person: the engine asks and answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.messages import Button, small_number
from bot.core.turn import Turn
from bot.i18n import N_

TEXT, CHOICE, MULTI, YESNO, PHONE, EMAIL, NUMBER, DATETIME, FILES, REVIEW = (
    "text", "choice", "multi", "yesno", "phone", "email", "number", "datetime", "files", "review")
BUTTON_KINDS = frozenset({CHOICE, MULTI, YESNO, REVIEW})  # typed "back"/"cancel" are controls
DRAFT_STEP = "_draft"  # the offer to continue a draft
OPEN = "_open"  # a step being filled over several messages (areas to tick, files to send)
NEAR = "_near"  # the value offered by "Did you mean …?"

Data = dict[str, Any]
Prompt = str | Callable[[Turn, Data], str]
DataHook = Callable[[Turn, Data], Awaitable[None]]


class Invalid(ValueError):
    """An answer that cannot be accepted; `message` is a message id with `{params}`."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Option:
    """One button of a choice: the stored value and its label (a message id)."""

    value: str
    label: str
    short: str | None = None
    also: tuple[str, ...] = ()  # more names a person may type (an event's other-language title)

    def labels(self) -> tuple[str, ...]:
        """Every name a person may type for it."""
        return (self.label, *([self.short] if self.short else []), *self.also)


@dataclass(frozen=True)
class Step:
    """One question of a form: its kind, prompt, validator and where its answer goes."""

    name: str  # the data key its answer is stored under
    kind: str
    prompt: Prompt
    options: Sequence[Option] | Callable[[Turn, Data], Sequence[Option]] = ()
    parse: Callable[[str], Any] | None = None  # raises Invalid (or a ValueError with .message)
    max_length: int | None = None
    minimum: int | None = None  # NUMBER
    maximum: int | None = None
    optional: bool | Callable[[Data], bool] = False  # a Skip button stores None
    skip_label: str = N_("Skip")
    when: Callable[[Data], bool] | None = None  # asked only when this is true
    answered: Callable[[Data], bool] | None = None  # overrides "its key is in the data"
    columns: int = 1
    done_label: str = N_("✅ Done")
    done_short: str = N_("Done")
    yes_label: str = N_("Yes")
    no_label: str | None = N_("No")
    on_no: DataHook | None = None  # a "no" that ends the form instead of being stored
    check: Callable[[Turn, Data, Any], Awaitable[bool]] | None = None  # False: it replied
    on_text: Callable[[Turn, Data], Awaitable[bool]] | None = None  # text no button matched
    summary: Callable[[Turn, Data], str] | None = None  # REVIEW
    edits: Mapping[str, str] = field(default_factory=dict)  # REVIEW: step name → label
    submit_label: str = N_("✅ Send")
    submit_short: str = N_("Send")
    extra_rows: Callable[[Turn, Data], list[list[Button]]] | None = None
    max_parts: int = 20  # FILES
    file_kinds: tuple[str, ...] = ("photo", "document")
    min_parts: int = 1
    empty_done: str = N_("Please send something first.")
    min_choices: int = 1  # MULTI
    too_few: str = N_("Please choose at least one.")

    def is_optional(self, data: Data) -> bool:
        """True when this step may be skipped now."""
        return self.optional(data) if callable(self.optional) else self.optional

    def choices(self, turn: Turn, data: Data) -> Sequence[Option]:
        """The options shown now."""
        if self.kind == YESNO:
            both = [Option("y", self.yes_label)]
            return both + [Option("n", self.no_label)] if self.no_label else both
        return self.options(turn, data) if callable(self.options) else self.options

    def is_answered(self, data: Data) -> bool:
        """True when `data` holds this step's answer (a review: when it was confirmed)."""
        if self.kind == REVIEW:
            return bool(data.get(self.name))
        if data.get(OPEN) == self.name:
            return False
        if self.answered is not None:
            return self.answered(data)
        return self.name in data

    def parse_answer(self, text: str) -> Any:
        """The typed answer as stored; raises Invalid (a ValueError) when it cannot be."""
        if self.parse is not None:
            return self.parse(text)
        if self.kind == NUMBER:
            return parse_number(text, self.minimum, self.maximum)
        if self.kind == DATETIME:
            return parse_datetime(text)
        return text


def parse_number(text: str, minimum: int | None, maximum: int | None) -> int:
    """A whole number within [minimum, maximum]."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        raise Invalid(N_("Please send a number."))
    number = small_number(digits)  # None: more digits than any limit of ours
    if number is None or (minimum is not None and number < minimum) or (
            maximum is not None and number > maximum):
        raise Invalid(N_("Please send a number from {minimum} to {maximum}."),
                      minimum=minimum, maximum=maximum)
    return number


def parse_datetime(text: str) -> str:
    """A date and time typed as DD.MM.YYYY HH:MM, stored as ISO text."""
    try:
        return datetime.strptime(" ".join(text.split()), "%d.%m.%Y %H:%M").isoformat()
    except ValueError:
        raise Invalid(N_("Please write the date and time as DD.MM.YYYY HH:MM, e.g. "
                         "25.05.2025 14:00.")) from None
