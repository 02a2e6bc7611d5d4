"""The staff console under test: the real bot against the stand-in Bot API with a forum staff
chat, its web server (with /console) on a free port, the scheduler and outbox worker, and a real
Chromium (Debian's, through Playwright; never a downloaded browser).

    async def test_x(console: ConsoleHarness) -> None:
        page = await console.sign_in(name="Nino")
        await page.get_by_role("link", name=console.ka("Tickets")).click()
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    async_playwright,
)

from bot.app import HubApp
from bot.i18n import translator
from bot.settings import Settings
from bot.web import WebServer
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, free_port, staff_harness

CHROMIUM = "/usr/bin/chromium"
STAFF_CHAT = -1003000
STAFF_USER = 950
LINK = re.compile(r"https?://\S+/console/login/[A-Za-z0-9_-]+")


class ConsoleHarness:
    """A running bot with its console, and a browser to use it."""

    def __init__(self, api: FakeTelegramAPI, person: TelegramHarness, web: WebServer,
                 browser: Browser) -> None:
        self.api = api
        self.person = person  # talk to the bot as people: send / press / press_label
        self.web = web
        self.browser = browser
        self.staff_chat = STAFF_CHAT
        self.base_url = web.base_url
        self.contexts: list[BrowserContext] = []

    @property
    def hub(self) -> HubApp:
        """The wired bot."""
        assert self.person.hub is not None
        return self.person.hub

    @staticmethod
    def ka(message: str) -> str:
        """A message id as the console shows it in Georgian (its default)."""
        return translator("ka")(message)

    @staticmethod
    def en(message: str) -> str:
        """A message id as the console shows it in English."""
        return translator("en")(message)

    async def new_page(self) -> Page:
        """A fresh browser context (no cookies) and a page in it."""
        context = await self.browser.new_context(base_url=self.base_url)
        self.contexts.append(context)
        return await context.new_page()

    async def link_from_chat(self, name: str = "Nino", telegram_user_id: int = STAFF_USER,
                             thread_id: int | None = None) -> str:
        """Send /console in the staff chat as `name`; the sign-in link the bot answers with."""
        before = len(self.api.sent_messages(STAFF_CHAT))
        self.api.push_text(telegram_user_id, "/console", chat_id=STAFF_CHAT, first_name=name,
                           message_thread_id=thread_id, is_topic_message=thread_id is not None)
        messages = await self.api.wait_for_messages(STAFF_CHAT, before + 1, timeout=10)
        for message in messages[before:]:
            found = LINK.search(message.get("text") or "")
            if found:
                return found.group(0)
        raise AssertionError(f"no sign-in link in {[m.get('text') for m in messages[before:]]}")

    async def open_link(self, url: str, page: Page | None = None) -> Page:
        """Open a sign-in link in a browser and press "Sign in" (Georgian by default)."""
        page = page or await self.new_page()
        await page.goto(url)
        await page.get_by_role("button", name=self.ka("Sign in")).click()
        await page.wait_for_url(re.compile(r"/console/$"))
        return page

    async def sign_in(self, name: str = "Nino", telegram_user_id: int = STAFF_USER) -> Page:
        """A page signed in as `name`, through a real one-time link from /console."""
        return await self.open_link(await self.link_from_chat(name, telegram_user_id))

    async def close(self) -> None:
        """Close the browser contexts."""
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless."""
    playwright: Playwright = await async_playwright().start()
    try:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()
    finally:
        await playwright.stop()


@pytest.fixture
async def console(telegram_api: FakeTelegramAPI, settings: Settings,
                  browser: Browser) -> AsyncIterator[ConsoleHarness]:
    """The bot, its console on 127.0.0.1 and a browser (SQLite and PostgreSQL)."""
    port = free_port()
    changes: dict[str, Any] = {"host": "127.0.0.1", "port": port}
    person = staff_harness(telegram_api, settings, STAFF_CHAT, **changes)
    await person.start()
    assert person.hub is not None
    web = WebServer(person.hub, host="127.0.0.1", port=port)
    if person.scheduler is not None:
        web.worker = person.scheduler.worker
    await web.start()
    harness = ConsoleHarness(telegram_api, person, web, browser)
    try:
        yield harness
    finally:
        await harness.close()
        await web.stop()
        await person.stop()
