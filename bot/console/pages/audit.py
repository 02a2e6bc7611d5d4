"""The audit log page: who changed what from the console, and when — newest first."""

from __future__ import annotations

from aiohttp import web

from bot.console.deps import deps
from bot.console.render import render
from bot.console.url_values import page_count, page_number
from bot.i18n import N_
from storage.repos.console import ConsoleRepo
from storage.uow import UnitOfWork

NAV = ("/console/audit", N_("Audit log"))
PER_PAGE = 50


async def index(request: web.Request) -> web.Response:
    """One page of the audit log (`?page=N`)."""
    page = page_number(request)
    settings = deps(request).settings
    async with UnitOfWork(deps(request).database) as uow:
        repo = uow.repo(ConsoleRepo)
        total = await repo.audit_count()
        entries = await repo.audit_page((page - 1) * PER_PAGE, PER_PAGE)
    rows = [{"at": entry.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M"),
             "name": entry.staff_name, "action": entry.action, "target": entry.target,
             "details": entry.details} for entry in entries]
    return render(request, "audit/index.html", {
        "rows": rows, "page": page, "pages": page_count(total, PER_PAGE), "total": total})


def add_routes(app: web.Application) -> None:
    """GET /console/audit."""
    app.router.add_get("/audit", index)
