"""What the content check finds, and why an FAQ change is refused: each problem a message id
with its values. It reads as English (`str()`: `hubbot faq`, logs, comparing two checks) and is
said to staff in their language with `said(translate)`."""

from __future__ import annotations

from collections.abc import Callable

Translate = Callable[[str], str]


class Problem:
    """One problem: a message id (English, with `{names}`) and the values for its names; a
    value may itself be a Problem (where in the content), said in the same language."""

    __slots__ = ("message", "values")

    def __init__(self, message: str, **values: object) -> None:
        self.message = message
        self.values = values

    def said(self, translate: Translate) -> str:
        """The problem in the language of `translate`."""
        return translate(self.message).format(**{
            name: value.said(translate) if isinstance(value, Problem) else value
            for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.said(str)

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def english(problems: list[Problem]) -> str:
    """The problems as one English line (the command line, ContentError)."""
    return "; ".join(map(str, problems))
