"""What a console URL carries: a record's number in its path and a page number in its query,
with how many pages a listing has."""

from __future__ import annotations

from aiohttp import web

from bot.core.messages import small_number

MAX_PAGE_DIGITS = 6  # a longer page number is not a page of ours: the first page is shown


def record_number(request: web.Request, name: str = "number") -> int:
    """The record number in the path; 404 when it is no small id (a route's `\\d+` also takes
    "٣" and numbers longer than any id column)."""
    number = small_number(request.match_info[name])
    if number is None:
        raise web.HTTPNotFound()
    return number


def query_number(request: web.Request, name: str) -> int | None:
    """`?name=N` when it is a small id; None when it is missing or anything else."""
    return small_number(request.query.get(name, ""))


def page_number(request: web.Request) -> int:
    """`?page=N` from 1; anything else (missing, not a number, absurdly long) is the first page."""
    text = request.query.get("page", "1")
    number = small_number(text) if len(text) <= MAX_PAGE_DIGITS else None
    return max(1, number or 1)


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, so an empty list still has a page)."""
    return max(1, -(-total // per_page))
