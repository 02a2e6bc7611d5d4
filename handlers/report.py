"""/report [month|quarter|year] in the staff chat: the donor report of this calendar period as
a PDF document."""

from __future__ import annotations

from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, translator
from bot.services.report import SPANS
from bot.services.report_files import span_period, staff_report


async def report(turn: Turn) -> None:
    """Send the report of this month (the default), quarter or year."""
    settings = turn.services.settings
    _ = translator(settings.staff_language)
    span = (turn.event.command[1] if turn.event.command else "").strip().lower() or "month"
    if span not in SPANS:
        turn.say(_(N_("Use: /report month, /report quarter or /report year.")))
        return
    start, end = span_period(span, settings)
    document = await staff_report(turn.uow, settings, span)
    turn.say(_(N_("Activity report, {start} – {end}.")).format(
        start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}"), document=document)


def register(router: Router) -> None:
    """Wire /report into the staff chat."""
    router.staff_command("report", report, N_("the donor report (PDF)"))
