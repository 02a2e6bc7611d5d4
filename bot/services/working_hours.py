"""Working hours from a setting like "mon-fri 10:00-18:00" (Asia/Tbilisi by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PATTERN = re.compile(
    r"^\s*(mon|tue|wed|thu|fri|sat|sun)(?:\s*-\s*(mon|tue|wed|thu|fri|sat|sun))?\s+"
    r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class WorkingHours:
    """Days of the week (0 = Monday) and the daily opening time span."""

    days: frozenset[int]
    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Read "mon-fri 10:00-18:00"; raises ValueError with what is expected."""
        match = _PATTERN.match(text.lower())
        if not match:
            raise ValueError('expected a form like "mon-fri 10:00-18:00"')
        first, last, h1, m1, h2, m2 = match.groups()
        start, end = DAYS.index(first), DAYS.index(last or first)
        days = frozenset(range(start, end + 1)) if start <= end else frozenset(
            [*range(start, 7), *range(0, end + 1)])
        opens, closes = time(int(h1), int(m1)), time(int(h2), int(m2))
        if opens >= closes:
            raise ValueError("the opening time must be before the closing time")
        return cls(days=days, opens=opens, closes=closes)

    def is_open(self, moment: datetime, zone: tzinfo) -> bool:
        """True during working hours."""
        local = moment.astimezone(zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime, zone: tzinfo) -> datetime:
        """When the hub opens next (local time), from a moment outside working hours."""
        local = moment.astimezone(zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            opening = datetime.combine(day, self.opens, tzinfo=zone)
            if day.weekday() in self.days and opening > local:
                return opening
        raise ValueError("no working day in the week")  # parse() never allows this
