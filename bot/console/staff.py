"""The signed-in staff member of a console request, and where the request keeps it."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True)
class StaffMember:
    """The signed-in staff member of a request."""

    id: int  # the session's id
    name: str
    telegram_user_id: int | None
    language: str


STAFF_KEY = web.RequestKey("console_staff", StaffMember)  # set by the auth middleware
CSRF_KEY = web.RequestKey("console_csrf", str)
