"""The console sub-application: templates, static files, sign-in, and every page module."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console import auth, errors
from bot.console.deps import DEPS, ConsoleDeps
from bot.console.pages import PAGES
from bot.console.render import NAV

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",  # no console form inside someone else's frame
    # Scripts only from the package; inline style attributes are allowed (e.g. chart bars).
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a sign-in link's token never leaves the console
}
HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def build_console(console_deps: ConsoleDeps,
                  pages: tuple[ModuleType, ...] = PAGES) -> web.Application:
    """The console, to be mounted with `app.add_subapp("/console", console)`."""
    # Errors outermost: what the sign-in check refuses (a body too large) is a page too.
    app = web.Application(middlewares=[errors.explain, auth.guard])
    app[DEPS] = console_deps
    app[NAV] = tuple(module.NAV for module in pages if getattr(module, "NAV", None))
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.StrictUndefined)
    app.on_response_prepare.append(_harden)
    app.router.add_static("/static/", STATIC, name="static")
    auth.add_routes(app)
    for module in pages:
        module.add_routes(app)
    return app


async def _harden(request: web.Request, response: web.StreamResponse) -> None:
    """Security headers on every console answer; pages (with names and tokens) are not cached."""
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith("/console/static/"):
        response.headers["Cache-Control"] = "no-store"


def mount(root: web.Application, console_deps: ConsoleDeps,
          pages: tuple[ModuleType, ...] = PAGES) -> None:
    """Serve the console under /console of the bot's web server."""
    root.add_subapp("/console", build_console(console_deps, pages))

    async def to_console(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/console/")

    root.router.add_get("/console", to_console)
