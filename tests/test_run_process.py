"""`hubbot run` as a real process, long-polling the stand-in Bot API given in TELEGRAM_API_BASE_URL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from bot.i18n import translator
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import buttons, free_port


async def test_hubbot_run_serves_telegram_and_stops_cleanly(
        telegram_api: FakeTelegramAPI, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "STAFF_"))}
    env |= {"TELEGRAM_BOT_TOKEN": telegram_api.token,
            "TELEGRAM_API_BASE_URL": telegram_api.base_url.removesuffix("/bot"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}",
            "HOST": "127.0.0.1", "PORT": str(port := free_port())}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        telegram_api.push_text(501, "/start", language_code="en")
        replies = await telegram_api.wait_for_messages(501, 2, timeout=30)
        assert any("Questions and answers" in label for label in buttons(replies[1]))

        telegram_api.push_text(502, "სად მდებარეობს თქვენი ოფისი?", language_code="ka")
        [georgian] = await telegram_api.wait_for_messages(502, 1, timeout=10)
        assert "წერეთლის ქუჩა №111" in georgian["text"]

        telegram_api.push_text(503, "Where is your office?", language_code="en")
        [english] = await telegram_api.wait_for_messages(503, 1, timeout=10)
        assert "111 Tsereteli" in english["text"]

        telegram_api.push_text(504, "Who will win the football world cup?", language_code="en")
        [refusal] = await telegram_api.wait_for_messages(504, 1, timeout=10)
        assert "Tsereteli" not in refusal["text"]
        assert any("Contact the hub team" in label for label in buttons(refusal))
        commands = telegram_api.calls_to("setMyCommands")
        assert commands, "the command list is published"

        # Long polling only, and the staff console is served all the same (asking to sign in).
        async with aiohttp.ClientSession() as http, \
                http.get(f"http://127.0.0.1:{port}/console/") as page:
            assert page.status == 401
            assert translator("ka")("Sign in to the console") in await page.text()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, stderr.decode()
    said = stderr.decode()
    assert said.count("the hotline is off: STAFF_CHAT_ID is not set") == 1, said
