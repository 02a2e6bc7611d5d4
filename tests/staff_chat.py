"""The staff chat in tests: one staff member who writes there, presses the bot's buttons and
reads its answers, and the rows a test checks afterwards.

The `staffed` fixture (tests/conftest.py) runs the bot with this staff chat, without topics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import select

from bot.app import HubApp
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, buttons, wait_for_text

STAFF_CHAT = -1003000
STAFF_USER = 902
M = TypeVar("M")


@dataclass(frozen=True)
class StaffMember:
    """A staff member in the staff chat of the stand-in Bot API."""

    api: FakeTelegramAPI
    name: str = "Tamar"
    user_id: int = STAFF_USER
    chat_id: int = STAFF_CHAT

    def write(self, text: str) -> None:
        """Send `text` to the staff chat."""
        self.api.push_text(self.user_id, text, chat_id=self.chat_id, first_name=self.name)

    def press(self, message: dict, label: str) -> None:
        """Press the button labelled `label` under `message`."""
        self.api.push_callback(self.user_id, buttons(message)[label],
                               message_id=message["message_id"], chat_id=self.chat_id,
                               first_name=self.name)

    async def sees(self, needle: str) -> dict:
        """The latest message in the staff chat containing `needle` (waits for it)."""
        return await wait_for_text(self.api, self.chat_id, needle)

    async def says(self, text: str, expected: str) -> dict:
        """Write `text`; the bot's very next message in the staff chat contains `expected`."""
        return await self._next(lambda: self.write(text), expected)

    async def presses(self, message: dict, label: str, expected: str) -> dict:
        """Press a button; the bot's very next message in the staff chat contains `expected`."""
        return await self._next(lambda: self.press(message, label), expected)

    async def _next(self, act: Callable[[], None], expected: str) -> dict:
        before = len(self.api.sent_messages(self.chat_id))
        act()
        message = (await self.api.wait_for_messages(self.chat_id, before + 1))[before]
        assert expected in message["text"], message["text"]
        return message


async def rows(bot: TelegramHarness | HubApp, model: type[M]) -> list[M]:
    """Every row of a table, as stored now."""
    hub = bot.hub if isinstance(bot, TelegramHarness) else bot
    assert hub is not None
    async with hub.session_factory() as session:
        return list((await session.exec(select(model))).all())  # type: ignore[call-overload]
