"""Feedback after an event: the request's rating buttons (`efb:EVENT:N`, or the digit typed),
then one optional comment and, for a training, what the person will apply in their
organisation. A form on the engine (bot/core/forms.py); answers kept per event."""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import CHOICE, TEXT, Option, Step
from bot.core.forms import Form
from bot.core.messages import is_small_id, small_number
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services.feedback import MAX_COMMENT, RATINGS
from handlers.menu import show_menu

FLOW = "feedback"
TRAINING = "training"

STEPS = (
    Step("rating", CHOICE, N_("How was it? Please rate it from 1 (poor) to 5 (excellent)."),
         options=[Option(str(n), str(n)) for n in RATINGS], columns=5),
    Step("comment", TEXT, N_("Thank you! Anything you would like to tell us — what was useful, "
                             "what we could do better? One message, or press Skip."),
         optional=True, max_length=MAX_COMMENT),
    Step("will_apply", TEXT, N_("What will you apply in your organisation from this training? "
                                "One message, or press Skip."),
         optional=True, max_length=MAX_COMMENT, when=lambda data: data.get("kind") == TRAINING),
)


async def _complete(turn: Turn, data: dict[str, Any]) -> None:
    await FORM.discard(turn)
    stored = await turn.services.feedback.store(
        turn.uow, turn.person, int(data["event_id"]), int(data["rating"]),
        data.get("comment"), data.get("will_apply"))
    show_menu(turn, turn._(N_("Thank you for your feedback! It helps the hub plan its next "
                              "events.") if stored else N_("You have already sent your "
                                                          "feedback on this event. Thank you!")))


FORM = Form(FLOW, "fq", STEPS, on_complete=_complete, drafts=False, paused="", cancelled="",
            draft_offer="")


async def _begin(turn: Turn, event_id: int, rating: int) -> None:
    event = await turn.services.feedback.may_answer(turn.uow, turn.person, event_id)
    if event is None:
        await turn.finish()
        show_menu(turn, turn._(N_("Thank you — your feedback on this event is already with "
                                  "us, or it is no longer open.")))
        return
    await turn.leave()
    await FORM.start(turn, {"event_id": event_id, "kind": event.kind, "rating": str(rating)})


async def pressed(turn: Turn, rest: str) -> None:
    """A rating button under a feedback request: `efb:EVENT:N`."""
    event_id, _sep, rating = rest.partition(":")
    stars = small_number(rating)
    if not is_small_id(event_id) or stars is None or stars not in RATINGS:
        await turn.stale_button()
        return
    await _begin(turn, int(event_id), stars)


async def typed_rating(turn: Turn) -> bool:
    """A digit 1–5 typed after a feedback request counts as its rating."""
    text = (turn.event.text or "").strip()
    if turn.conversation is not None and turn.conversation.flow:
        return False
    stars = small_number(text) if len(text) == 1 else None
    if stars is None or stars not in RATINGS:
        return False
    event_id = await turn.services.feedback.pending_event(turn.uow, turn.person)
    if event_id is None:
        return False
    await _begin(turn, event_id, stars)
    return True


async def form_pressed(turn: Turn, rest: str) -> None:
    """Buttons of the feedback form (`fq:`)."""
    if not await FORM.press(turn, rest):
        await turn.stale_button()


def register(router: Router) -> None:
    """Wire the feedback buttons, form and typed ratings."""
    router.button("efb", pressed)
    router.button("fq", form_pressed)
    router.interceptors.append(typed_rating)
    FORM.register(router)
