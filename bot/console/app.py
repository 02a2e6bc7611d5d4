"""The console sub-application: templates, static files, sign-in, and every page module."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console import auth
from bot.console.deps import DEPS, ConsoleDeps
from bot.console.pages import PAGES
from bot.console.render import NAV

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def build_console(console_deps: ConsoleDeps) -> web.Application:
    """The console, to be mounted with `app.add_subapp("/console", console)`."""
    app = web.Application(middlewares=[auth.guard])
    app[DEPS] = console_deps
    app[NAV] = tuple(module.NAV for module in PAGES if getattr(module, "NAV", None))
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.StrictUndefined)
    app.router.add_static("/static/", STATIC, name="static")
    auth.add_routes(app)
    for module in PAGES:
        module.add_routes(app)
    return app


def mount(root: web.Application, console_deps: ConsoleDeps) -> None:
    """Serve the console under /console of the bot's web server."""
    root.add_subapp("/console", build_console(console_deps))

    async def to_console(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/console/")

    root.router.add_get("/console", to_console)
