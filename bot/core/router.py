"""Explicit registration of what each feature answers: commands, buttons, flows, menu items."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.core.messages import Incoming
from bot.core.turn import Turn

Handler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    """A slash command and its one-line description (a message id)."""

    name: str
    handler: Handler
    description: str
    listed: bool = True


@dataclass(frozen=True)
class MenuItem:
    """A main-menu button contributed by a feature."""

    order: int
    label: str  # message id
    short: str  # message id, ≤ 20 characters once translated
    payload: str


class Router:
    """Maps commands, button prefixes and flow names to handlers; features register here."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.buttons: dict[str, ButtonHandler] = {}
        self.flows: dict[str, Handler] = {}
        self.menu_items: list[MenuItem] = []
        self.free_text: Handler | None = None
        # Asked in order before free text and attachments; the first that returns True wins
        # (e.g. an open hotline ticket takes the person's messages).
        self.interceptors: list[Callable[[Turn], Awaitable[bool]]] = []
        self.staff_commands: dict[str, Command] = {}
        self.staff_text: Handler | None = None
        self.staff_flows: dict[str, Handler] = {}  # guided forms in the staff chat
        # Commands a flow answers itself while a person is in it (a form's /cancel).
        self.flow_commands: dict[str, dict[str, Handler]] = {}
        # How a flow is left when another command comes (a form keeps a draft); default: finish.
        self.flow_pause: dict[str, Handler] = {}
        # Run whenever a person turns back to the bot (any command, the main menu button).
        self.leave_hooks: list[Handler] = []
        self.keeps_flow: set[str] = set()  # commands that deal with the current flow themselves
        self.non_text: Handler | None = None
        self.unknown_command: Handler | None = None
        self.stale_button: Handler | None = None
        self.home: Callable[[Turn, str], None] | None = None  # the main menu under a text
        # Work that needs no database, done before the unit of work opens (so outside SQLite's
        # write lock): name -> fn(event, services); the result is `turn.prepared[name]`.
        self.preparers: dict[str, Callable[[Incoming, Any], Any]] = {}

    def command(self, name: str, handler: Handler, description: str, *, listed: bool = True) -> None:
        """Answer `/name` with `handler`."""
        if name in self.commands:
            raise ValueError(f"command /{name} registered twice")
        self.commands[name] = Command(name, handler, description, listed)

    def staff_command(self, name: str, handler: Handler, description: str) -> None:
        """Answer `/name` written in the staff chat."""
        if name in self.staff_commands:
            raise ValueError(f"staff command /{name} registered twice")
        self.staff_commands[name] = Command(name, handler, description)

    def button(self, prefix: str, handler: ButtonHandler) -> None:
        """Answer button payloads `prefix:rest` with `handler(turn, rest)`."""
        if ":" in prefix or prefix in self.buttons:
            raise ValueError(f"bad or duplicate button prefix {prefix!r}")
        self.buttons[prefix] = handler

    def flow(self, name: str, handler: Handler, *, commands: dict[str, Handler] | None = None,
             pause: Handler | None = None) -> None:
        """Answer messages of people standing in flow `name` (and its own `commands`)."""
        if name in self.flows:
            raise ValueError(f"flow {name!r} registered twice")
        self.flows[name] = handler
        if commands:
            self.flow_commands[name] = dict(commands)
        if pause is not None:
            self.flow_pause[name] = pause

    def menu(self, order: int, label: str, short: str, payload: str) -> None:
        """Add a main-menu button."""
        self.menu_items.append(MenuItem(order, label, short, payload))
        self.menu_items.sort(key=lambda item: item.order)

    def prepare(self, name: str, preparer: Callable[[Incoming, Any], Any]) -> None:
        """Run `preparer(event, services)` for every event before its unit of work opens."""
        if name in self.preparers:
            raise ValueError(f"preparer {name!r} registered twice")
        self.preparers[name] = preparer

    def has_command(self, name: str) -> bool:
        """True if `/name` exists (answers only mention commands that exist)."""
        return name in self.commands

    def button_handler(self, payload: str) -> tuple[ButtonHandler, str] | None:
        """The handler for a payload and the rest of the payload, if registered."""
        prefix, sep, rest = payload.partition(":")
        handler = self.buttons.get(prefix)
        return (handler, rest) if handler and sep else None
