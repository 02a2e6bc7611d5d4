"""The hotline, staff side: replies in ticket topics, /close, /reopen, /take, /note, /reply,
/tickets and /stats in the staff chat."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import yaml

from bot.core.engine import is_small_id
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, Translate, translator
from bot.places import MUNICIPALITIES
from bot.services.hotline import TOPICS
from storage.models import Person, utcnow
from storage.models_hotline import Ticket, TicketMessage
from storage.repos.tickets import TicketRepo


def _staff(turn: Turn) -> Translate:
    return translator(turn.services.settings.staff_language)


async def _ticket_here(turn: Turn) -> Ticket | None:
    """The ticket this staff message is about: its topic, a reply to it, or `#N` / `N`."""
    repo = turn.uow.repo(TicketRepo)
    event = turn.event
    command = event.command
    argument = command[1].split(" ", 1)[0].lstrip("#") if command else ""
    if argument and is_small_id(argument):
        return await repo.get(int(argument))
    if event.thread_id and is_small_id(event.thread_id):
        found = await repo.by_thread(int(event.thread_id))
        if found is not None:
            return found
    if event.reply_to_ref and is_small_id(event.reply_to_ref):
        return await repo.by_staff_message(int(event.reply_to_ref))
    return None


async def about_a_ticket(turn: Turn) -> bool:
    """True when a staff message is written in a ticket's topic or as a reply to its card."""
    return await _ticket_here(turn) is not None


async def _required_ticket(turn: Turn) -> Ticket | None:
    """The ticket of this topic or reply; if there is none, say how to use the command."""
    ticket = await _ticket_here(turn)
    if ticket is None or ticket.id is None:
        _ = _staff(turn)
        turn.say(_(N_("Use this inside a ticket's topic (or as a reply to its card).")))
        return None
    return ticket


async def staff_message(turn: Turn) -> None:
    """A staff message in a ticket's topic (or a reply to it) goes to the person."""
    ticket = await _ticket_here(turn)
    if ticket is None:
        return  # staff talking among themselves
    _ = _staff(turn)
    if ticket.status != "open":
        turn.say(_(N_("Ticket #{number} is closed; send /reopen to write to the person again."))
                 .format(number=ticket.id))
        return
    event = turn.event
    kind = event.attachments[0].kind if event.attachments else None
    await _record_staff_reply(turn, ticket, event.text or "", kind)
    person = await turn.uow.people.get(ticket.person_id) if ticket.person_id else None
    if person is None:
        turn.say(_(N_("⚠️ Not delivered: the person has blocked the bot or is no longer "
                      "reachable.")))
        return
    _writes_to_staff_again(turn, person, ticket)
    staff_message = int(event.message_ref) if event.message_ref and is_small_id(
        event.message_ref) else None
    await turn.services.hotline.queue_staff_reply(turn.uow, ticket, person, event.text or "",
                                                  staff_message)


def _writes_to_staff_again(turn: Turn, person: Person, ticket: Ticket) -> None:
    """Staff wrote: the person's next plain messages are answers, so they go to the ticket."""
    if person.active_ticket_id != ticket.id:
        person.active_ticket_id = ticket.id
        turn.uow.session.add(person)


async def _record_staff_reply(turn: Turn, ticket: Ticket, text: str, kind: str | None) -> None:
    assert ticket.id is not None
    await turn.uow.repo(TicketRepo).add_message(TicketMessage(
        ticket_id=ticket.id, direction="out", author=turn.person.display_name, text=text,
        attachment_kind=kind, source_chat_id=turn.event.chat_id,
        source_message_id=turn.event.message_ref,
        staff_message_id=int(turn.event.message_ref) if turn.event.message_ref
        and is_small_id(turn.event.message_ref) else None))
    if ticket.first_staff_reply_at is None:
        ticket.first_staff_reply_at = utcnow()
        turn.uow.session.add(ticket)


async def note(turn: Turn) -> None:
    """/note TEXT: kept with the ticket, never sent to the person."""
    ticket = await _required_ticket(turn)
    _ = _staff(turn)
    if ticket is None:
        return
    text = turn.event.command[1] if turn.event.command else ""
    await turn.uow.repo(TicketRepo).add_message(TicketMessage(
        ticket_id=ticket.id, direction="note", author=turn.person.display_name, text=text))
    turn.say(_(N_("📝 Note kept with #{number}; the person does not see it.")).format(
        number=ticket.id))


async def close(turn: Turn, ticket: Ticket | None = None) -> None:
    """/close: the person is told and asked for a rating; the topic is closed."""
    ticket = ticket or await _required_ticket(turn)
    _ = _staff(turn)
    if ticket is None:
        return
    if ticket.status == "closed":
        turn.say(_(N_("Ticket #{number} is already closed.")).format(number=ticket.id))
        return
    ticket.status, ticket.closed_at = "closed", utcnow()
    turn.uow.session.add(ticket)
    person = await turn.uow.people.get(ticket.person_id) if ticket.person_id else None
    if person is not None:
        if person.active_ticket_id == ticket.id:
            person.active_ticket_id = None
            turn.uow.session.add(person)
        t = translator(person.language)
        turn.notify(person, t(N_("The hub team has closed your question #{number}. How satisfied "
                                 "are you with the answer? (1 = not at all, 5 = very)")).format(
            number=ticket.id),
            [[Button(label=f"{n} ⭐", short=str(n),
                     payload=f"hl:r:{ticket.id}:{n}") for n in range(1, 6)]])
    turn.say(_(N_("✅ #{number} closed by {name}.")).format(
        number=ticket.id, name=turn.person.display_name or "—"))
    await turn.services.hotline.queue(turn.uow, ticket.id, "close")


async def reopen(turn: Turn) -> None:
    """/reopen: the ticket takes the person's messages again."""
    ticket = await _required_ticket(turn)
    _ = _staff(turn)
    if ticket is None:
        return
    if ticket.erased_at is not None:
        turn.say(_(N_("The person erased their data; #{number} cannot be reopened.")).format(
            number=ticket.id))
        return
    ticket.status, ticket.closed_at = "open", None
    turn.uow.session.add(ticket)
    person = await turn.uow.people.get(ticket.person_id) if ticket.person_id else None
    if person is not None:
        person.active_ticket_id = ticket.id
        turn.uow.session.add(person)
    turn.say(_(N_("↩️ #{number} reopened.")).format(number=ticket.id))
    await turn.services.hotline.queue(turn.uow, ticket.id, "reopen")


async def take(turn: Turn, ticket: Ticket | None = None) -> None:
    """/take: the ticket is assigned to whoever sent it."""
    ticket = ticket or await _required_ticket(turn)
    _ = _staff(turn)
    if ticket is None:
        return
    ticket.assignee = turn.person.display_name or turn.person.external_id
    turn.uow.session.add(ticket)
    turn.say(_(N_("🙋 #{number} is taken by {name}.")).format(number=ticket.id,
                                                             name=ticket.assignee))


async def canned(turn: Turn) -> None:
    """/reply NAME: send a canned answer, in the person's language."""
    ticket = await _ticket_here(turn)
    _ = _staff(turn)
    answers = load_canned(turn.services.settings.content_dir / "canned.yaml")
    name = (turn.event.command[1] if turn.event.command else "").strip().lower()
    if name not in answers:
        turn.say(_(N_("Canned answers: {names}. Use /reply NAME inside a ticket's topic.")).format(
            names=", ".join(sorted(answers)) or "—"))
        return
    if ticket is None or ticket.id is None or ticket.status != "open":
        turn.say(_(N_("Use this inside an open ticket's topic.")))
        return
    text = answers[name].get(ticket.language) or answers[name]["ka"]
    await _record_staff_reply(turn, ticket, text, None)
    person = await turn.uow.people.get(ticket.person_id) if ticket.person_id else None
    if person is not None:
        _writes_to_staff_again(turn, person, ticket)
        await turn.services.hotline.queue_staff_reply(turn.uow, ticket, person, text, None)
    turn.say(_(N_("Sent to #{number}:")).format(number=ticket.id) + "\n" + text)


def load_canned(path: Path) -> dict[str, dict[str, str]]:
    """Canned answers by name: {"ka": …, "en": …} (staff edit content/canned.yaml)."""
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): {lang: str(v[lang]).strip() for lang in ("ka", "en") if v.get(lang)}
            for k, v in raw.items() if isinstance(v, dict) and v.get("ka")}


async def open_tickets(turn: Turn) -> None:
    """/tickets: open tickets with their age and assignee."""
    tickets = await turn.uow.repo(TicketRepo).open_tickets()
    _ = _staff(turn)
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
    tickets = await turn.uow.repo(TicketRepo).all_tickets()
    _ = _staff(turn)
    by_topic = Counter(_(TOPICS[t.topic]) for t in tickets)
    by_place = Counter(_(MUNICIPALITIES[t.municipality]) for t in tickets)
    waits = [(t.first_staff_reply_at - t.created_at).total_seconds() / 3600
             for t in tickets if t.first_staff_reply_at]
    ratings = [t.rating for t in tickets if t.rating]
    lines = [_(N_("Tickets: {total} ({open} open)")).format(
        total=len(tickets), open=sum(t.status == "open" for t in tickets)), "",
        _(N_("By subject:"))] + [f"  {k}: {v}" for k, v in by_topic.most_common()]
    lines += ["", _(N_("By municipality:"))] + [f"  {k}: {v}" for k, v in by_place.most_common()]
    lines.append("")
    lines.append(_(N_("Median time to the first staff reply: {hours} h")).format(
        hours=f"{statistics.median(waits):.1f}") if waits else _(N_("No staff replies yet.")))
    if ratings:
        lines.append(_(N_("Satisfaction: {average} / 5 from {count} ratings")).format(
            average=f"{statistics.mean(ratings):.1f}", count=len(ratings)))
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
    router.button("tk", card_button)

