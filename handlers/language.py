"""Choosing the language: Georgian (default) or English, stored per person."""

from __future__ import annotations

from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_
from handlers.menu import show_menu


async def choose(turn: Turn) -> None:
    """Offer the languages."""
    turn.say(turn._(N_("Choose a language:")),
             [[Button(label=LANGUAGE_NAMES[code], payload=f"lang:{code}") for code in LANGUAGES]])


async def pressed(turn: Turn, code: str) -> None:
    """Switch to the chosen language and confirm in it."""
    if code == "menu":
        await choose(turn)
        return
    if code not in LANGUAGES:
        await turn.stale_button()
        return
    turn.person.language = code
    turn.person.language_chosen = True
    turn.uow.people.save(turn.person)
    show_menu(turn, turn._(N_("Done: I will speak English with you.")))


def register(router: Router) -> None:
    """Wire language choice into the router."""
    router.command("language", choose, N_("choose Georgian or English"))
    router.button("lang", pressed)
    router.menu(90, N_("🌐 Language"), N_("Language"), "lang:menu")
