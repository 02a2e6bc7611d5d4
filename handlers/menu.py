"""The main menu and help text, built only from what features registered."""

from __future__ import annotations

from bot.core.messages import Button
from bot.core.turn import Turn
from bot.i18n import N_

MENU_PAYLOAD = "menu:main"


def menu_buttons(turn: Turn) -> list[list[Button]]:
    """One button per menu item, two to a row."""
    _ = turn._
    buttons = [Button(label=_(item.label), short=_(item.short), payload=item.payload)
               for item in turn.features.menu_items]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def back_to_menu(turn: Turn) -> list[Button]:
    """A row with a single "main menu" button."""
    return [Button(label=turn._(N_("⬅️ Main menu")), short=turn._(N_("Menu")),
                   payload=MENU_PAYLOAD)]


def show_menu(turn: Turn, text: str | None = None) -> None:
    """Send the main menu."""
    turn.say(text or turn._(N_("What would you like to do? You can also simply type your question.")),
             menu_buttons(turn))


def help_text(turn: Turn) -> str:
    """What the bot can do: the listed commands and a hint to just ask."""
    _ = turn._
    lines = [_(N_("I answer questions about the Imereti Regional Hub in Georgian and English. "
                  "Type your question in your own words, or use these commands:")), ""]
    for command in turn.features.commands.values():
        if command.listed:
            lines.append(f"/{command.name} — {_(command.description)}")
    return "\n".join(lines)
