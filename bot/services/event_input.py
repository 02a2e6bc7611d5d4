"""Reading the times and places staff type for an event (the command line and /newevent)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.faq.normalize import fold
from bot.i18n import translator
from bot.places import MUNICIPALITIES

TIME_HELP = "YYYY-MM-DDTHH:MM in TIMEZONE (default Asia/Tbilisi)"


class UsageError(Exception):
    """A bad value typed by staff, told in one line."""


def parse_moment(text: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A local date-time (or date) typed by staff, as aware UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"cannot read the time {text!r}; use {TIME_HELP}") from None
    if end_of_day and len(text.strip()) == 10:
        value = datetime.combine(value.date(), time(23, 59))
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(ZoneInfo("UTC"))


def parse_place(text: str) -> tuple[str | None, str | None, str | None]:
    """(municipality, address, online link) from a `--place` value."""
    place = text.strip()
    if place.lower().startswith(("http://", "https://")):
        return None, None, place
    words = set(fold(place).split())
    for key, label in MUNICIPALITIES.items():
        names = {fold(label), fold(translator("ka")(label))}
        if key != "other" and any(name and set(name.split()) <= words for name in names):
            return key, place, None
    return None, place, None
