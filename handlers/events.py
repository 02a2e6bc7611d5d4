"""/events and /myevents: upcoming events, registering 1–5 participants, the wait list, cancelling.

Registering is a short form on the engine (bot/core/forms.py): the event (the listing; a title
or its number can be typed) → organisation (or as an individual) → participants → names
(optional). The participants' buttons carry the event id, so a button from an older message
cannot register for the wrong event. Nothing is kept as a draft: it is three taps long.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.form_steps import CHOICE, TEXT, Invalid, Option, Step
from bot.core.forms import Form
from bot.core.messages import Button, is_small_id
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services import events as service
from bot.services.event_notices import promoted_text
from bot.services.event_text import event_text, event_title, ics_document
from handlers.menu import back_to_menu
from storage.models import utcnow
from storage.models_events import (
    AUDIENCE_ORGANISATIONS,
    CONFIRMED,
    MAX_PARTICIPANTS,
    WAITLISTED,
)
from storage.repos.events_calendar import EventCalendarRepo

FLOW = "evreg"
PAGE = 3
PAGE_KEY = "_page"  # the events listed: [id, Georgian title, English title]
ORG_KEY = "_org"  # the person's organisation: [id, name], or None
ONLY_ORGS = "_orgs_only"
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
    # The listing is the form's first step, so an event's name (or number) can be typed.
    await turn.goto(FLOW, "event_id", {PAGE_KEY: [[e.id, e.title_ka, e.title_en] for e in events]})


async def _unavailable(turn: Turn, problem: service.Unavailable) -> None:
    await FORM.discard(turn)
    buttons = [back_to_menu(turn)]
    if problem.reason == "organisations_only":
        buttons.insert(0, [Button(label=turn._(N_("🏢 Register an organisation")),
                                  short=turn._(N_("Register")), payload="reg:go")])
    turn.say(turn._(UNAVAILABLE[problem.reason]), buttons)


async def _begin(turn: Turn, event_id: int, data: dict[str, Any]) -> None:
    """An event was chosen (pressed or typed): check it, then ask on whose behalf or how many."""
    assert turn.person.id is not None
    try:
        event = await service.open_event(turn.uow, event_id, turn.person.id)
    except service.Unavailable as problem:
        await _unavailable(turn, problem)
        return
    organisation = await service.organisation_for(turn.uow, turn.person.id)
    if event.audience == AUDIENCE_ORGANISATIONS and organisation is None:
        await _unavailable(turn, service.Unavailable("organisations_only", event))
        return
    taken = await turn.uow.repo(EventCalendarRepo).seats_taken(event_id)
    note = event_text(event, turn.language, turn.services.settings.tz, taken=taken)
    data = {k: v for k, v in data.items() if k in (PAGE_KEY,)} | {
        "event_id": event_id, ORG_KEY: [organisation.id, organisation.name_ka]
        if organisation is not None else None,
        ONLY_ORGS: event.audience == AUDIENCE_ORGANISATIONS}
    await FORM.move_on(turn, data, note)


async def _event_chosen(turn: Turn, data: dict[str, Any], value: str) -> bool:
    """A title typed (or a "Did you mean" pressed) at the listing: the registration begins."""
    if is_small_id(value):
        await _begin(turn, int(value), data)
    else:
        await turn.stale_button()
    return False  # _begin has answered and moved the form on itself


async def _not_an_event(turn: Turn, _data: dict[str, Any]) -> bool:
    """Text at the listing that names no event: the listing is left and the text answered."""
    await FORM.discard(turn)
    router = turn.features
    handler = router.free_text if (turn.event.text or "").strip() else router.non_text
    assert handler is not None
    await handler(turn)
    return True


def _event_options(turn: Turn, data: dict[str, Any]) -> list[Option]:
    return [Option(str(event_id), "📝 " + _short(title_en if turn.language == "en" and title_en
                                                else title_ka), also=(title_ka, title_en or ""))
            for event_id, title_ka, title_en in data.get(PAGE_KEY) or []]


def _listing_prompt(turn: Turn, data: dict[str, Any]) -> str:
    return turn._(N_("Which event would you like to register for? Press it, or type its name or "
                     "number."))


def _org_options(_turn: Turn, data: dict[str, Any]) -> list[Option]:
    org_id, name = data[ORG_KEY]
    options = [Option(str(org_id), "🏢 " + _short(name), N_("Organisation"), also=(name,))]
    if not data.get(ONLY_ORGS):
        options.append(Option("0", N_("🙋 As an individual"), N_("Individual")))
    return options


def _count_options(_turn: Turn, data: dict[str, Any]) -> list[Option]:
    # The event id rides in the value, so a button from another event's message is refused.
    return [Option(f"{data['event_id']}.{n}", str(n)) for n in range(1, MAX_PARTICIPANTS + 1)]


def _count_prompt(turn: Turn, _data: dict[str, Any]) -> str:
    return turn._(N_("How many participants will come (1–{limit})? Every participant takes "
                     "one seat.")).format(limit=MAX_PARTICIPANTS)


def _participants(data: dict[str, Any]) -> int:
    return int(str(data["participants"]).rpartition(".")[2])


def _parse_names(text: str) -> list[str]:
    names = [" ".join(n.split()) for n in _NAME_SEPARATORS.split(text) if n.strip()]
    if any(len(name) > service.MAX_NAME for name in names):
        raise Invalid(N_("A name is too long; please send names of at most {limit} "
                         "characters."), limit=service.MAX_NAME)
    return names


async def _names_fit(turn: Turn, data: dict[str, Any], names: list[str]) -> bool:
    if len(names) <= _participants(data):
        return True
    step = FORM.step("names")
    assert step is not None
    FORM.ask(turn, step, data, turn._(N_("You are registering {count} participants but sent "
                                         "{names} names.")).format(
        count=_participants(data), names=len(names)))
    return False


STEPS = (
    Step("event_id", CHOICE, _listing_prompt, options=_event_options,
         when=lambda data: PAGE_KEY in data, check=_event_chosen, on_text=_not_an_event),
    Step("org", CHOICE, N_("On whose behalf are you registering?"), options=_org_options,
         when=lambda data: data.get(ORG_KEY) is not None),
    Step("participants", CHOICE, _count_prompt, options=_count_options,
         columns=MAX_PARTICIPANTS),
    Step("names", TEXT, N_("Send the participants' names, one per line, or press Skip if "
                           "you would rather not."), parse=_parse_names, optional=True,
         check=_names_fit),
)


async def _complete(turn: Turn, data: dict[str, Any]) -> None:
    assert turn.person.id is not None
    _ = turn._
    organisation_id = int(data.get("org") or 0) or None
    if organisation_id is not None and (data.get(ORG_KEY) or [None])[0] != organisation_id:
        await turn.stale_button()
        return
    try:
        registration = await service.register(
            turn.uow, event_id=data["event_id"], person_id=turn.person.id,
            organisation_id=organisation_id, participants=_participants(data),
            names=data.get("names") or [])
    except service.Unavailable as problem:
        await _unavailable(turn, problem)
        return
    await FORM.discard(turn)
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


FORM = Form(FLOW, "er", STEPS, on_complete=_complete, drafts=False, paused="", cancelled="",
            draft_offer="")


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
        await _begin(turn, values[0], {})
    elif kind == "c":
        await _confirm_cancel(turn, values[0])
    elif kind == "cy":
        await _cancel(turn, values[0])
    else:  # ev:o / ev:n / ev:k came from the hand-coded flow before the form engine
        await turn.stale_button()


async def form_pressed(turn: Turn, rest: str) -> None:
    """Buttons of the registration form (`er:`)."""
    if not await FORM.press(turn, rest):
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
        text = promoted_text(event, promotion.registration.participants, language)
        turn.notify(promotion.person, text, document=ics_document(event, language),
                    kind="event_update")


def register(router: Router) -> None:
    """Wire events into the router."""
    router.command("events", events_command, N_("upcoming forums, trainings and meetings"))
    router.command("myevents", myevents, N_("your event registrations"))
    router.button("ev", pressed)
    router.button("er", form_pressed)
    FORM.register(router)
    router.menu(30, N_("📅 Events"), N_("Events"), "ev:p:0")
