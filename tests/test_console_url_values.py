"""Page numbers in console URLs: one rule for every listing (events, organisations, tickets,
the audit log)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.console.url_values import page_count, page_number


@pytest.mark.parametrize(("query", "page"), [
    ("", 1), ("?page=3", 3), ("?page=0", 1), ("?page=-2", 1), ("?page=x", 1),
    ("?page=999999", 999999), ("?page=1000000", 1), ("?page=²", 1)])
def test_a_page_number_is_a_short_positive_number_or_the_first_page(query: str,
                                                                    page: int) -> None:
    assert page_number(make_mocked_request("GET", f"/console/events{query}")) == page


def test_an_empty_listing_still_has_one_page() -> None:
    assert [page_count(total, 50) for total in (0, 1, 50, 51)] == [1, 1, 1, 2]
