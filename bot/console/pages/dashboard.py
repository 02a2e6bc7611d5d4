"""The dashboard: this week's figures, the events ahead and tickets per week at a glance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from babel.dates import format_date

from bot.console.chart import bar_chart
from bot.console.deps import deps
from bot.console.render import language, render, translate
from bot.i18n import N_, Translate
from bot.services.dashboard import dashboard
from bot.services.event_text import moment
from bot.services.example_content import examples_present

NAV = ("/console/", N_("Dashboard"))


def duration(span: timedelta, _: Translate) -> str:
    """A span as staff read it: "25 min", "3 h 10 min", "2 d 4 h"."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _(N_("{days} d {hours} h")).format(days=days, hours=hours)
    if hours:
        return _(N_("{hours} h {minutes} min")).format(hours=hours, minutes=minutes)
    return _(N_("{minutes} min")).format(minutes=minutes)


async def index(request: web.Request) -> web.Response:
    """GET /console/: the figures of this week."""
    hub = deps(request)
    lang, _ = language(request), translate(request)
    tz = hub.settings.tz
    async with hub.database.sessions() as session:
        board = await dashboard(session, tz)
        examples = await examples_present(session)
    chart = bar_chart([(format_date(week.monday, "d MMM", locale=lang), week.tickets)
                       for week in board.weeks])
    first, last = board.weeks[0].monday, board.weeks[-1].monday
    highest = chart.highest
    summary = _(N_("Tickets in the 12 weeks from {first} to this week: {count}.")).format(
        count=chart.total, first=format_date(first, "d MMMM", locale=lang))
    if highest is not None and highest is not chart.bars[-1]:
        summary += " " + _(N_("The busiest week began on {day}, with {count}.")).format(
            day=highest.label, count=highest.value)
    summary += " " + _(N_("This week so far: {count}.")).format(count=board.weeks[-1].tickets)
    context: dict[str, Any] = {
        "board": board, "chart": chart, "chart_summary": summary, "examples": examples,
        "since": format_date(board.week_start.date(), "EEEE, d MMMM", locale=lang),
        "oldest_open": duration(board.oldest_open_age, _) if board.oldest_open_age else None,
        "median_reply": duration(board.median_first_reply, _)
        if board.median_first_reply is not None else None,
        "upcoming": [{"id": item.event.id, "title": item.title(lang),
                      "starts": moment(item.event.starts_at, lang, tz),
                      "seats_left": item.seats_left, "capacity": item.event.capacity}
                     for item in board.upcoming],
        "weeks": [{"label": format_date(week.monday, "d MMMM y", locale=lang),
                   "tickets": week.tickets} for week in board.weeks],
        "this_monday": format_date(last, "d MMMM", locale=lang),
    }
    return render(request, "dashboard/index.html", context)


def add_routes(app: web.Application) -> None:
    """Routes of this page, relative to /console."""
    app.router.add_get("/", index)
