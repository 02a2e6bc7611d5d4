"""The donor report as a file: the period asked for, the figures read, the file built off the
event loop (a worker thread), and its name. Used by `hubbot report`, the console's page and
/report in the staff chat.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Document
from bot.exports.report_pdf import build_report_pdf
from bot.exports.report_xlsx import build_report_xlsx
from bot.services.report import SPANS, build_report, period_of
from bot.settings import Settings
from storage.models import utcnow
from storage.uow import UnitOfWork

FORMATS = {"pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_name(start: date, end: date, file_format: str) -> str:
    """report-2026-01-01-2026-12-31.pdf"""
    return f"report-{start:%Y-%m-%d}-{end:%Y-%m-%d}.{file_format}"


def span_period(span: str, settings: Settings, now: datetime | None = None) -> tuple[date, date]:
    """The calendar month, quarter or year (SPANS) holding today, in the hub's time zone."""
    if span not in SPANS:
        raise ValueError(span)
    return period_of(span, (now or utcnow()).astimezone(settings.tz).date())


async def report_document(session: AsyncSession, settings: Settings, *, start: date, end: date,
                          file_format: str, language: str,
                          now: datetime | None = None) -> Document:
    """The report of `start`..`end` (local days, both included) as a PDF or XLSX document.

    The figures are read on `session`; the file is drawn in a worker thread, so the bot keeps
    answering people meanwhile."""
    report = await build_report(session, start=start, end=end, language=language,
                                tz=settings.tz, sla_hours=settings.sla_hours,
                                now=now or utcnow())
    build = build_report_pdf if file_format == "pdf" else build_report_xlsx
    content = await asyncio.to_thread(build, report)
    return Document(filename=file_name(start, end, file_format), content=content,
                    mime_type=FORMATS[file_format])


async def staff_report(uow: UnitOfWork, settings: Settings, span: str) -> Document:
    """This month's, quarter's or year's report as PDF in the staff language (for /report)."""
    start, end = span_period(span, settings)
    return await report_document(uow.session, settings, start=start, end=end,
                                 file_format="pdf", language=settings.staff_language)
