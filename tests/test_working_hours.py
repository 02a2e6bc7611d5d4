"""Working hours parsing and the next opening, in Tbilisi time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.working_hours import WorkingHours

TBILISI = ZoneInfo("Asia/Tbilisi")


def test_open_and_next_opening() -> None:
    hours = WorkingHours.parse("Mon-Fri 10:00-18:00")
    friday_evening = datetime(2026, 11, 27, 19, 0, tzinfo=TBILISI)
    tuesday_noon = datetime(2026, 11, 24, 12, 0, tzinfo=TBILISI)
    assert hours.is_open(tuesday_noon, TBILISI)
    assert not hours.is_open(friday_evening, TBILISI)
    assert hours.next_opening(friday_evening, TBILISI) == datetime(2026, 11, 30, 10, 0,
                                                                    tzinfo=TBILISI)


def test_a_week_that_wraps_around() -> None:
    hours = WorkingHours.parse("sat-mon 09:00-13:00")
    assert hours.days == frozenset({5, 6, 0})


@pytest.mark.parametrize("text", ["weekdays 10-18", "mon-fri 18:00-10:00", "mon 9:00", ""])
def test_bad_forms_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        WorkingHours.parse(text)
