"""What a console URL carries: a record's number in its path and a page number in its query,
with how many pages a listing has."""

from __future__ import annotations

from aiohttp import web

MAX_PAGE_DIGITS = 6  # a longer page number is not a page of ours: the first page is shown


def record_number(request: web.Request, name: str = "number") -> int:
    """The number in the path (the route's pattern has already checked it is digits)."""
    return int(request.match_info[name])


def page_number(request: web.Request) -> int:
    """`?page=N` from 1; anything else (missing, not a number, absurdly long) is the first page."""
    text = request.query.get("page", "1")
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_PAGE_DIGITS:
        return 1  # ("²" is a digit to str.isdigit, and int() refuses it)
    return max(1, int(text))


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, so an empty list still has a page)."""
    return max(1, -(-total // per_page))
