"""How `hubbot events add` reads times and places typed by staff."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.event_input import UsageError, parse_moment, parse_place

TBILISI = ZoneInfo("Asia/Tbilisi")


def test_times_are_local_to_the_hub_and_stored_in_utc() -> None:
    assert parse_moment("2031-05-20T10:00", TBILISI) == datetime(2031, 5, 20, 6, 0, tzinfo=UTC)
    assert parse_moment("2031-05-20T10:00+00:00", TBILISI) == datetime(2031, 5, 20, 10, 0,
                                                                       tzinfo=UTC)


def test_a_deadline_given_as_a_date_means_the_end_of_that_day() -> None:
    assert parse_moment("2031-05-19", TBILISI, end_of_day=True) == datetime(
        2031, 5, 19, 19, 59, tzinfo=UTC)
    assert parse_moment("2031-05-19", TBILISI) == datetime(2031, 5, 18, 20, 0, tzinfo=UTC)


def test_an_unreadable_time_is_refused() -> None:
    with pytest.raises(UsageError, match="YYYY-MM-DDTHH:MM"):
        parse_moment("next Friday", TBILISI)


@pytest.mark.parametrize(("place", "expected"), [
    ("Kutaisi, 111 Tsereteli St.", ("kutaisi", "Kutaisi, 111 Tsereteli St.", None)),
    ("ზესტაფონი, კულტურის სახლი", ("zestaponi", "ზესტაფონი, კულტურის სახლი", None)),
    ("https://meet.example.org/forum", (None, None, "https://meet.example.org/forum")),
    ("Tbilisi, Rustaveli Ave. 1", (None, "Tbilisi, Rustaveli Ave. 1", None)),
])
def test_places_name_a_municipality_or_an_online_link(
        place: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert parse_place(place) == expected
