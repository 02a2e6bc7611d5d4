"""The inbox: tickets with filters, a ticket's whole conversation, and what staff do with it
(reply, note, take, close, reopen) — through the same tickets service as the Telegram topic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NoReturn
from urllib.parse import urlencode

from aiohttp import web

from bot.console import audit
from bot.console.auth import staff
from bot.console.deps import deps
from bot.console.errors import ErrorPage
from bot.console.render import form, render, see_other, translate
from bot.console.url_values import page_number, record_number
from bot.core.delivery import DeliveryError
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from bot.services.inbox import CHANNELS, NOTE_LIMIT, REPLY_LIMIT, Inbox, Refused
from bot.services.tickets import Change, Outcome
from storage.models import utcnow
from storage.repos.inbox import STATES
from storage.uow import UnitOfWork

NAV = ("/console/tickets", N_("Tickets"))
HOME = "/console/tickets"

STATE_TITLES = {"open": N_("Open"), "waiting": N_("Waiting for us"), "mine": N_("Mine"),
                "unassigned": N_("Unassigned"), "closed": N_("Closed"), "all": N_("All")}
CHANNEL_TITLES = {"telegram": N_("Telegram"), "messenger": N_("Messenger")}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")  # shown; the rest saved
NUMBER = r"{number:[1-9]\d{0,8}}"

# POST /tickets/N/<verb>: the audit key, and what the page then says for each outcome
DECISIONS: dict[str, tuple[str, dict[Change, str]]] = {
    "take": ("ticket.take", {
        Change.DONE: N_("You have taken ticket #{number}."),
        Change.ALREADY: N_("Ticket #{number} is already yours.")}),
    "close": ("ticket.close", {
        Change.DONE: N_("Ticket #{number} is closed; the person is asked to rate the answer."),
        Change.ALREADY: N_("Ticket #{number} is already closed.")}),
    "reopen": ("ticket.reopen", {
        Change.DONE: N_("Ticket #{number} is open again."),
        Change.ALREADY: N_("Ticket #{number} is open already."),
        Change.REFUSED: N_("The person erased their data; #{number} cannot be reopened.")}),
}


def add_routes(app: web.Application) -> None:
    """GET /console/tickets, GET /console/tickets/N (and its files), POST its actions."""
    app.router.add_get("/tickets", listing)
    app.router.add_get(f"/tickets/{NUMBER}", ticket_page)
    app.router.add_get(f"/tickets/{NUMBER}/files/{{message:[1-9]\\d{{0,11}}}}", attachment)
    app.router.add_post(f"/tickets/{NUMBER}/reply", reply)
    app.router.add_post(f"/tickets/{NUMBER}/note", note)
    for verb in DECISIONS:
        app.router.add_post(f"/tickets/{NUMBER}/{verb}", decide)


def _inbox(request: web.Request) -> Inbox:
    services = deps(request).services
    return Inbox(services.tickets, services.hotline)


# ---------------------------------------------------------------------- pages

async def listing(request: web.Request) -> web.Response:
    """GET /console/tickets: filters, one page of tickets, newest activity first."""
    inbox = _inbox(request)
    query = inbox.query(request.query, staff(request).name)
    async with UnitOfWork(deps(request).database) as uow:
        page = await inbox.listing(uow, query, page_number(request))
    filters: dict[str, object] = {
        k: v for k, v in (("state", query.state), ("topic", query.topic),
                          ("municipality", query.municipality), ("channel", query.channel),
                          ("q", query.text)) if v}

    def link(**changes: object) -> str:
        """This list with some filters changed (None: left out)."""
        merged = {**filters, **changes}
        return HOME + "?" + urlencode({k: v for k, v in merged.items() if v is not None})

    return render(request, "inbox/list.html", {
        "page": page, "query": query, "link": link, "home": HOME,
        "states": [(key, STATE_TITLES[key]) for key in STATES], "topics": TOPICS,
        "municipalities": MUNICIPALITIES, "channels": {c: CHANNEL_TITLES[c] for c in CHANNELS},
        "age": _age(request)})


async def ticket_page(request: web.Request, *, draft: str = "", note_draft: str = "",
                      error: str | None = None) -> web.Response:
    """GET /console/tickets/N: the conversation, the decisions, canned answers, the reply box
    (`?canned=NAME` puts that canned answer into it)."""
    inbox = _inbox(request)
    async with UnitOfWork(deps(request).database) as uow:
        conversation = await inbox.conversation(uow, record_number(request))
    if conversation is None:
        raise _no_ticket(record_number(request))
    ticket = conversation.ticket
    _ = translate(request)
    title = " · ".join([f"#{ticket.id}", _(TOPICS[ticket.topic]) if ticket.topic in TOPICS
                        else ticket.topic, _(MUNICIPALITIES[ticket.municipality])
                        if ticket.municipality in MUNICIPALITIES else ticket.municipality])
    canned = inbox.canned(ticket.language)
    chosen = request.query.get("canned", "")
    if not draft and chosen:
        draft = dict(canned).get(chosen, "")
    return render(request, "inbox/ticket.html", {
        "ticket": ticket, "title": title, "entries": conversation.entries, "canned": canned,
        "chosen": chosen,
        "draft": draft, "note_draft": note_draft, "error": error, "home": HOME,
        "topics": TOPICS, "municipalities": MUNICIPALITIES, "channels": CHANNEL_TITLES,
        "age": _age(request), "when": _when(request), "reply_limit": REPLY_LIMIT,
        "note_limit": NOTE_LIMIT}, status=422 if error else 200)


async def attachment(request: web.Request) -> web.StreamResponse:
    """GET /console/tickets/N/files/M: a file the person sent, fetched again from their
    platform. Pictures are shown; anything else is downloaded, never opened on this site."""
    number = record_number(request)
    ticket = (f"{HOME}/{number}", N_("Ticket"))
    try:
        data = await _inbox(request).attachment(number, record_number(request, "message"))
    except DeliveryError as exc:
        raise ErrorPage(502, N_("The file could not be fetched"), N_(
            "Telegram or Messenger did not hand the file over just now. Try again in a "
            "minute."), back=ticket) from exc
    if data is None:
        raise ErrorPage(404, N_("No such file"), N_("Ticket #{number} has no such file."),
                        back=ticket, number=number)
    inline = data.media_type in IMAGE_TYPES  # (nosniff, the CSP and no-store: bot/console/app.py)
    return web.Response(body=data.content, headers={
        "Content-Type": data.media_type if inline else "application/octet-stream",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; '
                               f'filename="{_safe_name(data.filename)}"'})


# ---------------------------------------------------------------------- actions

async def reply(request: web.Request) -> web.StreamResponse:
    """POST /console/tickets/N/reply: to the person (signed), and into the ticket's topic."""
    number, me, data = record_number(request), staff(request), await form(request)
    text = str(data.get("text", ""))
    try:
        async with UnitOfWork(deps(request).database) as uow:
            outcome = await _inbox(request).reply(uow, number, me.name, text)
            if outcome.change is Change.DONE:
                await audit.record(uow, me, "ticket.reply", f"ticket #{number}")
                await uow.commit()
    except Refused as refused:  # the page again, with what they wrote kept
        return await ticket_page(request, draft=text, error=_refusal(request, refused))
    deps(request).wake_outbox()
    if outcome.change is Change.REFUSED:
        message = N_("Ticket #{number} is closed; reopen it to write to the person again.")
    elif outcome.person is None:
        message = N_("⚠️ Not delivered: the person has blocked the bot or is no longer "
                     "reachable.")
    else:
        message = N_("Reply sent to the person of #{number}; the ticket's topic shows it too.")
    _back(request, number, message)


async def note(request: web.Request) -> web.StreamResponse:
    """POST /console/tickets/N/note: kept with the ticket for staff (shown in the topic too)."""
    number, me, data = record_number(request), staff(request), await form(request)
    text = str(data.get("text", ""))
    try:
        async with UnitOfWork(deps(request).database) as uow:
            await _inbox(request).note(uow, number, me.name, text)
            await audit.record(uow, me, "ticket.note", f"ticket #{number}")
            await uow.commit()
    except Refused as refused:
        return await ticket_page(request, note_draft=text, error=_refusal(request, refused))
    deps(request).wake_outbox()
    _back(request, number, N_("📝 Note kept with #{number}; the person does not see it."))


async def decide(request: web.Request) -> web.StreamResponse:
    """POST /console/tickets/N/take|close|reopen: as the topic's buttons and commands do."""
    number, me = record_number(request), staff(request)
    verb = request.path.rsplit("/", 1)[-1]
    action, notices = DECISIONS[verb]
    try:
        async with UnitOfWork(deps(request).database) as uow:
            outcome: Outcome = await getattr(_inbox(request), verb)(uow, number, me.name)
            if outcome.change is Change.DONE:
                await audit.record(uow, me, action, f"ticket #{number}")
                await uow.commit()
    except Refused:
        raise _no_ticket(number) from None
    deps(request).wake_outbox()
    _back(request, number, notices[outcome.change])


# ---------------------------------------------------------------------- helpers

def _no_ticket(number: int) -> ErrorPage:
    return ErrorPage(404, N_("No such ticket"), N_("There is no ticket #{number}."),
                     back=(HOME, N_("Tickets")), number=number)


def _back(request: web.Request, number: int, message: str) -> NoReturn:
    """To the ticket's page, where `message` (a message id with {number}) shows once."""
    raise see_other(request, f"{HOME}/{number}",
                    notice=translate(request)(message).format(number=number))


def _refusal(request: web.Request, refused: Refused) -> str:
    return translate(request)(refused.message).format(**refused.params)


def _age(request: web.Request) -> Callable[[datetime], str]:
    """How long ago, in the console language: minutes, then hours, then days."""
    _ = translate(request)
    now = utcnow()

    def age(since: datetime) -> str:
        minutes = max(int((now - since).total_seconds() // 60), 0)
        if minutes < 60:
            return _(N_("{minutes} min")).format(minutes=minutes)
        if minutes < 48 * 60:
            return _(N_("{hours} h")).format(hours=minutes // 60)
        return _(N_("{days} d")).format(days=minutes // (24 * 60))
    return age


def _when(request: web.Request) -> Callable[[datetime], str]:
    """A moment in the hub's time zone."""
    tz = deps(request).settings.tz

    def when(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    return when


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._-")[:80] or "file"

