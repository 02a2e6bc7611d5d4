"""/subscribe and /unsubscribe: announcement topics and an optional municipality.

The choices are a form on the engine (topics to tick, then the municipality), so they can be
typed too ("Funding", "Kutaisi", "2"). Each change is saved at once, as a settings panel does:
leaving the form half way loses nothing.
"""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import CHOICE, MULTI, OPEN, Option, Step
from bot.core.forms import Form
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services import subscriptions
from bot.services.announcements import SUBSCRIPTION_TOPICS
from bot.services.subscriptions import Kept
from handlers.menu import back_to_menu, show_menu
from storage.models_outbox import Subscription

FLOW = "subscribe"
EVERYWHERE = "all"


def _person_id(turn: Turn) -> int:
    assert turn.person.id is not None
    return turn.person.id


async def subscribe(turn: Turn) -> None:
    """Subscribe to every topic at once, then offer to narrow it down."""
    row = await subscriptions.subscribe(turn.uow, _person_id(turn))
    await _open(turn, row, turn._(N_("You are subscribed to the hub's announcements. Tap a "
                                     "topic to turn it off or on, or choose your "
                                     "municipality:")))


async def _open(turn: Turn, row: Subscription, text: str) -> None:
    await turn.finish()
    await FORM.open_at(turn, "topics", {"topics": list(row.topics), OPEN: "topics"}, text)


async def _topics_kept(turn: Turn, data: dict[str, Any], topics: list[str]) -> bool:
    """A tick is saved at once; the last topic cannot be turned off (that is Unsubscribe)."""
    kept = await subscriptions.set_topics(turn.uow, _person_id(turn), topics)
    if kept is Kept.LAST_TOPIC:
        step = FORM.step("topics")
        assert step is not None
        FORM.ask(turn, step, data, turn._(N_("At least one topic must stay on; to stop "
                                             "everything, press Unsubscribe.")))
    return await _said(turn, kept)


async def _place_kept(turn: Turn, _data: dict[str, Any], value: str) -> bool:
    kept = await subscriptions.set_municipality(turn.uow, _person_id(turn),
                                                None if value == EVERYWHERE else value)
    return await _said(turn, kept)


async def _said(turn: Turn, kept: Kept) -> bool:
    """True when the change was kept; an old panel of someone no longer subscribed closes."""
    if kept is Kept.GONE:
        await FORM.discard(turn)
        await turn.stale_button()
    return kept is Kept.SAVED


def _unsubscribe_row(turn: Turn, _data: dict[str, Any]) -> list[list[Button]]:
    _ = turn._
    return [[Button(label=_(N_("🔕 Unsubscribe")), short=_(N_("Unsubscribe")),
                    payload="sub:off")]]


def _place_prompt(turn: Turn, _data: dict[str, Any]) -> str:
    return turn._(N_("Announcements for which municipality?"))


STEPS = (
    Step("topics", MULTI, N_("Your announcements:"),
         options=[Option(key, label) for key, label in SUBSCRIPTION_TOPICS.items()],
         check=_topics_kept, done_label=N_("📍 Municipality ➡️"), done_short=N_("Municipality"),
         extra_rows=_unsubscribe_row),
    Step("municipality", CHOICE, _place_prompt, columns=3, check=_place_kept,
         options=[Option(key, name) for key, name in MUNICIPALITIES.items() if key != "other"]
         + [Option(EVERYWHERE, N_("All of Imereti"))]),
)


async def _saved(turn: Turn, data: dict[str, Any]) -> None:
    _ = turn._
    await FORM.discard(turn)
    topics = ", ".join(_(SUBSCRIPTION_TOPICS[t]) for t in data.get("topics") or []
                       if t in SUBSCRIPTION_TOPICS)
    place = data.get("municipality")
    where = _(MUNICIPALITIES[place]) if place in MUNICIPALITIES else _(N_("all of Imereti"))
    turn.say(_(N_("Saved. You will get: {topics} — for {place}. To change it: /subscribe; to "
                  "stop: /unsubscribe")).format(topics=topics, place=where),
             [back_to_menu(turn)])


FORM = Form(FLOW, "sb", STEPS, on_complete=_saved, drafts=False, paused="", cancelled="",
            draft_offer="")


async def unsubscribe(turn: Turn) -> None:
    """Stop every announcement."""
    if turn.in_flow(FLOW):
        await FORM.discard(turn)
    await subscriptions.unsubscribe(turn.uow, _person_id(turn))
    show_menu(turn, turn._(N_("You will get no more announcements. Reminders of events you "
                              "registered for still come. To subscribe again: /subscribe")))


async def pressed(turn: Turn, rest: str) -> None:
    """Subscribe, unsubscribe and the menu item (the choices themselves are the form's)."""
    kind = rest.partition(":")[0]
    if kind == "off":
        await unsubscribe(turn)
        return
    if kind == "on":
        await subscribe(turn)
        return
    row = await subscriptions.current(turn.uow, _person_id(turn))
    _ = turn._
    if kind == "menu" and row is not None:
        await _open(turn, row, "")
    elif kind == "menu":
        turn.say(_(N_("The hub announces forums, trainings, funding opportunities, legal news "
                      "and its own news. Would you like to receive them here?")),
                 [[Button(label=_(N_("🔔 Subscribe")), short=_(N_("Subscribe")), payload="sub:on")],
                  back_to_menu(turn)])
    else:  # sub:t / sub:m came from the panel before the form engine
        await turn.stale_button()


async def form_pressed(turn: Turn, rest: str) -> None:
    """The form's buttons (`sb:`)."""
    if not await FORM.press(turn, rest):
        await turn.stale_button()


def register(router: Router) -> None:
    """Wire subscriptions into the router."""
    router.command("subscribe", subscribe, N_("receive the hub's announcements"))
    router.command("unsubscribe", unsubscribe, N_("stop the hub's announcements"))
    router.button("sub", pressed)
    router.button("sb", form_pressed)
    FORM.register(router, {"subscribe": subscribe, "unsubscribe": unsubscribe})
    router.menu(60, N_("🔔 Announcements"), N_("Announcements"), "sub:menu")
