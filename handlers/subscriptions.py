"""/subscribe and /unsubscribe: announcement topics and an optional municipality."""

from __future__ import annotations

from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services.announcements import SUBSCRIPTION_TOPICS
from handlers.menu import back_to_menu, show_menu
from storage.models_outbox import Subscription
from storage.repos.outbox import OutboxRepo


async def subscribe(turn: Turn) -> None:
    """Subscribe to every topic at once, then offer to narrow it down."""
    assert turn.person.id is not None
    row = await turn.uow.session.get(Subscription, turn.person.id)
    if row is None:
        row = Subscription(person_id=turn.person.id, topics=list(SUBSCRIPTION_TOPICS))
        turn.uow.session.add(row)
    await turn.uow.repo(OutboxRepo).clear_unreachable(turn.person.id)
    _show(turn, row, turn._(N_("You are subscribed to the hub's announcements. Tap a topic to "
                               "turn it off or on, or choose your municipality:")))


def _show(turn: Turn, row: Subscription, text: str) -> None:
    _ = turn._
    rows = [[Button(label=("✅ " if key in row.topics else "▫️ ") + _(label),
                    short=_(label)[:20], payload=f"sub:t:{key}")]
            for key, label in SUBSCRIPTION_TOPICS.items()]
    place = _(MUNICIPALITIES[row.municipality]) if row.municipality else _(N_("all of Imereti"))
    rows.append([Button(label=_(N_("📍 Municipality: {place}")).format(place=place),
                        short=_(N_("Municipality")), payload="sub:m")])
    rows.append([Button(label=_(N_("🔕 Unsubscribe")), short=_(N_("Unsubscribe")),
                        payload="sub:off")])
    turn.say(text, rows + [back_to_menu(turn)])


async def unsubscribe(turn: Turn) -> None:
    """Stop every announcement."""
    assert turn.person.id is not None
    row = await turn.uow.session.get(Subscription, turn.person.id)
    if row is not None:
        await turn.uow.session.delete(row)
    show_menu(turn, turn._(N_("You will get no more announcements. Reminders of events you "
                              "registered for still come. To subscribe again: /subscribe")))


async def pressed(turn: Turn, rest: str) -> None:
    """Topic toggles, the municipality filter and the unsubscribe button."""
    kind, _sep, value = rest.partition(":")
    if kind == "off":
        await unsubscribe(turn)
        return
    if kind == "on":
        await subscribe(turn)
        return
    assert turn.person.id is not None
    row = await turn.uow.session.get(Subscription, turn.person.id)
    _ = turn._
    if kind == "menu" and row is not None:
        _show(turn, row, _(N_("Your announcements:")))
        return
    if row is None:
        turn.say(_(N_("The hub announces forums, trainings, funding opportunities, legal news "
                      "and its own news. Would you like to receive them here?")),
                 [[Button(label=_(N_("🔔 Subscribe")), short=_(N_("Subscribe")), payload="sub:on")],
                  back_to_menu(turn)])
        return
    if kind == "t" and value in SUBSCRIPTION_TOPICS:
        topics = [t for t in row.topics if t != value] if value in row.topics else [
            *row.topics, value]
        if not topics:
            turn.say(_(N_("At least one topic must stay on; to stop everything, press "
                          "Unsubscribe.")))
            _show(turn, row, _(N_("Your announcements:")))
            return
        row.topics = topics
        turn.uow.session.add(row)
        _show(turn, row, _(N_("Saved. Your announcements:")))
    elif kind == "m" and not value:
        buttons = [Button(label=_(name), payload=f"sub:m:{key}")
                   for key, name in MUNICIPALITIES.items() if key != "other"]
        buttons.append(Button(label=_(N_("All of Imereti")), payload="sub:m:all"))
        turn.say(_(N_("Announcements for which municipality?")),
                 [buttons[i:i + 3] for i in range(0, len(buttons), 3)])
    elif kind == "m" and (value in MUNICIPALITIES or value == "all"):
        row.municipality = None if value == "all" else value
        turn.uow.session.add(row)
        _show(turn, row, _(N_("Saved. Your announcements:")))
    else:
        await turn.stale_button()


def register(router: Router) -> None:
    """Wire subscriptions into the router."""
    router.command("subscribe", subscribe, N_("receive the hub's announcements"))
    router.command("unsubscribe", unsubscribe, N_("stop the hub's announcements"))
    router.button("sub", pressed)
    router.menu(60, N_("🔔 Announcements"), N_("Announcements"), "sub:menu")
