"""The inbox: tickets with filters, a ticket's whole conversation, and what staff do with it
(reply, note, take, close, reopen) — through the same tickets service as the Telegram topic."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.console import audit
from bot.console.auth import staff
from bot.console.deps import deps
from bot.console.render import form, render, see_other
from bot.core.delivery import DeliveryError
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from bot.services.inbox import CHANNELS, REPLY_LIMIT, Inbox, Refused
from bot.services.tickets import Change, Outcome
from storage.models import utcnow
from storage.repos.inbox import STATES
from storage.uow import UnitOfWork

NAV = ("/tickets", N_("Tickets"))
PREFIX = "/console"  # where the console is mounted (bot/web.py)

STATE_TITLES = {"open": N_("Open"), "waiting": N_("Waiting for us"), "mine": N_("Mine"),
                "unassigned": N_("Unassigned"), "closed": N_("Closed"), "all": N_("All")}
CHANNEL_TITLES = {"telegram": N_("Telegram"), "messenger": N_("Messenger")}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")


def add_routes(app: web.Application) -> None:
    """The inbox's pages and actions."""
    app.router.add_get("/tickets", listing)
    app.router.add_get(r"/tickets/{number:\d{1,9}}", ticket_page)
    app.router.add_get(r"/tickets/{number:\d{1,9}}/files/{message:\d{1,12}}", attachment)
    app.router.add_post(r"/tickets/{number:\d{1,9}}/reply", reply)
    app.router.add_post(r"/tickets/{number:\d{1,9}}/note", note)
    for action in ("take", "close", "reopen"):
        app.router.add_post(rf"/tickets/{{number:\d{{1,9}}}}/{action}", decide)


def _inbox(request: web.Request) -> Inbox:
    services = deps(request).services
    return Inbox(services.tickets, services.hotline)


def _number(request: web.Request) -> int:
    return int(request.match_info["number"])


def _wake_outbox(request: web.Request) -> None:
    """What was queued goes out now rather than at the worker's next look."""
    wake = deps(request).wake_outbox
    if wake is not None:
        wake()


# ---------------------------------------------------------------------- pages

async def listing(request: web.Request) -> web.Response:
    """GET /tickets: filters, one page of tickets, newest activity first."""
    inbox = _inbox(request)
    query = inbox.query(request.query, staff(request).name)
    page_number = request.query.get("page", "1")
    async with UnitOfWork(deps(request).database) as uow:
        page = await inbox.listing(uow, query, int(page_number) if page_number.isdigit()
                                   and len(page_number) < 7 else 1)
    filters = {k: v for k, v in (("state", query.state), ("topic", query.topic),
                                 ("municipality", query.municipality),
                                 ("channel", query.channel), ("q", query.text)) if v}

    def link(**changes: object) -> str:
        """This list with some filters changed (None: left out)."""
        merged = {**filters, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v is not None})

    return await render(request, "inbox/list.html", {
        "page": page, "query": query, "link": link, "prefix": PREFIX, "now": utcnow(),
        "states": [(key, STATE_TITLES[key]) for key in STATES], "topics": TOPICS,
        "municipalities": MUNICIPALITIES, "channels": {c: CHANNEL_TITLES[c] for c in CHANNELS},
        "age": age})


async def ticket_page(request: web.Request, *, draft: str = "", note_draft: str = "",
                      error: str | None = None) -> web.Response:
    """GET /tickets/N: the conversation, the decisions, canned answers, the reply box."""
    inbox = _inbox(request)
    async with UnitOfWork(deps(request).database) as uow:
        conversation = await inbox.conversation(uow, _number(request))
    if conversation is None:
        raise web.HTTPNotFound(text="no such ticket")
    ticket = conversation.ticket
    canned = inbox.canned(ticket.language)
    chosen = request.query.get("canned", "")
    if not draft and chosen:  # "Insert" puts the canned answer into the reply box
        draft = dict(canned).get(chosen, "")
    return await render(request, "inbox/ticket.html", {
        "ticket": ticket, "entries": conversation.entries, "canned": canned,
        "chosen": chosen, "draft": draft, "note_draft": note_draft, "error": error,
        "topics": TOPICS, "municipalities": MUNICIPALITIES, "now": utcnow(), "age": age,
        "when": _when(request), "reply_limit": REPLY_LIMIT, "prefix": PREFIX,
        "channels": CHANNEL_TITLES}, status=422 if error else 200)


async def attachment(request: web.Request) -> web.StreamResponse:
    """GET /tickets/N/files/M: a file the person sent, fetched again from their platform."""
    try:
        data = await _inbox(request).attachment(_number(request), int(request.match_info["message"]))
    except DeliveryError as exc:
        raise web.HTTPBadGateway(text="the platform did not give the file now") from exc
    if data is None:
        raise web.HTTPNotFound(text="no such file")
    inline = data.media_type in IMAGE_TYPES  # anything else is downloaded, never run here
    disposition = "inline" if inline else "attachment"
    return web.Response(body=data.content, headers={
        "Content-Type": data.media_type if inline else "application/octet-stream",
        "Content-Disposition": f'{disposition}; filename="{_safe_name(data.filename)}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


# ---------------------------------------------------------------------- actions

async def reply(request: web.Request) -> web.StreamResponse:
    """POST /tickets/N/reply: to the person (signed), and into the ticket's topic."""
    number, me, data = _number(request), staff(request), await form(request)
    text = str(data.get("text", ""))
    async with UnitOfWork(deps(request).database) as uow:
        try:
            outcome = await _inbox(request).reply(uow, number, me.name, text)
        except Refused as refused:
            return await ticket_page(request, draft=text, error=_refusal(refused))
        if outcome.change is Change.DONE:
            audit.record(uow, me, "ticket.reply", f"ticket #{number}")
            await uow.commit()
    _wake_outbox(request)
    return see_other(request, f"/tickets/{number}", notice=_reply_notice(outcome, number))


async def note(request: web.Request) -> web.StreamResponse:
    """POST /tickets/N/note: kept with the ticket for staff (shown in the topic too)."""
    number, me, data = _number(request), staff(request), await form(request)
    text = str(data.get("text", ""))
    async with UnitOfWork(deps(request).database) as uow:
        try:
            await _inbox(request).note(uow, number, me.name, text)
        except Refused as refused:
            return await ticket_page(request, note_draft=text, error=_refusal(refused))
        audit.record(uow, me, "ticket.note", f"ticket #{number}")
        await uow.commit()
    _wake_outbox(request)
    return see_other(request, f"/tickets/{number}", notice=N_("Note kept; the person does not "
                                                              "see it."))


DECISIONS = {
    "take": ("ticket.take", {Change.DONE: N_("You have taken ticket #{number}."),
                             Change.ALREADY: N_("Ticket #{number} is already yours.")}),
    "close": ("ticket.close", {Change.DONE: N_("Ticket #{number} is closed; the person is asked "
                                               "to rate the answer."),
                               Change.ALREADY: N_("Ticket #{number} is already closed.")}),
    "reopen": ("ticket.reopen", {Change.DONE: N_("Ticket #{number} is open again."),
                                 Change.ALREADY: N_("Ticket #{number} is open already."),
                                 Change.REFUSED: N_("The person erased their data; #{number} "
                                                    "cannot be reopened.")}),
}


async def decide(request: web.Request) -> web.StreamResponse:
    """POST /tickets/N/take|close|reopen: as the topic's buttons and commands do."""
    number, me = _number(request), staff(request)
    verb = request.path.rsplit("/", 1)[-1]
    action, notices = DECISIONS[verb]
    await form(request)  # CSRF is checked by the middleware; nothing else is read
    async with UnitOfWork(deps(request).database) as uow:
        try:
            outcome: Outcome = await getattr(_inbox(request), verb)(uow, number, me.name)
        except Refused:
            raise web.HTTPNotFound(text="no such ticket") from None
        if outcome.change is Change.DONE:
            audit.record(uow, me, action, f"ticket #{number}")
            await uow.commit()
    _wake_outbox(request)
    return see_other(request, f"/tickets/{number}", notice=notices[outcome.change])


# ---------------------------------------------------------------------- helpers

def _reply_notice(outcome: Outcome, number: int) -> str:
    if outcome.change is Change.REFUSED:
        return N_("Ticket #{number} is closed; reopen it to write to the person again.")
    if outcome.person is None:
        return N_("⚠️ Not delivered: the person has blocked the bot or is no longer reachable.")
    return N_("Reply sent to the person of #{number}; it shows in the ticket's topic too.")


def _refusal(refused: Refused) -> str:
    return refused.message


def age(since: datetime, now: datetime) -> tuple[str, dict[str, int]]:
    """How long ago, as a message id and its numbers: minutes, hours, then days."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return N_("{minutes} min"), {"minutes": minutes}
    if minutes < 48 * 60:
        return N_("{hours} h"), {"hours": minutes // 60}
    return N_("{days} d"), {"days": minutes // (24 * 60)}


def _when(request: web.Request) -> Any:
    tz = deps(request).settings.tz

    def when(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    return when


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._-")[:80] or "file"
