"""/newevent in the staff chat: a form on the engine (kind, title, start, place, seats, review)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.form_steps import (
    CHOICE,
    NUMBER,
    REVIEW,
    TEXT,
    Invalid,
    Option,
    Step,
    parse_number,
)
from bot.core.forms import Form
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services.event_input import UsageError, parse_moment, parse_place
from bot.services.event_text import KIND_LABELS, event_text
from bot.services.events import create_event
from handlers.staff import register_staff_form
from storage.limits import max_length
from storage.models import utcnow
from storage.models_events import Event

FLOW = "staff_newevent"
MAX_TITLE = max_length(Event, "title_ka") or 200
MAX_CAPACITY = 10_000


def _parse_title(text: str) -> str:
    if len(text) > MAX_TITLE:
        raise Invalid(N_("Please keep the title under {limit} characters."), limit=MAX_TITLE)
    return text


def _parse_seats(text: str) -> int:
    try:
        return parse_number(text, 1, MAX_CAPACITY)
    except Invalid:
        raise Invalid(N_("Please write the number of seats (1–{limit}), or press the button."),
                      limit=MAX_CAPACITY) from None


async def _future(turn: Turn, data: dict[str, Any], text: str) -> bool:
    """The start must read as a date and time, and lie ahead."""
    try:
        starts = _moment(turn, text)
    except UsageError:
        problem = N_("I could not read that time. Please write it like 2026-12-15 10:00.")
    else:
        if starts > utcnow():
            return True
        problem = N_("That time has passed. Please give a future date and time.")
    FORM.ask(turn, _step("starts"), data, turn._(problem))
    return False


async def _place_fits(turn: Turn, data: dict[str, Any], text: str) -> bool:
    if (limit := _place_limit(text)) is None:
        return True
    FORM.ask(turn, _step("place"), data, turn._(N_(
        "The place is {count} characters long; please shorten it to {limit} characters at "
        "most.")).format(count=len(text), limit=limit))
    return False


def _preview(turn: Turn, data: dict[str, Any]) -> str:
    preview = event_text(_event(turn, data), turn.language, turn.services.settings.tz)
    return turn._(N_("Create this event?")) + "\n\n" + preview


STEPS = (
    Step("kind", CHOICE, N_("A new event. What kind is it?"),
         options=[Option(kind, label) for kind, label in KIND_LABELS.items()],
         columns=len(KIND_LABELS)),
    Step("title", TEXT, N_("The title (in Georgian)?"), parse=_parse_title),
    Step("starts", TEXT, N_("When does it start? Write the date and time, e.g. "
                            "2026-12-15 10:00."), check=_future),
    Step("place", TEXT, N_("Where? A municipality and address (e.g. Kutaisi, 111 "
                           "Tsereteli St.), or an online link."), check=_place_fits),
    Step("capacity", NUMBER, N_("How many seats? Write a number, or press the button."),
         parse=_parse_seats, optional=True, skip_label=N_("No seat limit")),
    Step("confirm", REVIEW, "", summary=_preview, submit_label=N_("✅ Create"),
         submit_short=N_("Create"), edits={"title": N_("Title"), "starts": N_("Start"),
                                           "place": N_("Place"), "capacity": N_("Seats")}),
)


def _step(name: str) -> Step:
    step = FORM.step(name)
    assert step is not None
    return step


async def _create(turn: Turn, data: dict[str, Any]) -> None:
    event = await create_event(turn.uow, _event(turn, data))
    await FORM.discard(turn)
    turn.say(turn._(N_("✅ Event #{number} created. People see it in /events.")).format(
        number=event.id))


async def _cancelled(turn: Turn, _data: dict[str, Any]) -> None:
    turn.say(turn._(N_("No event was created.")))


FORM = Form(FLOW, "ne", STEPS, on_complete=_create, drafts=False, on_cancel=_cancelled,
            paused="", cancelled="", draft_offer="")


async def start(turn: Turn) -> None:
    """/newevent: the form from its first question."""
    turn.reply_in_staff_language()
    await turn.finish()
    await FORM.start(turn, {})


def _place_limit(text: str) -> int | None:
    """The column's limit when the place (an address or a link) does not fit it, else None."""
    _municipality, address, link = parse_place(text)
    field, value = ("address", address) if address is not None else ("online_url", link)
    limit = max_length(Event, field)
    return limit if limit is not None and len(value or "") > limit else None


def _moment(turn: Turn, text: str) -> datetime:
    return parse_moment(" ".join(text.split()).replace(" ", "T", 1), turn.services.settings.tz)


def _event(turn: Turn, data: dict[str, Any]) -> Event:
    municipality, address, link = parse_place(data["place"])
    return Event(kind=data["kind"], title_ka=data["title"], starts_at=_moment(turn, data["starts"]),
                 municipality=municipality, address=address, online_url=link,
                 capacity=data.get("capacity"))


def register(router: Router) -> None:
    """Wire /newevent into the staff chat."""
    router.staff_command("newevent", start, N_("create an event with a guided form"))
    register_staff_form(router, FORM)  # every choice can be typed too
