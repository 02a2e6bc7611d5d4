"""What the console answers when it cannot do what was asked: a page in the console language
(Georgian by default, English after the switch) with a way back — for records that do not
exist, a ticket's file the platform does not hand over, a form that makes no sense, and
aiohttp's own answers (no such address, the wrong method, a body too large)."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from playwright.async_api import Page

from bot.app import HubApp
from bot.i18n import translator
from tests.console_harness import ConsoleHarness
from tests.hotline_steps import ask
from tests.test_console_sessions import with_page

ka = translator("ka")
PERSON = 7821


async def _shows(page: Page, path: str, status: int, heading: str, explanation: str,
                 **values: object) -> str:
    """Open `path`: its status, and the heading and explanation in Georgian; the page text."""
    response = await page.goto(path)
    assert response is not None and response.status == status, (path, response)
    text = await page.locator("main").inner_text()
    assert await page.get_by_role("heading", level=1).inner_text() == ka(heading), text
    assert ka(explanation).format(**values) in text, text
    return text


async def test_missing_records_are_explained_in_the_console_language(
        console: ConsoleHarness) -> None:
    page = await console.sign_in()
    for path, heading, explanation, values in (
            ("/console/orgs/99", "No such organisation", "There is no organisation #{number}.",
             {"number": 99}),
            ("/console/orgs/99/edit", "No such organisation",
             "There is no organisation #{number}.", {"number": 99}),
            ("/console/events/99", "No such event", "There is no event #{number}.",
             {"number": 99}),
            ("/console/announcements/99", "No such announcement",
             "There is no announcement #{number}.", {"number": 99}),
            ("/console/faq/topics/no_such_topic", "No such topic",
             "The FAQ has no topic {topic}.", {"topic": "no_such_topic"}),
            ("/console/tickets/99", "No such ticket", "There is no ticket #{number}.",
             {"number": 99}),
            ("/console/no-such-page", "Page not found", "Nothing is at this address: it may be "
             "mistyped, or what it showed no longer exists.", {}),
            (f"/console/events/{'9' * 20}", "Page not found", "Nothing is at this address: it "
             "may be mistyped, or what it showed no longer exists.", {}),
            ("/console/orgs/1/approve", "Not possible this way", "This address does not take "
             "this kind of request. Go back and use the page's buttons.", {})):
        status = 405 if path.endswith("/approve") else 404
        text = await _shows(page, path, status, heading, explanation, **values)
        assert "no such" not in text.lower() and "Not Found" not in text, text
    await page.get_by_role("link", name=f"← {ka('Dashboard')}").click()
    await page.wait_for_url("**/console/")

    await page.get_by_role("link", name="English").click()  # the same page, in English
    response = await page.goto("/console/orgs/99")
    assert response is not None and response.status == 404
    assert await page.get_by_role("heading", level=1).inner_text() == "No such organisation"
    await page.get_by_role("link", name="← Organisations").click()
    await page.wait_for_url("**/console/orgs")


async def test_posts_that_cannot_be_done_get_a_page_not_plain_text(
        console: ConsoleHarness) -> None:
    page = await console.sign_in()
    token = await page.locator("input[name=csrf_token]").first.input_value()
    for path, fields, status, heading in (
            ("/console/faq/unanswered", {"action": "dismiss", "ids": "x"}, 400,
             "Nothing was decided"),
            ("/console/orgs/99/reject", {"reason": "No."}, 404, "No such organisation"),
            ("/console/tickets/99/close", {}, 404, "No such ticket"),
            ("/console/faq/history/99/revert", {}, 404, "No such change"),
            ("/console/events/99/cancel", {}, 404, "No such event")):
        response = await page.request.post(path, form={"csrf_token": token, **fields})
        body = await response.text()
        assert response.status == status, (path, body)
        assert response.headers["content-type"].startswith("text/html"), path
        assert f"<h1>{ka(heading)}</h1>" in body, body
    huge = await page.request.post("/console/announcements", multipart={
        "csrf_token": token, "text": "Hello", "file": {
            "name": "big.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (21 * 2**20)}})
    assert huge.status == 413
    assert f"<h1>{ka('Too large')}</h1>" in await huge.text()


async def test_a_file_the_platform_does_not_hand_over(console: ConsoleHarness) -> None:
    await ask(console.person, PERSON, photo=b"\xff\xd8\xff a photo of the hall")
    page = await console.sign_in()
    await page.goto("/console/tickets/1")
    picture = page.get_by_role("img", name=ka("Photo from the person"))
    source = await picture.get_attribute("src")
    assert source is not None
    await picture.evaluate("img => img.decode().catch(() => null)")  # fetched (not a JPEG)
    await page.goto("/console/")  # and nothing on the next page fetches it again
    console.api.fail_next("getFile", 400, "Bad Request: wrong file_id")
    await _shows(page, source, 502, "The file could not be fetched", "Telegram or Messenger "
                 "did not hand the file over just now. Try again in a minute.")
    await page.get_by_role("link", name=f"← {ka('Ticket')}").click()
    await page.wait_for_url("**/console/tickets/1")
    await _shows(page, "/console/tickets/1/files/999", 404, "No such file",
                 "Ticket #{number} has no such file.", number=1)


async def test_a_bug_is_logged_and_the_page_says_only_that_it_failed(
        hub: HubApp, caplog: pytest.LogCaptureFixture) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("a bug")

    async with with_page(hub, "GET", "/broken/{token}", broken) as (client, _csrf):
        with caplog.at_level(logging.ERROR, logger="bot.console.errors"):
            response = await client.get("/console/broken/secret-token")
            body = await response.text()
    assert response.status == 500 and f"<h1>{ka('Something went wrong')}</h1>" in body
    assert "a bug" not in body and "Traceback" not in body
    [logged] = [r for r in caplog.records if r.name == "bot.console.errors"]
    assert logged.exc_info is not None and "/broken/{token}" in logged.getMessage()
    assert "secret-token" not in logged.getMessage()
