"""The hotline, staff side: replies in ticket topics, /close, /reopen, /take, /note, /reply,
/tickets and /stats in the staff chat."""

from __future__ import annotations

import statistics

from bot.core.forms import Form
from bot.core.messages import is_small_id
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services import ticket_texts as texts
from bot.services.hotline import TOPICS
from bot.services.tickets import Change
from handlers import console
from storage.models import utcnow
from storage.models_hotline import Ticket
from storage.repos.tickets import TicketRepo


async def about_a_ticket(turn: Turn) -> bool:
    """True when a staff message is written in a ticket's topic or as a reply to its card."""
    return await turn.services.tickets.about(turn.uow, turn.event) is not None


async def staff_form_text(turn: Turn, form: Form) -> None:
    """A staff form's typed answer — unless it is written in a ticket's topic: then it is a
    reply to the person, whatever form its author has open."""
    turn.reply_in_staff_language()
    if await about_a_ticket(turn):
        assert turn.features.staff_text is not None
        await turn.features.staff_text(turn)
        return
    await form.on_message(turn)


def register_staff_form(router: Router, form: Form) -> None:
    """Wire a form of the staff chat: its buttons (there only) and its typed answers, both in
    the staff language; ticket replies stay replies (not `Form.register`, which is for people)."""

    async def pressed(turn: Turn, rest: str) -> None:
        turn.reply_in_staff_language()
        if turn.event.chat_kind != "staff" or not await form.press(turn, rest):
            await turn.stale_button()

    async def typed(turn: Turn) -> None:
        await staff_form_text(turn, form)

    router.button(form.prefix, pressed)
    router.staff_flows[form.name] = typed


async def _required_ticket(turn: Turn) -> Ticket | None:
    """The ticket of this topic or reply; if there is none, say how to use the command."""
    ticket = await turn.services.tickets.about(turn.uow, turn.event)
    if ticket is None or ticket.id is None:
        _ = turn.for_staff
        turn.say(_(N_("Use this inside a ticket's topic (or as a reply to its card).")))
        return None
    return ticket


async def staff_message(turn: Turn) -> None:
    """A staff message in a ticket's topic (or a reply to it) goes to the person."""
    author = turn.person.display_name
    ticket = await turn.services.tickets.about(turn.uow, turn.event)
    if ticket is None:  # staff among themselves, or a topic the bot is still recording
        await turn.services.early_replies.hold(turn.uow, turn.event, author)
        return
    assert ticket.id is not None
    outcome = await turn.services.tickets.answer(turn.uow, ticket, author=author,
                                                 event=turn.event)
    if outcome.change is Change.REFUSED:
        turn.say(texts.closed_to_staff(turn.staff_language, ticket.id))
    elif outcome.person is None:
        turn.say(texts.not_delivered(turn.staff_language))


async def note(turn: Turn) -> None:
    """/note TEXT: kept with the ticket, never sent to the person."""
    ticket = await _required_ticket(turn)
    _ = turn.for_staff
    if ticket is None:
        return
    text = turn.event.command[1] if turn.event.command else ""
    await turn.services.tickets.note(turn.uow, ticket, author=turn.person.display_name,
                                     text=text)
    turn.say(_(N_("📝 Note kept with #{number}; the person does not see it.")).format(
        number=ticket.id))


async def close(turn: Turn, ticket: Ticket | None = None) -> None:
    """/close: the person is told and asked for a rating; the topic is closed."""
    ticket = ticket or await _required_ticket(turn)
    if ticket is None or ticket.id is None:
        return
    language = turn.staff_language
    outcome = await turn.services.tickets.close(turn.uow, ticket)
    if outcome.change is Change.ALREADY:
        turn.say(texts.already_closed(language, ticket.id))
        return
    if outcome.person is not None:
        rating = texts.rating_request(ticket.id, outcome.person.language)
        turn.notify(outcome.person, rating.text, rating.buttons)
    turn.say(texts.closed_by(language, ticket.id, turn.person.display_name))


async def reopen(turn: Turn) -> None:
    """/reopen: the ticket takes the person's messages again."""
    ticket = await _required_ticket(turn)
    if ticket is None or ticket.id is None:
        return
    language = turn.staff_language
    outcome = await turn.services.tickets.reopen(turn.uow, ticket)
    if outcome.change is Change.REFUSED:
        turn.say(texts.cannot_reopen(language, ticket.id))
    elif outcome.change is Change.ALREADY:
        turn.say(texts.already_open(language, ticket.id))
    else:
        turn.say(texts.reopened(language, ticket.id))


async def take(turn: Turn, ticket: Ticket | None = None) -> None:
    """/take: the ticket is assigned to whoever sent it."""
    ticket = ticket or await _required_ticket(turn)
    if ticket is None or ticket.id is None:
        return
    await turn.services.tickets.take(turn.uow, ticket,
                                     turn.person.display_name or turn.person.external_id)
    turn.say(texts.taken_by(turn.staff_language, ticket.id, ticket.assignee))


async def canned(turn: Turn) -> None:
    """/reply NAME: send a canned answer, in the person's language."""
    tickets = turn.services.tickets
    ticket = await tickets.about(turn.uow, turn.event)
    _ = turn.for_staff
    name = (turn.event.command[1] if turn.event.command else "").strip().lower()
    if name not in tickets.canned:
        turn.say(_(N_("Canned answers: {names}. Use /reply NAME inside a ticket's topic.")).format(
            names=", ".join(sorted(tickets.canned)) or "—"))
        return
    if ticket is None or ticket.id is None or ticket.status != "open":
        turn.say(_(N_("Use this inside an open ticket's topic.")))
        return
    text = tickets.canned_text(name, ticket.language) or ""
    await tickets.reply(turn.uow, ticket, author=turn.person.display_name, text=text,
                        attachment=None, event=turn.event)
    turn.say(_(N_("Sent to #{number}:")).format(number=ticket.id) + "\n" + text)


async def open_tickets(turn: Turn) -> None:
    """/tickets: open tickets with their age and assignee."""
    tickets = await turn.uow.repo(TicketRepo).open_tickets()
    _ = turn.for_staff
    if not tickets:
        turn.say(_(N_("No open tickets.")))
        return
    now = utcnow()
    lines = [_(N_("Open tickets:"))]
    for t in tickets:
        hours = int((now - t.created_at).total_seconds() // 3600)
        age = _(N_("{hours} h")).format(hours=hours) if hours < 48 else _(N_("{days} d")).format(
            days=hours // 24)
        lines.append(f"#{t.id} · {_(TOPICS[t.topic])} · {_(MUNICIPALITIES[t.municipality])} · "
                     f"{age} · {t.assignee or _(N_('not taken'))}")
    turn.say("\n".join(lines))


async def stats(turn: Turn) -> None:
    """/stats: tickets by topic and municipality, time to first reply, satisfaction."""
    repo = turn.uow.repo(TicketRepo)  # counted in SQL; only reply times come back row by row
    _ = turn.for_staff
    total, open_count = await repo.totals()
    by_topic = await repo.counts_by("topic")
    by_place = await repo.counts_by("municipality")
    waits = await repo.first_reply_hours()
    average, rated = await repo.rating_summary()
    lines = [_(N_("Tickets: {total} ({open} open)")).format(total=total, open=open_count), "",
             _(N_("By subject:"))] + [f"  {_(TOPICS.get(k, k))}: {v}" for k, v in by_topic]
    lines += ["", _(N_("By municipality:"))] + [
        f"  {_(MUNICIPALITIES.get(k, k))}: {v}" for k, v in by_place]
    lines.append("")
    lines.append(_(N_("Median time to the first staff reply: {hours} h")).format(
        hours=f"{statistics.median(waits):.1f}") if waits else _(N_("No staff replies yet.")))
    if rated and average is not None:
        lines.append(_(N_("Satisfaction: {average} / 5 from {count} ratings")).format(
            average=f"{average:.1f}", count=rated))
    turn.say("\n".join(lines))


async def card_button(turn: Turn, rest: str) -> None:
    """Take / Close buttons under a ticket's card."""
    action, _sep, number = rest.partition(":")
    ticket = await turn.uow.repo(TicketRepo).get(int(number)) if is_small_id(number) else None
    if turn.event.chat_kind != "staff" or ticket is None or action not in ("take", "close"):
        await turn.stale_button()
        return
    await (take(turn, ticket) if action == "take" else close(turn, ticket))


def register(router: Router) -> None:
    """Wire the staff side into the router."""
    router.staff_text = staff_message
    router.staff_command("close", close, N_("close the ticket of this topic"))
    router.staff_command("reopen", reopen, N_("reopen the ticket of this topic"))
    router.staff_command("take", take, N_("take the ticket of this topic"))
    router.staff_command("note", note, N_("a note for staff only"))
    router.staff_command("reply", canned, N_("send a canned answer"))
    router.staff_command("tickets", open_tickets, N_("open tickets"))
    router.staff_command("stats", stats, N_("hotline statistics"))
    router.staff_command("console", console.console, N_("a sign-in link to the staff console"))
    router.button("tk", card_button)

