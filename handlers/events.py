"""/events and /myevents: upcoming events, registering 1–5 participants, the wait list, cancelling.

Registering is a short flow: organisation (or as an individual) → participants → names
(optional). Each button carries the event id, and the flow's data must agree with it, so a
button from an older message cannot register for the wrong event.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.messages import is_small_id
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, translator
from bot.services import events as service
from bot.services.event_text import event_text, event_title, ics_document
from handlers.menu import back_to_menu
from storage.models import utcnow
from storage.models_events import AUDIENCE_ORGANISATIONS, CONFIRMED, MAX_PARTICIPANTS, WAITLISTED
from storage.repos.events_calendar import EventCalendarRepo

FLOW = "evreg"
PAGE = 3
MAX_LABEL = 40
_NAME_SEPARATORS = re.compile(r"[\n,;]+")

UNAVAILABLE = {
    "gone": N_("That event no longer exists."),
    "cancelled": N_("This event was cancelled."),
    "past": N_("This event has already started or taken place."),
    "closed": N_("Registration for this event has closed."),
    "duplicate": N_("You are already registered for this event. Your registrations are in "
                    "/myevents."),
    "organisations_only": N_("This event is for organisations. Please register your "
                             "organisation first with /register."),
}


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1].rstrip() + "…"


async def events_command(turn: Turn) -> None:
    """/events: the first page of upcoming events."""
    await turn.finish()
    await _page(turn, 0)


async def _page(turn: Turn, offset: int) -> None:
    _ = turn._
    repo = turn.uow.repo(EventCalendarRepo)
    events, total = await repo.upcoming(utcnow(), offset=offset, limit=PAGE)
    if not events:
        turn.say(_(N_("There are no upcoming events at the moment. Staff announce new forums, "
                      "trainings and meetings here.")), [back_to_menu(turn)])
        return
    taken = await repo.seats_taken_by_event([e.id for e in events if e.id is not None])
    tz = turn.services.settings.tz
    blocks = [event_text(e, turn.language, tz, taken=taken.get(e.id or 0, 0), details=False)
              for e in events]
    header = _(N_("Upcoming events {first}–{last} of {total}:")).format(
        first=offset + 1, last=offset + len(events), total=total)
    rows = [[Button(label="📝 " + _short(event_title(e, turn.language)),
                    short=_(N_("Register")), payload=f"ev:r:{e.id}")] for e in events]
    if offset + PAGE < total:
        rows.append([Button(label=_(N_("More ▶️")), short=_(N_("More")),
                            payload=f"ev:p:{offset + PAGE}")])
    rows.append(back_to_menu(turn))
    turn.say("\n\n".join([header] + blocks), rows)


async def _unavailable(turn: Turn, problem: service.Unavailable) -> None:
    await turn.finish()
    buttons = [back_to_menu(turn)]
    if problem.reason == "organisations_only":
        buttons.insert(0, [Button(label=turn._(N_("🏢 Register an organisation")),
                                  short=turn._(N_("Register")), payload="reg:go")])
    turn.say(turn._(UNAVAILABLE[problem.reason]), buttons)


async def _start(turn: Turn, event_id: int) -> None:
    """Register was pressed: check the event, then ask on whose behalf."""
    assert turn.person.id is not None
    try:
        event = await service.open_event(turn.uow, event_id, turn.person.id)
    except service.Unavailable as problem:
        await _unavailable(turn, problem)
        return
    _ = turn._
    organisation = await service.organisation_for(turn.uow, turn.person.id)
    if event.audience == AUDIENCE_ORGANISATIONS and organisation is None:
        await _unavailable(turn, service.Unavailable("organisations_only", event))
        return
    taken = await turn.uow.repo(EventCalendarRepo).seats_taken(event_id)
    note = event_text(event, turn.language, turn.services.settings.tz, taken=taken)
    data: dict[str, Any] = {"event_id": event_id}
    if organisation is None:
        data["org_id"] = 0
        await _ask_count(turn, data, note)
        return
    await turn.goto(FLOW, "org", data)
    rows = [[Button(label="🏢 " + _short(organisation.name_ka), short=_(N_("Organisation")),
                    payload=f"ev:o:{event_id}:{organisation.id}")]]
    if event.audience != AUDIENCE_ORGANISATIONS:
        rows.append([Button(label=_(N_("🙋 As an individual")), short=_(N_("Individual")),
                            payload=f"ev:o:{event_id}:0")])
    turn.say(note + "\n\n" + _(N_("On whose behalf are you registering?")),
             rows + [back_to_menu(turn)])


async def _ask_count(turn: Turn, data: dict[str, Any], note: str = "") -> None:
    await turn.goto(FLOW, "count", data)
    event_id = data["event_id"]
    buttons = [Button(label=str(n), payload=f"ev:n:{event_id}:{n}")
               for n in range(1, MAX_PARTICIPANTS + 1)]
    text = turn._(N_("How many participants will come (1–{limit})? Every participant takes "
                     "one seat.")).format(limit=MAX_PARTICIPANTS)
    turn.say((note + "\n\n" if note else "") + text, [buttons, back_to_menu(turn)])


async def _ask_names(turn: Turn, data: dict[str, Any], prefix: str = "") -> None:
    await turn.goto(FLOW, "names", data)
    text = turn._(N_("Send the participants' names, one per line, or press Skip if you would "
                     "rather not."))
    turn.say((prefix + "\n\n" if prefix else "") + text,
             [[Button(label=turn._(N_("Skip")), payload=f"ev:k:{data['event_id']}")],
              back_to_menu(turn)])


async def on_message(turn: Turn) -> None:
    """Text while registering: the participants' names (other steps want a button)."""
    assert turn.conversation is not None
    step, data = turn.conversation.step, dict(turn.conversation.data)
    _ = turn._
    text = (turn.event.text or "").strip()
    if step != "names":
        turn.say(_(N_("Please choose one of the buttons above, or send /cancel.")))
        return
    if not text:
        await _ask_names(turn, data, _(N_("I can only use text here.")))
        return
    names = [" ".join(n.split()) for n in _NAME_SEPARATORS.split(text) if n.strip()]
    if len(names) > data["participants"]:
        await _ask_names(turn, data, _(N_("You are registering {count} participants but sent "
                                          "{names} names.")).format(
            count=data["participants"], names=len(names)))
        return
    if any(len(name) > service.MAX_NAME for name in names):
        await _ask_names(turn, data, _(N_("A name is too long; please send names of at most "
                                          "{limit} characters.")).format(
            limit=service.MAX_NAME))
        return
    await _complete(turn, data, names)


async def _complete(turn: Turn, data: dict[str, Any], names: list[str]) -> None:
    assert turn.person.id is not None
    _ = turn._
    try:
        registration = await service.register(
            turn.uow, event_id=data["event_id"], person_id=turn.person.id,
            organisation_id=data["org_id"] or None, participants=data["participants"],
            names=names)
    except service.Unavailable as problem:
        await _unavailable(turn, problem)
        return
    await turn.finish()
    repo = turn.uow.repo(EventCalendarRepo)
    event = await repo.get(registration.event_id)
    assert event is not None
    title = event_title(event, turn.language)
    rows = [[Button(label=_(N_("🗓 My events")), short=_(N_("My events")), payload="ev:my")],
            back_to_menu(turn)]
    if registration.status == CONFIRMED:
        turn.say(_(N_("You are registered for {title}: {count} participant(s). The calendar "
                      "file below adds it to your calendar.")).format(
            title=title, count=registration.participants), rows,
            document=ics_document(event, turn.language))
        return
    position = await repo.waitlist_rank(registration)
    turn.say(_(N_("There are not enough free seats for {title}, so you are on the wait list, "
                  "number {position}. If seats free up, you will get them in turn and we will "
                  "tell you here.")).format(title=title, position=position), rows)


async def pressed(turn: Turn, rest: str) -> None:
    """Buttons under `ev:`."""
    parts = rest.split(":")
    kind, numbers = parts[0], parts[1:]
    if not numbers and kind == "my":
        await myevents(turn)
        return
    if not numbers or not all(is_small_id(n) for n in numbers):
        await turn.stale_button()
        return
    values = [int(n) for n in numbers]
    if kind == "p":
        await turn.finish()
        await _page(turn, values[0])
    elif kind == "r":
        await turn.finish()
        await _start(turn, values[0])
    elif kind == "c":
        await _confirm_cancel(turn, values[0])
    elif kind == "cy":
        await _cancel(turn, values[0])
    elif kind in ("o", "n", "k"):
        await _flow_button(turn, kind, values)
    else:
        await turn.stale_button()


async def _flow_button(turn: Turn, kind: str, values: list[int]) -> None:
    conversation = turn.conversation
    expected_step = {"o": "org", "n": "count", "k": "names"}[kind]
    if (not turn.in_flow(FLOW) or conversation is None or conversation.step != expected_step
            or conversation.data.get("event_id") != values[0]):
        await turn.finish()
        await turn.stale_button()
        return
    data = dict(conversation.data)
    if kind == "o" and len(values) == 2:
        organisation = await service.organisation_for(turn.uow, turn.person.id or 0)
        if values[1] and (organisation is None or organisation.id != values[1]):
            await turn.stale_button()
            return
        data["org_id"] = values[1]
        await _ask_count(turn, data)
    elif kind == "n" and len(values) == 2 and 1 <= values[1] <= MAX_PARTICIPANTS:
        data["participants"] = values[1]
        await _ask_names(turn, data)
    elif kind == "k" and len(values) == 1:
        await _complete(turn, data, [])
    else:
        await turn.stale_button()


async def myevents(turn: Turn) -> None:
    """/myevents: the person's registrations for upcoming events, each with a Cancel button."""
    await turn.finish()
    _ = turn._
    assert turn.person.id is not None
    repo = turn.uow.repo(EventCalendarRepo)
    mine = await repo.for_person(turn.person.id, utcnow())
    if not mine:
        turn.say(_(N_("You are not registered for any upcoming event. See /events.")),
                 [back_to_menu(turn)])
        return
    tz = turn.services.settings.tz
    blocks, rows = [], []
    for registration, event in mine:
        if registration.status == CONFIRMED:
            status = _(N_("✅ Registered: {count} participant(s)")).format(
                count=registration.participants)
        else:
            status = _(N_("⏳ On the wait list, number {position}")).format(
                position=await repo.waitlist_rank(registration))
        blocks.append(event_text(event, turn.language, tz, details=False) + "\n" + status)
        rows.append([Button(label="✖️ " + _short(_(N_("Cancel: {title}")).format(
            title=event_title(event, turn.language))), short=_(N_("Cancel")),
            payload=f"ev:c:{registration.id}")])
    turn.say("\n\n".join(blocks), rows + [back_to_menu(turn)])


async def _own_active(turn: Turn, registration_id: int) -> tuple[Any, Any] | None:
    repo = turn.uow.repo(EventCalendarRepo)
    registration = await repo.registration(registration_id)
    if registration is None or registration.person_id != turn.person.id or (
            registration.status not in (CONFIRMED, WAITLISTED)):
        return None
    event = await repo.get(registration.event_id)
    return (registration, event) if event is not None else None


async def _confirm_cancel(turn: Turn, registration_id: int) -> None:
    await turn.finish()
    found = await _own_active(turn, registration_id)
    if found is None:
        await turn.stale_button()
        return
    _ = turn._
    _registration, event = found
    turn.say(_(N_("Cancel your registration for {title}?")).format(
        title=event_title(event, turn.language)),
        [[Button(label=_(N_("Yes, cancel it")), payload=f"ev:cy:{registration_id}"),
          Button(label=_(N_("No, keep it")), payload="ev:my")]])


async def _cancel(turn: Turn, registration_id: int) -> None:
    await turn.finish()
    assert turn.person.id is not None
    found = await _own_active(turn, registration_id)
    result = await service.cancel_registration(turn.uow, registration_id, turn.person.id)
    if found is None or result is None:
        await turn.stale_button()
        return
    _registration, event = found
    _cancelled, promoted = result
    turn.say(turn._(N_("Your registration for {title} is cancelled. Thank you for freeing the "
                       "seats.")).format(title=event_title(event, turn.language)),
             [back_to_menu(turn)])
    for promotion in promoted:
        language = promotion.person.language
        text = translator(language)(N_(
            "Good news: seats freed up for {title}, and your registration ({count} "
            "participant(s)) is now confirmed. The calendar file below adds it to your "
            "calendar.")).format(title=event_title(event, language),
                                 count=promotion.registration.participants)
        turn.notify(promotion.person, text, document=ics_document(event, language),
                    kind="event_update")


def register(router: Router) -> None:
    """Wire events into the router."""
    router.command("events", events_command, N_("upcoming forums, trainings and meetings"))
    router.command("myevents", myevents, N_("your event registrations"))
    router.button("ev", pressed)
    router.flow(FLOW, on_message)
    router.menu(30, N_("📅 Events"), N_("Events"), "ev:p:0")
