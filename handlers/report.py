"""/report [month|quarter|year] in the staff chat: the donor report of this calendar period as
a PDF document, built and sent by the outbox worker (bot/services/report_files.py)."""

from __future__ import annotations

from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, translator
from bot.services.report import SPANS
from bot.services.report_files import queue_staff_report


async def report(turn: Turn) -> None:
    """Queue the report of this month (the default), quarter or year; say it is coming."""
    settings = turn.services.settings
    _ = translator(settings.staff_language)
    span = (turn.event.command[1] if turn.event.command else "").strip().lower() or "month"
    if span not in SPANS:
        turn.say(_(N_("Use: /report month, /report quarter or /report year.")))
        return
    event = turn.event
    start, end = await queue_staff_report(turn.uow, settings, span, channel=event.channel,
                                          chat_id=event.chat_id, thread_id=event.thread_id)
    turn.say(_(N_("Preparing the activity report for {start} – {end}; it follows in a "
                  "moment.")).format(start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}"))


def register(router: Router) -> None:
    """Wire /report into the staff chat."""
    router.staff_command("report", report, N_("the donor report (PDF)"))
