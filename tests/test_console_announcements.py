"""The console's announcements page in a real browser: compose to all subscribers (people who
subscribed in the chat), see the count and the preview, send, watch the figures reach "all
sent" and each person receive it; a photo sent as a photo; a scheduled announcement not sent
before its time; quiet hours that say, on the page and in the staff chat, until when."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from playwright.async_api import FilePayload, Locator, Page, expect
from sqlmodel import func, select

from bot.i18n import translations
from bot.services.announcements import local_moment
from bot.services.routines import after_quiet_hours
from storage.models import utcnow
from storage.models_outbox import Subscription
from tests.console_harness import ConsoleHarness
from tests.telegram_harness import wait_for_text

PEOPLE = (7101, 7102, 7103)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


async def _subscribed(console: ConsoleHarness) -> None:
    """Each person subscribes through the chat (/subscribe ticks every topic at once)."""
    for user in PEOPLE:
        await console.person.send(user, "/subscribe")
    for _attempt in range(100):
        async with console.hub.session_factory() as session:
            rows = (await session.exec(select(func.count()).select_from(Subscription))).one()
        if rows == len(PEOPLE):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the people did not subscribe")


async def _compose(console: ConsoleHarness, page: Page, text: str, *,
                   at: str | None = None, upload: FilePayload | None = None) -> None:
    """Write an announcement to all subscribers (a file attached, a time chosen) and ask for
    its count and preview."""
    ka = console.ka
    await page.get_by_role("link", name=ka("Announcements")).click()
    await page.get_by_label(ka("Text")).fill(text)
    await page.get_by_label(ka("Who receives it")).select_option(label=ka("All subscribers"))
    if upload is not None:
        await page.get_by_label(ka("Photo or document (optional)")).set_input_files(
            files=[upload])
    if at is not None:
        await page.get_by_label(ka("At a chosen time")).check()
        await page.get_by_label(ka("Date and time ({zone})").format(
            zone=console.hub.settings.timezone)).fill(at)
    await page.get_by_role("button", name=ka("Count recipients and preview")).click()


def _people(count: int) -> str:
    return translations("ka").ngettext("It will reach {count} person.",
                                       "It will reach {count} people.", count).format(count=count)


def _received(console: ConsoleHarness, needle: str) -> list[dict]:
    return [m for user in PEOPLE for m in console.api.sent_messages(user)
            if needle in (m.get("text") or m.get("caption") or "")]


def _state(page: Page) -> Locator:
    return page.locator("#announcement-state")


async def _send_now_to_everyone(console: ConsoleHarness, page: Page, text: str) -> list[dict]:
    """Press Send now, see "All sent", and return the copy each person received."""
    await page.get_by_role("button", name=console.ka("Send now")).click()
    await expect(_state(page)).to_have_text(console.ka("All sent"), timeout=20_000)
    return [await wait_for_text(console.api, user, text) for user in PEOPLE]


async def test_an_announcement_to_all_subscribers_is_counted_previewed_sent_and_watched(
        console: ConsoleHarness) -> None:
    console.hub.settings.quiet_hours = "off"
    await _subscribed(console)
    page = await console.sign_in(name="Nino")
    await _compose(console, page, "The spring forum opens registration on Monday")
    ka = console.ka
    await page.get_by_text(_people(len(PEOPLE))).wait_for()
    preview = page.get_by_role("figure", name=ka("The message as it appears in the chat"))
    await expect(preview).to_contain_text("The spring forum opens registration on Monday")
    await expect(preview).to_contain_text(ka("🔕 Unsubscribe"))
    assert not _received(console, "spring forum")  # nothing is sent before Send
    console.api.outage(60)  # Telegram answers 502 for now: the page shows it under way
    await page.get_by_role("button", name=ka("Send now")).click()
    await expect(page.get_by_role("status").filter(
        has_text=ka("Announcement #{number} is on its way.").format(number=1))).to_be_visible()
    await expect(_state(page)).to_have_text(ka("Sending: {sent} of {total} sent so far").format(
        sent=0, total=len(PEOPLE)), timeout=20_000)
    await page.evaluate("window.stillThisPage = true")
    console.api.end_outage()
    await expect(_state(page)).to_have_text(ka("All sent"), timeout=30_000)
    assert await page.evaluate("window.stillThisPage === true")  # the script, not a reload
    await expect(page.locator("[data-figure=sent]")).to_have_text(str(len(PEOPLE)))
    for user in PEOPLE:
        received = await wait_for_text(console.api, user, "The spring forum opens")
        assert received["reply_markup"]["inline_keyboard"]  # the way to unsubscribe
    assert await page.get_by_role("button", name=ka("Send now")).count() == 0
    await page.get_by_role("link", name=ka("All announcements")).click()
    row = page.get_by_role("row").filter(has_text="#1")
    await expect(row).to_contain_text(ka("All sent"))
    await page.get_by_role("link", name=ka("Audit log")).click()
    entry = page.get_by_role("row").filter(has_text="announcement.send")
    await expect(entry).to_contain_text("Nino")
    await expect(entry).to_contain_text("announcement #1")


async def test_a_photo_is_previewed_and_each_person_gets_it_as_a_photo(
        console: ConsoleHarness) -> None:
    console.hub.settings.quiet_hours = "off"
    await _subscribed(console)
    page = await console.sign_in(name="Nino")
    await _compose(console, page, "Our new office",
                   upload={"name": "office.png", "mimeType": "image/png", "buffer": PNG})
    photo = page.get_by_role("img", name=console.ka("The attached photo"))
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.naturalWidth") == 1  # the upload itself
    for copy in await _send_now_to_everyone(console, page, "Our new office"):
        assert "photo" in copy


async def test_a_scheduled_announcement_is_not_sent_before_its_time(
        console: ConsoleHarness) -> None:
    console.hub.settings.quiet_hours = "off"
    await _subscribed(console)
    page = await console.sign_in(name="Nino")
    ka = console.ka
    settings = console.hub.settings
    when = (utcnow() + timedelta(hours=3)).astimezone(settings.tz).replace(second=0,
                                                                          microsecond=0)
    await _compose(console, page, "Reminder: the grant deadline is tomorrow",
                   at=f"{when:%Y-%m-%dT%H:%M}")
    shown = local_moment(when, "ka", settings.tz)
    await page.get_by_role("button", name=ka("Schedule for {time}").format(time=shown)).click()
    scheduled = ka("Scheduled for {time}").format(time=shown)
    await expect(_state(page)).to_have_text(scheduled)
    announcements = console.hub.services.announcements
    assert await announcements.send_due() is None  # the scheduler's look, now: not yet
    assert not _received(console, "grant deadline")
    await page.reload()
    await expect(_state(page)).to_have_text(scheduled)
    cancel = page.get_by_role("button", name=ka("Cancel the scheduled announcement"))
    await expect(cancel).to_be_visible()
    assert await announcements.send_due(utcnow() + timedelta(hours=3, minutes=1)) is not None
    for user in PEOPLE:
        await wait_for_text(console.api, user, "the grant deadline is tomorrow")
    await expect(_state(page)).to_have_text(ka("All sent"), timeout=20_000)  # the script
    await expect(cancel).to_be_hidden()  # too late to cancel


async def test_quiet_hours_say_until_when_on_the_page_and_in_the_staff_chat(
        console: ConsoleHarness) -> None:
    settings = console.hub.settings
    local = utcnow().astimezone(settings.tz)
    settings.quiet_hours = f"{local - timedelta(hours=1):%H:%M}-{local + timedelta(hours=2):%H:%M}"
    until = after_quiet_hours(utcnow(), settings)
    await _subscribed(console)
    page = await console.sign_in(name="Nino")
    await _compose(console, page, "Office closed on Monday")
    ka = console.ka
    await page.get_by_role("button", name=ka("Send now")).click()
    await expect(_state(page)).to_have_text(ka(
        "Held back by quiet hours until {time}; then it goes out").format(
        time=local_moment(until, "ka", settings.tz)), timeout=20_000)
    await expect(page.locator("[data-figure=pending]")).to_have_text(str(len(PEOPLE)))
    said = await wait_for_text(console.api, console.staff_chat,
                               "waits for the end of quiet hours")  # staff chat in English
    assert local_moment(until, "en", settings.tz) in said["text"]
    assert "being sent" not in said["text"]
    assert not _received(console, "Office closed")


async def test_a_document_larger_than_a_webhook_body_goes_as_a_document(
        console: ConsoleHarness) -> None:
    console.hub.settings.quiet_hours = "off"
    await _subscribed(console)
    page = await console.sign_in(name="Nino")
    await _compose(console, page, "The programme of the forum", upload={
        "name": "programme.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4 " + b"0" * (3 * 1024 * 1024)})  # 3 MB
    await expect(page.get_by_role("figure")).to_contain_text("programme.pdf")
    for copy in await _send_now_to_everyone(console, page, "The programme of the forum"):
        assert copy["document"]["file_name"] == "programme.pdf"


async def test_a_time_in_the_past_is_refused_and_nothing_is_saved(
        console: ConsoleHarness) -> None:
    page = await console.sign_in(name="Nino")
    ka = console.ka
    past = (utcnow() - timedelta(days=1)).astimezone(console.hub.settings.tz)
    await _compose(console, page, "Too late", at=f"{past:%Y-%m-%dT%H:%M}")
    await expect(page.get_by_role("alert")).to_contain_text(
        ka("That time has passed; choose a later one, or send it now."))
    await expect(page.get_by_label(ka("Text"))).to_have_value("Too late")  # kept to fix
    await expect(page.get_by_text(ka("No announcements yet."))).to_be_visible()
