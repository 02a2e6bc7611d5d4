"""/attendees ID in the staff chat: who is coming, then the wait list."""

from __future__ import annotations

from bot.core.messages import is_small_id
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services.event_text import event_title
from storage.models_events import CONFIRMED
from storage.repos.events_calendar import EventCalendarRepo


async def attendees(turn: Turn) -> None:
    """List an event's confirmed registrations and its wait list."""
    _ = turn.for_staff
    argument = (turn.event.command[1] if turn.event.command else "").strip().lstrip("#")
    repo = turn.uow.repo(EventCalendarRepo)
    event = await repo.get(int(argument)) if is_small_id(argument) else None
    if event is None:
        turn.say(_(N_("Use: /attendees EVENT_NUMBER (see hubbot events list).")))
        return
    confirmed, waiting, seats = [], [], 0
    for row in await repo.attendee_rows(event.id or 0):  # one joined query
        registration = row.registration
        who = row.organisation_name or row.person_name or "—"
        names = f" ({', '.join(registration.names)})" if registration.names else ""
        line = f"{who} · {registration.participants}{names}"
        if registration.status == CONFIRMED:
            confirmed.append(line)
            seats += registration.participants
        elif registration.position is not None:
            waiting.append(line)
    lines = [f"📅 #{event.id} {event_title(event, turn.staff_language)}",
             _(N_("Confirmed: {count} registrations, {seats} people")).format(
                 count=len(confirmed), seats=seats)]
    lines += [f"{i}. {line}" for i, line in enumerate(confirmed, 1)]
    if waiting:
        lines += ["", _(N_("Wait list:"))] + [f"{i}. {line}" for i, line in enumerate(waiting, 1)]
    turn.say("\n".join(lines))


def register(router: Router) -> None:
    """Wire /attendees into the staff chat."""
    router.staff_command("attendees", attendees, N_("registrations of an event"))
