"""Telegram webhook mode: setWebhook with a secret, the secret header checked, updates processed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import HubApp, create_app
from bot.assembly import open_telegram
from bot.settings import Settings
from bot.web import WebServer
from tests.fakes.telegram_api import FakeTelegramAPI

SECRET = "s3cret_webhook-token"
PERSON = 7301


def update(update_id: int, text: str) -> dict:
    """A private text message update as Telegram posts it."""
    person = {"id": PERSON, "is_bot": False, "first_name": "Nino", "language_code": "en"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text, "from": person,
        "chat": {"id": PERSON, "type": "private", "first_name": "Nino"}}}


@pytest.fixture
async def webhook_bot(telegram_api: FakeTelegramAPI, settings: Settings
                      ) -> AsyncIterator[tuple[HubApp, WebServer]]:
    """The bot in webhook mode behind the web server on a free loopback port."""
    configured = settings.model_copy(update={
        "telegram_bot_token": SecretStr(telegram_api.token),
        "telegram_api_base_url": telegram_api.base_url,
        "telegram_webhook_url": "https://bot.example.org/telegram/webhook",
        "telegram_webhook_secret": SecretStr(SECRET)})
    hub = await create_app(configured, migrate=False)
    channel = open_telegram(hub)
    web = WebServer(hub.session_factory, host="127.0.0.1", port=0)
    web.add_routes(channel.add_routes)
    await web.start()
    await channel.start()
    yield hub, web
    await web.stop()
    await channel.stop()
    await hub.close()


async def test_webhook_is_set_with_the_secret_and_a_wrong_header_is_refused(
        webhook_bot: tuple[HubApp, WebServer], telegram_api: FakeTelegramAPI) -> None:
    _hub, web = webhook_bot
    [call] = telegram_api.calls_to("setWebhook")
    assert call.params["url"] == "https://bot.example.org/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert telegram_api.calls_to("getUpdates") == []  # no long polling in webhook mode
    url = f"{web.base_url}/telegram/webhook"
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=update(1, "Where is your office?"),
                                 headers=headers) as response:
                assert response.status == 403
        await asyncio.sleep(0.3)
        assert telegram_api.sent_messages(PERSON) == []

        async with http.post(url, json=update(2, "Where is your office?"),
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            assert response.status == 200
        [answer] = await telegram_api.wait_for_messages(PERSON, 1)
        assert "Kutaisi" in answer["text"]
        # Telegram retries a non-2xx answer: the same update_id again is not handled twice
        async with http.post(url, json=update(2, "Where is your office?"),
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            assert response.status == 200
        await asyncio.sleep(0.3)
        assert len(telegram_api.sent_messages(PERSON)) == 1
        async with http.post(url, json=[1, 2],
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            assert response.status == 400
