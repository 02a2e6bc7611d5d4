"""Check-in from an event's poster: `/start checkin_CODE` (Telegram's deep link, Messenger's
m.me `ref`). A registered person is counted present; someone without a registration is asked
for their organisation (a one-step form) and recorded as a walk-in."""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import TEXT, Step
from bot.core.forms import Form
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services import checkin as rules
from bot.services.event_text import event_title, event_when
from handlers.menu import show_menu

FLOW = "checkin"
MAX_ORGANISATION = 200

ANSWERS = {
    rules.CHECKED_IN: N_("✅ Welcome to {title}! You are checked in."),
    rules.ALREADY: N_("You are already checked in for {title}. Welcome!"),
    rules.TOO_EARLY: N_("Check-in for {title} opens on the day of the event ({when}). "
                        "Please scan the code again then."),
    rules.TOO_LATE: N_("{title} has already taken place ({when}); check-in is closed."),
    rules.CANCELLED: N_("{title} was cancelled, so there is no check-in."),
    rules.UNKNOWN: N_("This check-in code is not known. Please scan the poster's code again "
                      "or ask the hub's staff at the entrance."),
}
NOT_REGISTERED = N_("You are not registered for {title}, but you are welcome anyway: we will "
                    "record you as a guest.")


def _parse_organisation(text: str) -> str:
    return " ".join(text.split())[:MAX_ORGANISATION]


STEPS = (
    Step("organisation", TEXT, N_("Which organisation do you represent? Press Skip if you "
                                  "came on your own."),
         parse=_parse_organisation, optional=True, max_length=MAX_ORGANISATION),
)


async def _complete(turn: Turn, data: dict[str, Any]) -> None:
    result = await turn.services.checkin.walk_in(turn.uow, turn.person, int(data["event_id"]),
                                                 data.get("organisation") or None)
    await FORM.discard(turn)
    _answer(turn, result)


FORM = Form(FLOW, "ci", STEPS, on_complete=_complete, drafts=False, paused="", cancelled="",
            draft_offer="")


def _answer(turn: Turn, result: rules.CheckInResult) -> None:
    event = result.event
    values = {"title": "", "when": ""}
    if event is not None:
        values = {"title": event_title(event, turn.language),
                  "when": event_when(event, turn.language, turn.services.settings.tz)}
    show_menu(turn, turn._(ANSWERS[result.outcome]).format(**values))


async def deep_link(turn: Turn, code: str) -> None:
    """The person opened the bot through a poster's link."""
    await turn.leave()
    result = await turn.services.checkin.by_link(turn.uow, turn.person, code)
    if result.outcome != rules.NOT_REGISTERED or result.event is None:
        _answer(turn, result)
        return
    title = event_title(result.event, turn.language)
    await FORM.open_at(turn, "organisation", {"event_id": result.event.id},
                       turn._(NOT_REGISTERED).format(title=title))


async def form_pressed(turn: Turn, rest: str) -> None:
    """Buttons of the walk-in form (`ci:`)."""
    if not await FORM.press(turn, rest):
        await turn.stale_button()


def register(router: Router) -> None:
    """Wire the walk-in form (the deep link itself comes through /start)."""
    router.button("ci", form_pressed)
    FORM.register(router)
