"""The donor report: choose a period, a format and a language, download the file."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from bot.console.deps import deps
from bot.console.downloads import send_file
from bot.console.render import language, render, translate
from bot.i18n import N_
from bot.services.report_files import FORMATS, report_document, span_period

NAV = ("/console/reports", N_("Report"))


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


async def index(request: web.Request) -> web.Response:
    """GET /console/reports: the form, this month filled in."""
    start, end = span_period("month", deps(request).settings)
    return _form(request, {"start": start.isoformat(), "end": end.isoformat(),
                           "format": "pdf", "lang": language(request)})


def _form(request: web.Request, values: dict[str, Any], error: str | None = None,
          status: int = 200) -> web.Response:
    return render(request, "reports/index.html", {"values": values, "error": error},
                  status=status)


async def download(request: web.Request) -> web.StreamResponse:
    """GET /console/reports/download?from=…&to=…&format=pdf|xlsx&lang=ka|en: the file."""
    _ = translate(request)
    query = request.query
    start, end = _day(query.get("from")), _day(query.get("to"))
    file_format = query.get("format", "pdf")
    lang = query.get("lang", language(request))
    values = {"start": query.get("from", ""), "end": query.get("to", ""),
              "format": file_format, "lang": lang}
    if start is None or end is None:
        return _form(request, values, _(N_("Give the first and the last day of the period.")),
                     400)
    if end < start:
        return _form(request, values, _(N_("The last day is before the first.")), 400)
    if file_format not in FORMATS or lang not in ("ka", "en"):
        return _form(request, values, _(N_("Choose PDF or XLSX, Georgian or English.")), 400)
    hub = deps(request)
    async with hub.database.sessions() as session:  # reads only: no unit of work
        document = await report_document(session, hub.settings, start=start, end=end,
                                         file_format=file_format, language=lang)
    return await send_file(request, document.content, filename=document.filename,
                           content_type=document.mime_type)


def add_routes(app: web.Application) -> None:
    """Routes of this page, relative to /console."""
    app.router.add_get("/reports", index)
    app.router.add_get("/reports/download", download)
