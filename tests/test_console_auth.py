"""Signing in to the staff console, in a real browser: one-time links from /console in the
staff chat, refused links, CSRF, forged cookies, sign-out, logout-all, the language switch."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import update

from bot.cli import main
from bot.i18n import translator
from storage.models import utcnow
from storage.models_console import ConsoleLink
from storage.uow import UnitOfWork
from tests.console_harness import ConsoleHarness
from tests.telegram_harness import free_port


async def test_a_link_from_the_staff_chat_signs_in_in_georgian(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    assert await page.locator("html").get_attribute("lang") == "ka"
    signed_in = console.ka("Signed in as {name}").format(name="Nino")
    assert signed_in != "Signed in as Nino"  # the Georgian catalog has it
    await page.get_by_text(signed_in).wait_for()
    for title in ("Dashboard", "Tickets", "Organisations", "Events", "Announcements",
                  "Audit log"):
        await page.get_by_role("link", name=console.ka(title)).wait_for()
    await page.get_by_role("link", name=console.ka("Audit log")).click()
    row = page.get_by_role("row").filter(has_text="console.sign_in")
    await row.filter(has_text="Nino").wait_for()


async def test_a_used_link_is_refused_with_a_clear_page(console: ConsoleHarness) -> None:
    url = await console.link_from_chat("Nino")
    await console.open_link(url)
    stranger = await console.new_page()
    response = await stranger.goto(url)
    assert response is not None and response.status == 410
    await stranger.get_by_role("heading", name=console.ka(
        "This sign-in link has been used already")).wait_for()
    await stranger.get_by_text("/console").first.wait_for()
    assert await stranger.get_by_role("button", name=console.ka("Sign out")).count() == 0


async def test_an_expired_link_is_refused(console: ConsoleHarness) -> None:
    url = await console.link_from_chat("Nino")
    async with UnitOfWork(console.hub.database) as uow:  # fifteen minutes pass
        await uow.session.exec(update(ConsoleLink).values(  # type: ignore[call-overload]
            expires_at=utcnow() - timedelta(seconds=1)))
        await uow.commit()
    page = await console.new_page()
    response = await page.goto(url)
    assert response is not None and response.status == 410
    await page.get_by_role("heading", name=console.ka("This sign-in link has expired")).wait_for()


async def test_a_link_opened_but_not_confirmed_still_works(console: ConsoleHarness) -> None:
    """Telegram's link preview fetches the link; only the button press uses it up."""
    url = await console.link_from_chat("Nino")
    preview = await console.new_page()
    await preview.goto(url)
    page = await console.open_link(url)
    await page.get_by_text(console.ka("Signed in as {name}").format(name="Nino")).wait_for()


async def test_a_post_without_the_csrf_token_is_refused(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    missing = await page.request.post(f"{console.base_url}/console/logout", form={})
    assert missing.status == 403
    wrong = await page.request.post(f"{console.base_url}/console/logout",
                                    form={"csrf_token": "0" * 64})
    assert wrong.status == 403
    assert console.ka("This form has expired") in await wrong.text()
    await page.reload()  # neither signed anybody out
    await page.get_by_text(console.ka("Signed in as {name}").format(name="Nino")).wait_for()


async def test_a_forged_session_cookie_gets_the_sign_in_page(console: ConsoleHarness) -> None:
    page = await console.new_page()
    await page.context.add_cookies([{"name": "console_session", "value": "forged-token",
                                     "url": console.base_url + "/console/"}])
    response = await page.goto("/console/audit")
    assert response is not None and response.status == 401
    await page.get_by_role("heading", name=console.ka("Sign in to the console")).wait_for()
    assert await page.get_by_role("link", name=console.ka("Audit log")).count() == 0
    headers = await response.all_headers()  # no framing, no caching of console pages
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


async def test_sign_out_ends_the_session(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    await page.get_by_role("button", name=console.ka("Sign out")).click()
    await page.get_by_role("heading", name=console.ka("Sign in to the console")).wait_for()
    response = await page.goto("/console/audit")
    assert response is not None and response.status == 401


async def test_logout_all_signs_every_browser_out(console: ConsoleHarness,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    first = await console.sign_in(name="Nino")
    second = await console.sign_in(name="Giorgi", telegram_user_id=951)
    monkeypatch.setenv("DATABASE_URL", console.hub.settings.database_url)
    assert await asyncio.to_thread(main, ["console", "logout-all"]) == 0
    assert capsys.readouterr().out.strip() == "signed out 2 console sessions"
    for page in (first, second):
        response = await page.reload()
        assert response is not None and response.status == 401
        await page.get_by_role("heading", name=console.ka("Sign in to the console")).wait_for()


async def test_the_language_switch_shows_english(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    await page.get_by_role("link", name="English").click()
    await page.get_by_text("Signed in as Nino").wait_for()
    assert await page.locator("html").get_attribute("lang") == "en"
    await page.get_by_role("link", name="Audit log").click()  # it stays English
    await page.get_by_role("heading", name="Audit log").wait_for()
    await page.get_by_role("link", name="ქართული").click()
    await page.get_by_role("heading", name=console.ka("Audit log")).wait_for()


async def test_console_in_a_topic_answers_there_and_not_in_private_chats(
        console: ConsoleHarness) -> None:
    thread = 77  # a staff topic that is not a ticket's
    url = await console.link_from_chat("Nino", thread_id=thread)
    [answer] = [m for m in console.api.sent_messages(console.staff_chat) if url in m["text"]]
    assert answer.get("message_thread_id") == thread
    assert "15" in answer["text"] and "Nino" in answer["text"]
    replies = await console.person.send(321, "/console")  # a person in a private chat
    assert "/console/login/" not in "".join(m.get("text") or "" for m in replies)


async def test_hubbot_console_link_signs_in_without_telegram(
        console: ConsoleHarness, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", console.hub.settings.database_url)
    monkeypatch.setenv("CONSOLE_PUBLIC_URL", console.base_url)
    assert await asyncio.to_thread(main, ["console", "link", "--name", "Tamar Admin"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(console.base_url + "/console/login/")
    page = await console.open_link(url)
    await page.get_by_text(console.ka("Signed in as {name}").format(name="Tamar Admin")).wait_for()


async def test_the_console_fits_a_phone(console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto("/console/audit")
    await page.get_by_role("heading", name=console.ka("Audit log")).wait_for()
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    await page.get_by_role("button", name=console.ka("Sign out")).wait_for()


async def test_hubbot_console_open_serves_the_console_and_prints_a_link(tmp_path: Path) -> None:
    """`./dev console`: one command, the console running here and a link that signs in."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "HUB_", "DATABASE_", "STAFF_", "CONSOLE_"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}", "HOST": "127.0.0.1",
            "PORT": str(port), "BROWSER": "true"}  # the "browser" opens nothing
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "console", "open", "--name", "Nino", env=env,
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        url = line.split()[1]
        assert url.startswith(f"http://127.0.0.1:{port}/console/login/")
        jar = aiohttp.CookieJar(unsafe=True)  # keep cookies of 127.0.0.1, as a browser does
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.post(url, allow_redirects=True) as signed_in:
                assert signed_in.status == 200
                page = await signed_in.text()
            assert translator("ka")("Signed in as {name}").format(name="Nino") in page
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, stderr.decode()
