"""The tickets page (a placeholder for its owner to replace)."""

from __future__ import annotations

from aiohttp import web

from bot.console.render import render
from bot.i18n import N_

NAV = ("/console/tickets", N_("Tickets"))


async def index(request: web.Request) -> web.Response:
    """The page itself."""
    return render(request, "inbox/index.html")


def add_routes(app: web.Application) -> None:
    """Routes of this page, relative to /console."""
    app.router.add_get("/tickets", index)
