"""/newevent in the staff chat: a guided form for a new event (kind, title, start, place, seats)."""

from __future__ import annotations

from datetime import datetime

from bot.core.messages import is_small_id
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, Translate, translator
from bot.services.event_input import UsageError, parse_moment, parse_place
from bot.services.event_text import KIND_LABELS, event_text
from bot.services.events import create_event
from storage.limits import max_length
from storage.models import utcnow
from storage.models_events import Event

FLOW = "staff_newevent"
MAX_TITLE = max_length(Event, "title_ka") or 200
MAX_CAPACITY = 10_000


def _staff(turn: Turn) -> Translate:
    return translator(turn.services.settings.staff_language)


async def start(turn: Turn) -> None:
    """Ask for the kind of event."""
    _ = _staff(turn)
    await turn.goto(FLOW, "kind", {})
    turn.say(_(N_("A new event. What kind is it?")), [
        [Button(label=_(label), payload=f"ne:k:{kind}") for kind, label in KIND_LABELS.items()],
        [Button(label=_(N_("✖️ Cancel")), payload="ne:x")]])


async def pressed(turn: Turn, rest: str) -> None:
    """Kind, "no seat limit", Create and Cancel buttons."""
    _ = _staff(turn)
    kind, _sep, value = rest.partition(":")
    if turn.event.chat_kind != "staff" or not turn.in_flow(FLOW):
        await turn.stale_button()
        return
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    if kind == "x":
        await turn.finish()
        turn.say(_(N_("No event was created.")))
    elif kind == "k" and step == "kind" and value in KIND_LABELS:
        await turn.goto(FLOW, "title", data | {"kind": value})
        turn.say(_(N_("The title (in Georgian)?")))
    elif kind == "nolimit" and step == "capacity":
        await _confirm(turn, data | {"capacity": None})
    elif kind == "create" and step == "confirm":
        event = await create_event(turn.uow, _event(turn, data))
        await turn.finish()
        turn.say(_(N_("✅ Event #{number} created. People see it in /events.")).format(
            number=event.id))
    else:
        await turn.stale_button()


async def typed(turn: Turn) -> None:
    """The form's text answers, each checked."""
    _ = _staff(turn)
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    text = (turn.event.text or "").strip()
    if not text:
        turn.say(_(N_("Please answer in words (or press Cancel).")))
    elif step == "title":
        if len(text) > MAX_TITLE:
            turn.say(_(N_("Please keep the title under {limit} characters.")).format(
                limit=MAX_TITLE))
            return
        await turn.goto(FLOW, "starts", data | {"title": text})
        turn.say(_(N_("When does it start? Write the date and time, e.g. 2026-12-15 10:00.")))
    elif step == "starts":
        try:
            starts = parse_moment(text.replace(" ", "T", 1), turn.services.settings.tz)
        except UsageError:
            turn.say(_(N_("I could not read that time. Please write it like 2026-12-15 10:00.")))
            return
        if starts <= utcnow():
            turn.say(_(N_("That time has passed. Please give a future date and time.")))
            return
        await turn.goto(FLOW, "place", data | {"starts": starts.isoformat()})
        turn.say(_(N_("Where? A municipality and address (e.g. Kutaisi, 111 Tsereteli St.), or "
                      "an online link.")))
    elif step == "place":
        if (limit := _place_limit(text)) is not None:
            turn.say(_(N_("The place is {count} characters long; please shorten it to {limit} "
                          "characters at most.")).format(count=len(text), limit=limit))
            return
        await turn.goto(FLOW, "capacity", data | {"place": text})
        turn.say(_(N_("How many seats? Write a number, or press the button.")),
                 [[Button(label=_(N_("No seat limit")), payload="ne:nolimit")]])
    elif step == "capacity":
        if not is_small_id(text) or not 1 <= int(text) <= MAX_CAPACITY:
            turn.say(_(N_("Please write the number of seats (1–{limit}), or press the button."))
                     .format(limit=MAX_CAPACITY),
                     [[Button(label=_(N_("No seat limit")), payload="ne:nolimit")]])
            return
        await _confirm(turn, data | {"capacity": int(text)})
    else:
        turn.say(_(N_("Please use the buttons above, or send /cancel to stop.")))


def _place_limit(text: str) -> int | None:
    """The column's limit when the place (an address or a link) does not fit it, else None."""
    _municipality, address, link = parse_place(text)
    field, value = ("address", address) if address is not None else ("online_url", link)
    limit = max_length(Event, field)
    return limit if limit is not None and len(value or "") > limit else None


def _event(turn: Turn, data: dict) -> Event:  # type: ignore[type-arg]
    municipality, address, link = parse_place(data["place"])
    return Event(kind=data["kind"], title_ka=data["title"],
                 starts_at=datetime.fromisoformat(data["starts"]), municipality=municipality,
                 address=address, online_url=link, capacity=data.get("capacity"))


async def _confirm(turn: Turn, data: dict) -> None:  # type: ignore[type-arg]
    _ = _staff(turn)
    await turn.goto(FLOW, "confirm", data)
    preview = event_text(_event(turn, data), turn.services.settings.staff_language,
                         turn.services.settings.tz)
    turn.say(_(N_("Create this event?")) + "\n\n" + preview, [[
        Button(label=_(N_("✅ Create")), payload="ne:create"),
        Button(label=_(N_("✖️ Cancel")), payload="ne:x")]])


def register(router: Router) -> None:
    """Wire /newevent into the staff chat."""
    router.staff_command("newevent", start, N_("create an event with a guided form"))
    router.button("ne", pressed)
    router.staff_flows[FLOW] = typed
