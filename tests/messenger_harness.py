"""Drives the real bot's Messenger webhook (over HTTP on loopback) against the stand-in Graph API.

The bot also runs Telegram against the stand-in Bot API, with a forum staff chat, as in
production: the staff chat is always on Telegram.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.assembly import open_messenger
from bot.channels.messenger import MessengerChannel
from bot.settings import Settings
from bot.web import WebServer
from tests.fakes.graph_api import (
    APP_SECRET,
    VERIFY_TOKEN,
    FakeGraphAPI,
    SentMessage,
    postback_event,
    signed,
    text_event,
    webhook,
)
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import staff_harness

STAFF_CHAT = -1002000


def messenger_settings(graph: FakeGraphAPI, settings: Settings, **changes: Any) -> Settings:
    """Settings with the Messenger channel pointed at the stand-in Graph API."""
    return settings.model_copy(update={
        "messenger_page_token": SecretStr(graph.token),
        "messenger_app_secret": SecretStr(APP_SECRET),
        "messenger_verify_token": SecretStr(VERIFY_TOKEN),
        "messenger_api_base_url": graph.base_url, **changes})


class MessengerHarness:
    """A running bot with both channels and the web server, plus helpers to talk to it."""

    def __init__(self, graph: FakeGraphAPI, telegram_api: FakeTelegramAPI, settings: Settings,
                 staff_chat: int) -> None:
        self.graph = graph
        self.telegram = staff_harness(telegram_api, messenger_settings(graph, settings),
                                      staff_chat)
        self.channel: MessengerChannel | None = None
        self.web: WebServer | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Start Telegram (polling), Messenger and the web server on a free port."""
        await self.telegram.start()
        hub = self.telegram.hub
        assert hub is not None
        self.channel = open_messenger(hub)
        self.web = WebServer(hub.session_factory, host="127.0.0.1", port=0)
        assert self.telegram.scheduler is not None
        self.web.worker = self.telegram.scheduler.worker  # as `hubbot run` wires it
        self.web.add_routes(self.channel.add_routes)
        await self.web.start()
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Stop everything."""
        if self._http is not None:
            await self._http.close()
        if self.web is not None:
            await self.web.stop()
        if self.channel is not None:
            await self.channel.stop()
        await self.telegram.stop()

    @property
    def url(self) -> str:
        """The web server's base URL."""
        assert self.web is not None
        return self.web.base_url

    async def post(self, raw: bytes, headers: dict[str, str]) -> int:
        """POST a raw webhook body; returns the HTTP status, once its events are handled."""
        assert self._http is not None and self.channel is not None
        async with self._http.post(f"{self.url}/messenger/webhook", data=raw,
                                   headers=headers) as response:
            status = response.status
        await self.channel.idle()
        return status

    async def get(self, path: str, **params: str) -> tuple[int, str]:
        """GET a path of the web server."""
        assert self._http is not None
        async with self._http.get(f"{self.url}{path}", params=params) as response:
            return response.status, await response.text()

    async def deliver(self, *events: dict[str, Any]) -> int:
        """Deliver signed events in one webhook call."""
        return await self.post(*signed(webhook(*events)))

    async def say(self, psid: str, text: str, *, mid: str | None = None) -> list[SentMessage]:
        """A person writes `text`; returns the messages the bot sent back."""
        before = len(self.graph.sent_to(psid))
        assert await self.deliver(text_event(psid, text, mid=mid)) == 200
        return self.graph.sent_to(psid)[before:]

    async def tap(self, psid: str, sent: SentMessage | list[SentMessage], title: str
                  ) -> list[SentMessage]:
        """Tap the quick reply or template button whose title (or payload) starts with `title`."""
        before = len(self.graph.sent_to(psid))
        messages = sent if isinstance(sent, list) else [sent]
        quick_replies = [q for m in messages for q in m.quick_replies]
        for quick in quick_replies:
            if quick.get("title", "").startswith(title) or quick.get("payload", "").startswith(
                    title):
                event = text_event(psid, quick["title"], quick_reply=quick["payload"])
                break
        else:
            found = [b for m in messages for b in m.buttons
                     if b.get("title", "").startswith(title)
                     or b.get("payload", "").startswith(title)]
            assert found, f"no button {title!r} in {[m.message for m in messages]}"
            event = postback_event(psid, found[0]["payload"], found[0]["title"])
        assert await self.deliver(event) == 200
        return self.graph.sent_to(psid)[before:]


async def set_last_message(messenger: MessengerHarness, psid: str, ago: timedelta) -> None:
    """Pretend the person's last message came `ago` (to test the 24-hour window)."""
    from sqlalchemy import update

    from storage.models import Person, utcnow

    hub = messenger.telegram.hub
    assert hub is not None
    async with hub.session_factory() as session:
        await session.exec(update(Person).where(Person.external_id == psid).values(  # type: ignore[call-overload]
            last_inbound_at=utcnow() - ago))
        await session.commit()
