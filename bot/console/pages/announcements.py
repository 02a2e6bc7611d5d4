"""Announcements: compose (text, a photo or document, audience, when), count and preview, send
now or at a chosen time, live progress, and the history with its figures.

Thin handlers: the rules are `bot.services.announcement_compose` and `Announcements` (the same
audiences, count and sending as the chat's /announce and `hubbot announce`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.console import audit
from bot.console.auth import staff
from bot.console.deps import ConsoleDeps, deps
from bot.console.errors import ErrorPage
from bot.console.render import form, language, render, see_other, translate
from bot.console.url_values import query_number, record_number
from bot.i18n import N_, translator
from bot.services import announcement_compose as compose
from bot.services.announcement_compose import ComposeErrors, Progress, Upload
from bot.services.announcements import MAX_TEXT, local_moment
from storage.models import utcnow
from storage.models_outbox import Announcement
from storage.repos.announcements import AnnouncementRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

NAV = ("/console/announcements", N_("Announcements"))
BASE = "/console/announcements"
PAGE = 20  # announcements per page of the history
POLL_SECONDS = 2  # how often the page's script asks for the figures
_starting: set[asyncio.Task[Any]] = set()  # sends begun by a click (the scheduler is the backstop)


def _back(request: web.Request, number: int, message: str, **values: str) -> web.HTTPSeeOther:
    """To the announcement's page, where `message` (a message id with {number}) shows once."""
    return see_other(request, f"{BASE}/{number}",
                     translate(request)(message).format(number=number, **values))


async def _load(uow: UnitOfWork, number: int) -> Announcement:
    announcement = await uow.repo(AnnouncementRepo).get(number)
    if announcement is None:
        raise ErrorPage(404, N_("No such announcement"), N_(
            "There is no announcement #{number}."), back=NAV, number=number)
    return announcement


async def index(request: web.Request) -> web.Response:
    """The compose form and the history, newest first."""
    return await _index(request)


async def _index(request: web.Request, *, errors: list[str] | None = None,
                 typed: dict[str, str] | None = None) -> web.Response:
    context = deps(request)
    lang = language(request)
    before_id = query_number(request, "before") or None
    async with UnitOfWork(context.database) as uow:
        groups = await compose.audience_groups(uow, lang)
        repo = uow.repo(AnnouncementRepo)
        history = await repo.history(before=before_id, limit=PAGE + 1)
        figures = await repo.figures([a.id for a in history[:PAGE] if a.id is not None])
    rows = [_row(a, figures.get(a.id or 0, {}), context, lang) for a in history[:PAGE]]
    older = history[PAGE - 1].id if len(history) > PAGE else None
    return render(request, "announcements/index.html", {
        "groups": groups, "rows": rows, "older": older, "errors": errors or [],
        "typed": typed or {"text": "", "audience": "all", "when": "now", "send_at": ""},
        "max_text": MAX_TEXT, "max_caption": compose.MAX_CAPTION,
        "staff_chat": context.settings.staff_chat_id is not None,
        "timezone": context.settings.timezone}, status=400 if errors else 200)


def _row(announcement: Announcement, counts: dict[str, int], context: ConsoleDeps,
         lang: str) -> dict[str, Any]:
    progress = compose.figures_of(announcement, counts)
    return {"number": announcement.id, "author": announcement.author,
            "created": local_moment(announcement.created_at, lang, context.settings.tz),
            "audience": compose.audience_label(announcement.audience, lang),
            "status": _status_text(progress, context, lang), "progress": progress}


async def create(request: web.Request) -> web.StreamResponse:
    """A new draft from the form; its page shows the count and the preview before sending."""
    context = deps(request)
    posted = await form(request)
    text = _text(posted.get("text"))
    chosen, when = _text(posted.get("audience")), _text(posted.get("when")) or "now"
    send_at = _text(posted.get("send_at")) if when == "later" else ""
    upload = None
    field = posted.get("file")
    if isinstance(field, web.FileField) and field.filename:
        upload = Upload(field.filename, field.content_type or "application/octet-stream",
                        field.file.read())
    who = staff(request)
    try:
        async with UnitOfWork(context.database) as uow:
            announcement = await compose.compose(
                uow, context.settings, text=text, audience=chosen, send_at=send_at,
                upload=upload, author=who.name, staff_chat=context.settings.staff_chat_id
                is not None)
            await audit.record(uow, who, "announcement.draft", f"announcement #{announcement.id}",
                               compose.audience_key(announcement.audience)
                               + ("; with a photo or document" if upload else ""))
            await uow.commit()
    except ComposeErrors as errors:
        return await _index(request, errors=errors.texts(language(request)), typed={
            "text": text, "audience": chosen, "when": when, "send_at": send_at})
    raise see_other(request, f"{BASE}/{announcement.id}")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


async def show(request: web.Request) -> web.Response:
    """One announcement: a draft's count and preview with Send, or its progress and figures."""
    context = deps(request)
    lang = language(request)
    number = record_number(request)
    async with UnitOfWork(context.database) as uow:
        announcement = await _load(uow, number)
        progress = await compose.progress(uow, announcement)
        upload = await uow.repo(AnnouncementRepo).attachment_kind(number)
        recipients = None
        if announcement.status == "draft":
            recipients = await compose.count(uow, context.services.announcements, announcement)
    _ = translate(request)
    topic = announcement.audience.get("kind") != "event"
    return render(request, "announcements/show.html", {
        "a": announcement, "progress": progress, "recipients": recipients,
        "upload": upload, "audience": compose.audience_label(announcement.audience, lang),
        "status": _status_text(progress, context, lang),
        "send_at": local_moment(announcement.send_at, lang, context.settings.tz)
        if announcement.send_at else None,
        "unsubscribe": _(N_("🔕 Unsubscribe")) if topic else None,
        "poll": POLL_SECONDS, "cancellable": announcement.status == "scheduled"
        and announcement.send_at is not None and announcement.send_at > utcnow(),
        "live": announcement.status in ("scheduled", "sending")})


async def send(request: web.Request) -> web.StreamResponse:
    """Send the draft now, or schedule it for its time (a second click changes nothing)."""
    context = deps(request)
    await form(request)
    number = record_number(request)
    async with UnitOfWork(context.database) as uow:
        approved = await compose.approve(uow, number)
        if approved is None:
            await _load(uow, number)
            raise _back(request, number, N_(
                "Announcement #{number} is no longer a draft; nothing changed."))
        assert approved.send_at is not None
        now = approved.send_at <= utcnow()
        await audit.record(uow, staff(request), "announcement.send" if now else
                           "announcement.schedule", f"announcement #{number}",
                           f"{compose.audience_key(approved.audience)}"
                           + ("" if now else f"; at {approved.send_at:%Y-%m-%d %H:%M} UTC"))
        await uow.commit()
    if now:
        _start(context, number)
        raise _back(request, number, N_("Announcement #{number} is on its way."))
    raise _back(request, number, N_("Announcement #{number} is scheduled for {time}."),
                time=local_moment(approved.send_at, language(request), context.settings.tz))


def _start(context: ConsoleDeps, number: int) -> None:
    """Begin sending in the background (queueing a large audience takes a while); if this
    process stops first, the scheduler's look for due announcements picks it up."""
    async def run() -> None:
        try:
            await context.services.announcements.start(number)
        except Exception:  # the scheduler tries again; the row is still scheduled
            log.warning("announcement %s could not start now; the scheduler retries", number,
                        exc_info=True)
    task = asyncio.create_task(run(), name=f"announcement {number}")
    _starting.add(task)
    task.add_done_callback(_starting.discard)


async def cancel(request: web.Request) -> web.StreamResponse:
    """Withdraw a draft or a scheduled announcement before it begins."""
    context = deps(request)
    await form(request)
    number = record_number(request)
    async with UnitOfWork(context.database) as uow:
        await _load(uow, number)
        if not await compose.cancel(uow, number):
            raise _back(request, number, N_(
                "Announcement #{number} has begun; it can no longer be cancelled."))
        await audit.record(uow, staff(request), "announcement.cancel", f"announcement #{number}")
        await uow.commit()
    raise _back(request, number, N_("Announcement #{number} cancelled; nothing was sent."))


async def figures(request: web.Request) -> web.Response:
    """The figures as JSON, for the page's script (the page itself shows them on a reload)."""
    context = deps(request)
    number = record_number(request)
    async with UnitOfWork(context.database) as uow:
        progress = await compose.progress(uow, await _load(uow, number))
    return web.json_response({
        "status": progress.status, "total": progress.total, "sent": progress.sent,
        "failed": progress.failed, "unreachable": progress.unreachable,
        "outside_window": progress.outside_window, "pending": progress.pending,
        "finished": progress.finished,
        "status_text": _status_text(progress, context, language(request))},
        headers={"Cache-Control": "no-store"})


async def attachment(request: web.Request) -> web.StreamResponse:
    """The uploaded photo or document, for the preview (until it is sent)."""
    context = deps(request)
    number = record_number(request)
    async with UnitOfWork(context.database) as uow:
        upload = await uow.repo(AnnouncementRepo).attachment(number)
    if upload is None:  # none, or let go once it was sent
        raise ErrorPage(404, N_("No file"), N_(
            "Announcement #{number} has no photo or document to show."), back=NAV,
            number=number)
    disposition = "inline" if upload.kind == "photo" else "attachment"
    return web.Response(body=upload.content, content_type=upload.mime_type, headers={
        "Content-Disposition": f"{disposition}; filename=\"announcement-{number}\"",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
        "Content-Security-Policy": "sandbox"})


def _status_text(progress: Progress, context: ConsoleDeps, lang: str) -> str:
    """The state in words: a draft, scheduled for…, held by quiet hours until…, sending,
    all sent, done with failures, cancelled."""
    _ = translator(lang)
    tz = context.settings.tz
    if progress.status == "draft":
        return _(N_("Draft: not sent yet"))
    if progress.status == "cancelled":
        return _(N_("Cancelled; nothing was sent"))
    if progress.status == "scheduled" and progress.send_at is not None \
            and progress.send_at > utcnow():
        return _(N_("Scheduled for {time}")).format(time=local_moment(progress.send_at, lang, tz))
    if progress.status == "scheduled":
        return _(N_("Starting…"))
    if progress.held_until is not None:
        return _(N_("Held back by quiet hours until {time}; then it goes out")).format(
            time=local_moment(progress.held_until, lang, tz))
    if progress.status == "done":
        if progress.all_sent:
            return _(N_("All sent"))
        return _(N_("Done: {sent} of {total} sent")).format(sent=progress.sent,
                                                            total=progress.total)
    return _(N_("Sending: {sent} of {total} sent so far")).format(sent=progress.sent,
                                                                   total=progress.total)


def add_routes(app: web.Application) -> None:
    """Routes of this page, relative to /console."""
    app.router.add_get("/announcements", index)
    app.router.add_post("/announcements", create)
    app.router.add_get("/announcements/{number}", show)
    app.router.add_post("/announcements/{number}/send", send)
    app.router.add_post("/announcements/{number}/cancel", cancel)
    app.router.add_get("/announcements/{number}/progress", figures)
    app.router.add_get("/announcements/{number}/file", attachment)
