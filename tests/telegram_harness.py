"""Drives the real bot (PTB long polling) against the stand-in Bot API, as people would."""

from __future__ import annotations

import asyncio
import socket
from types import ModuleType
from typing import Any

from bot.app import HubApp, create_app
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from scheduler import HubScheduler
from handlers import FEATURES
from tests.fakes.telegram_api import FakeTelegramAPI


def free_port() -> int:
    """A port nobody listens on right now (for a web server whose address must be known early)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def buttons(message: dict) -> dict[str, str]:
    """Inline buttons of a sent message: label → callback data."""
    markup = message.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", b.get("url", ""))
            for row in markup.get("inline_keyboard", []) for b in row}


def text_of(messages: list[dict]) -> str:
    """All texts of some messages, joined."""
    return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)


class TelegramHarness:
    """A running bot plus helpers to talk to it and to restart it."""

    def __init__(self, api: FakeTelegramAPI, settings: Settings) -> None:
        self.api = api
        self.settings = settings.model_copy(update={
            "telegram_bot_token": settings.telegram_bot_token,
            "telegram_api_base_url": api.base_url,
        })
        self.features: tuple[ModuleType, ...] = FEATURES
        self.hub: HubApp | None = None
        self.scheduler: HubScheduler | None = None
        self.channel: TelegramChannel | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Build the bot from settings and start long polling."""
        self.hub = await create_app(self.settings, migrate=False, features=self.features)
        self.channel = TelegramChannel(self.hub)
        await self.channel.start(poll_timeout=1)
        self.scheduler = HubScheduler(self.hub)
        self.scheduler.start()

    async def stop(self) -> None:
        """Stop polling and release the database."""
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        if self.channel is not None:
            await self.channel.stop()
        if self.hub is not None:
            await self.hub.close()
        self.channel = self.hub = None

    async def restart(self) -> None:
        """Stop the bot and start a fresh process-equivalent on the same database."""
        await self.stop()
        await self.start()

    async def send(self, user_id: int, text: str, *, expect: int = 1, **kw: Any) -> list[dict]:
        """A person writes `text`; returns the `expect` messages the bot sends back."""
        before = len(self.api.sent_messages(user_id))
        self.api.push_text(user_id, text, **kw)
        return await self._replies(user_id, before, expect)

    async def press(self, user_id: int, data: str, *, message_id: int, expect: int = 1,
                    **kw: Any) -> list[dict]:
        """A person presses a button carrying `data`."""
        before = len(self.api.sent_messages(user_id))
        self.api.push_callback(user_id, data, message_id=message_id, **kw)
        return await self._replies(user_id, before, expect)

    async def press_label(self, user_id: int, message: dict, label: str, *, expect: int = 1,
                          **kw: Any) -> list[dict]:
        """Press the button labelled `label` (or starting with it) under `message`."""
        found = {k: v for k, v in buttons(message).items() if k == label or k.startswith(label)}
        assert found, f"no button {label!r} in {list(buttons(message))}"
        data = next(iter(found.values()))
        return await self.press(user_id, data, message_id=message["message_id"], expect=expect,
                                **kw)

    async def _replies(self, user_id: int, before: int, expect: int) -> list[dict]:
        messages = await self.api.wait_for_messages(user_id, before + expect, timeout=10)
        return messages[before:]


async def wait_for_text(api: FakeTelegramAPI, chat_id: int, needle: str, *,
                        thread_id: int | None = None, top_level: bool = False,
                        timeout: float = 5.0) -> dict:
    """The latest message to a chat (or topic) whose text or caption contains `needle`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [m for m in api.sent_messages(chat_id, thread_id)
                 if needle in (m.get("text") or m.get("caption") or "")
                 and not (top_level and "message_thread_id" in m)]
        if found:
            return found[-1]
        if asyncio.get_running_loop().time() > deadline:
            texts = [m.get("text") or m.get("caption") for m in api.sent_messages(chat_id)]
            raise AssertionError(f"nothing with {needle!r} sent to {chat_id}: {texts}")
        await asyncio.sleep(0.05)


def staff_harness(api: FakeTelegramAPI, settings: Settings, staff_chat: int, *,
                  forum: bool = True, **changes: Any) -> TelegramHarness:
    """A bot whose staff chat (English texts) is `staff_chat`, with or without topics."""
    from pydantic import SecretStr

    api.set_forum(staff_chat, forum)
    return TelegramHarness(api, settings.model_copy(update={
        "telegram_bot_token": SecretStr(api.token), "staff_chat_id": staff_chat,
        "staff_language": "en", **changes}))


async def card_thread(api: FakeTelegramAPI, staff_chat: int, number: int = 1, *,
                      timeout: float = 20.0) -> int:
    """The topic of ticket #`number`, once its card is posted (the bot has recorded it then)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for message in api.sent_messages(staff_chat):
            text = message.get("text") or ""
            if message.get("message_thread_id") and (
                    text.startswith(f"#{number} · ") or f"\n\n#{number} · " in text):
                return int(message["message_thread_id"])
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no card of ticket #{number} in {staff_chat} within {timeout}s")
        await asyncio.sleep(0.05)
