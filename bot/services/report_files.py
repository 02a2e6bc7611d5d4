"""The donor report as a file: the period asked for, the figures read, the file built off the
event loop (a worker thread), and its name. Used by `hubbot report`, the console's page and
/report in the staff chat.

/report does not build the file in its own turn (that turn's unit of work would stay open, on
SQLite holding the writer, for the seconds the charts take): it queues an outbox job of kind
`report`, which the outbox worker runs like a ticket's job — the figures read on a plain
session, the file drawn in a worker thread, then sent to the chat (and topic) it was asked in.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.delivery import Sender
from bot.core.messages import Document, Reply
from bot.exports.report_pdf import build_report_pdf
from bot.exports.report_xlsx import build_report_xlsx
from bot.i18n import N_, translator
from bot.services.report import SPANS, build_report, period_of
from bot.settings import Settings
from storage.engine import Database
from storage.models import utcnow
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
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


REPORT_KIND = "report"


async def queue_staff_report(uow: UnitOfWork, settings: Settings, span: str, *, channel: str,
                             chat_id: str, thread_id: str | None) -> tuple[date, date]:
    """Queue this month's, quarter's or year's report (PDF, in the staff language) for the
    chat it was asked in; returns the period."""
    start, end = span_period(span, settings)
    await uow.repo(OutboxRepo).enqueue([{
        "dedupe_key": f"report:{chat_id}:{uuid.uuid4().hex}", "kind": REPORT_KIND,
        "channel": channel, "chat_id": chat_id, "thread_id": thread_id,
        "payload": {"start": start.isoformat(), "end": end.isoformat(),
                    "language": settings.staff_language}}], known=set())
    return start, end


@dataclass
class ReportJob:
    """The outbox worker's action for `report` rows: build the file, then send it."""

    database: Database
    settings: Settings
    senders: dict[str, Sender]

    async def run(self, row: OutboxMessage) -> None:
        """Build the report a row asks for and send it with one line naming its period."""
        start, end = (date.fromisoformat(row.payload[key]) for key in ("start", "end"))
        language = str(row.payload.get("language", self.settings.staff_language))
        async with self.database.sessions() as session:  # reads only: no unit of work
            document = await report_document(session, self.settings, start=start, end=end,
                                             file_format="pdf", language=language)
        _ = translator(language)
        text = _(N_("Activity report, {start} – {end}.")).format(
            start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}")
        await self.senders[row.channel].send(row.chat_id, [Reply(text, document=document)],
                                             row.thread_id, kind=REPORT_KIND)
