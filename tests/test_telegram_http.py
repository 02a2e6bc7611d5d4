"""The aiohttp transport under python-telegram-bot: what the Bot API receives, and failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut

from bot.channels.telegram_http import AiohttpRequest

TOKEN = "123:TEST"
MESSAGE = {"message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "ok"}


@pytest.fixture
async def server(unused_tcp_port: int) -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    """A tiny Bot API: records what arrives; `/slow` answers late, `/down` never."""
    seen: list[dict[str, object]] = []

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.content_type.startswith("multipart/"):
            fields: dict[str, object] = {}
            async for part in await request.multipart():
                fields[part.name] = (part.filename, await part.read()) if part.filename \
                    else (await part.text())
        elif request.content_type == "application/json":
            fields = await request.json()
        else:
            fields = dict(await request.post())
        seen.append({"method": name, "fields": fields, "type": request.content_type,
                     "agent": request.headers.get("User-Agent", "")})
        if name == "getChat":  # slow on purpose
            await asyncio.sleep(1.0)
        results: dict[str, object] = {
            "getMe": {"id": 1, "is_bot": True, "first_name": "Hub", "username": "hub_bot"},
            "getChat": {"id": 5, "type": "private", "accent_color_id": 0, "max_reaction_count": 1},
        }
        result = results.get(name, MESSAGE)
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", method)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{unused_tcp_port}/bot", seen
    finally:
        await runner.cleanup()


async def test_messages_and_files_arrive_as_the_bot_api_expects(server) -> None:
    base_url, seen = server
    bot = Bot(TOKEN, base_url=base_url, request=AiohttpRequest(connection_pool_size=2))
    async with bot:
        message = await bot.send_message(5, "გამარჯობა <b>&", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("კი", callback_data="yes")]]))
        await bot.send_document(5, InputFile(b"BEGIN:VCALENDAR", filename="event.ics"),
                                caption="ფორუმი")
    assert message.text == "ok"  # the answer is parsed into PTB's objects
    text, document = seen[-2], seen[-1]
    assert text["method"] == "sendMessage"
    assert text["type"] == "application/json"  # one JSON body, as the Bot API accepts
    assert text["fields"]["text"] == "გამარჯობა <b>&"  # Georgian and HTML characters intact
    assert text["fields"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "კი", "callback_data": "yes"}]]}
    assert "python-telegram-bot" in str(text["agent"])
    assert document["method"] == "sendDocument"
    fields = document["fields"]
    assert fields["caption"] == "ფორუმი"
    assert fields["document"] == ("event.ics", b"BEGIN:VCALENDAR")


async def test_a_slow_answer_is_a_timeout_and_a_closed_port_a_network_error(
        server, unused_tcp_port_factory) -> None:
    base_url, _seen = server
    request = AiohttpRequest(read_timeout=0.2)
    bot = Bot(TOKEN, base_url=base_url, request=request)
    async with bot:
        with pytest.raises(TimedOut):
            await bot.get_chat(5)
        assert (await bot.get_chat(5, read_timeout=3)).id == 5  # a longer wait, per call
    nowhere = Bot(TOKEN, base_url=f"http://127.0.0.1:{unused_tcp_port_factory()}/bot",
                  request=AiohttpRequest())
    try:
        with pytest.raises(NetworkError):
            await nowhere.initialize()  # get_me fails: nothing listens there
    finally:
        await nowhere.shutdown()


async def test_proxies_come_from_the_environment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    request = AiohttpRequest()
    await request.initialize()
    try:
        assert request.proxy_for("https://api.telegram.org/bot1:x/getMe") == \
            "http://proxy.example:3128"
        assert request.proxy_for("http://127.0.0.1:8081/bot1:x/getMe") is None  # NO_PROXY
        monkeypatch.delenv("HTTPS_PROXY")  # read at start, as httpx does
        assert request.proxy_for("https://api.telegram.org/bot1:x/sendMessage") == \
            "http://proxy.example:3128"
    finally:
        await request.shutdown()
