"""Greeting, help, menu, cancel, and polite answers to what the bot cannot use."""

from __future__ import annotations

from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.services.checkin import CODE_PREFIX
from handlers import checkin
from handlers.menu import MENU_PAYLOAD, help_text, show_menu

GREETING = N_(
    "Hello, {name}! I am the assistant of the Imereti Regional Hub.\n"
    "The hub, run by LDA Georgia in Kutaisi since 2017, supports civil-society and community "
    "organisations of Imereti with consultations, a hotline, trainings and forums."
)


async def start(turn: Turn) -> None:
    """Greet, say what the hub is, and show the main menu; a poster's link checks in."""
    args = turn.event.command[1].strip() if turn.event.command else ""
    if args.startswith(CODE_PREFIX):
        await checkin.deep_link(turn, args.removeprefix(CODE_PREFIX))
        return
    await turn.leave()
    name = turn.person.display_name or turn._(N_("friend"))
    turn.say(turn._(GREETING).format(name=name))
    show_menu(turn)


async def help_command(turn: Turn) -> None:
    """List what the bot can do."""
    turn.say(help_text(turn))
    show_menu(turn)


async def menu(turn: Turn) -> None:
    """Show the main menu, leaving any unfinished flow (a form is kept as a draft)."""
    await turn.leave()
    show_menu(turn)


async def menu_button(turn: Turn, _rest: str) -> None:
    """The "main menu" button."""
    await menu(turn)


async def cancel(turn: Turn) -> None:
    """Leave whatever the person was doing."""
    if turn.conversation is None:
        show_menu(turn, turn._(N_("There is nothing to cancel.")))
        return
    await turn.finish()
    show_menu(turn, turn._(N_("Cancelled. Nothing was saved from that step.")))


async def unknown_command(turn: Turn) -> None:
    """Explain that the command does not exist and show what does."""
    name = turn.event.command[0] if turn.event.command else ""
    turn.say(turn._(N_("I don't know the command /{name}.")).format(name=name) + "\n\n"
             + help_text(turn))


async def stale_button(turn: Turn) -> None:
    """A button from an old message, or one that was tampered with."""
    show_menu(turn, turn._(N_("That button is no longer active. Here is the main menu.")))


async def non_text(turn: Turn) -> None:
    """A sticker, photo or voice message where the bot needs words."""
    show_menu(turn, turn._(N_("I can only read text here. Please type your question in words, "
                              "or choose from the menu.")))


def register(router: Router) -> None:
    """Wire the basics into the router."""
    router.command("start", start, N_("start over and show the main menu"))
    router.command("help", help_command, N_("what I can do"))
    router.command("menu", menu, N_("the main menu"))
    router.command("cancel", cancel, N_("leave the current step"))
    router.keeps_flow.add("cancel")  # /cancel is about the current flow: it is not left first
    router.button(MENU_PAYLOAD.split(":")[0], menu_button)
    router.unknown_command = unknown_command
    router.stale_button = stale_button
    router.home = show_menu
    router.non_text = non_text
