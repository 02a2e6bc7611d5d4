"""The inbox in a real browser (Chromium) against the running bot and the stand-in Bot API: a
person asks with /ask, staff answer from the console, and the person, the ticket's Telegram
topic and the audit log all show it; filters; take, close, reopen and notes in the topic;
files the person sent; canned answers. The console speaks Georgian by default."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from bot.i18n import translator
from storage.models_hotline import Ticket
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork
from tests.console_harness import ConsoleHarness
from tests.hotline_steps import ask
from tests.telegram_harness import card_thread, wait_for_text

PERSON = 7401
OTHER = 7402
ka = translator("ka")


async def open_ticket(console: ConsoleHarness, page: Page, number: int) -> None:
    """From anywhere in the console: Tickets, then the ticket's link."""
    await page.get_by_role("link", name=ka("Tickets"), exact=True).click()
    await page.get_by_role("link", name=re.compile(rf"^#{number} · ")).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{number} · ")


async def ticket_row(console: ConsoleHarness, number: int) -> Ticket:
    async with UnitOfWork(console.hub.database) as uow:
        ticket = await uow.repo(TicketRepo).get(number)
    assert ticket is not None
    return ticket


async def test_a_reply_from_the_console_reaches_the_person_the_topic_and_the_audit_log(
        console: ConsoleHarness) -> None:
    api = console.api
    await ask(console.person, PERSON, "Is the hall free on Friday?")
    thread = await card_thread(api, console.staff_chat)

    page = await console.sign_in(name="Nino")  # the link /console gives in the staff chat
    await open_ticket(console, page, 1)
    await expect(page.get_by_text("Is the hall free on Friday?")).to_be_visible()
    await page.get_by_label(ka("Your reply (the person sees it, signed with your name)")).fill(
        "Yes, from 10:00. Bring your ID.")
    await page.get_by_role("button", name=ka("Send reply")).click()
    await expect(page.get_by_role("status")).to_contain_text(ka(
        "Reply sent to the person of #{number}; the ticket's topic shows it too.").format(number=1))

    answer = await wait_for_text(api, PERSON, "Bring your ID", timeout=10)
    assert answer["text"] == "Yes, from 10:00. Bring your ID.\n\n— Nino, the hub team"
    in_topic = await wait_for_text(api, console.staff_chat, "Bring your ID", thread_id=thread,
                                   timeout=10)
    assert in_topic["text"] == "✍️ Nino (console): Yes, from 10:00. Bring your ID."
    # the page shows the conversation both ways: the reply is there, marked as the console's
    reply = page.locator("li.message.out")
    await expect(reply).to_contain_text("Yes, from 10:00. Bring your ID.")
    await expect(reply).to_contain_text(ka("reply from the console"))

    await page.get_by_role("link", name=ka("Audit log")).click()
    row = page.get_by_role("row").filter(has_text="ticket.reply")
    await expect(row).to_contain_text("Nino")
    await expect(row).to_contain_text("ticket #1")
    assert "Bring your ID" not in await page.content()  # no message texts in the audit log


async def test_filters_and_take_close_reopen_and_a_note_show_in_the_topic(
        console: ConsoleHarness) -> None:
    api, chat = console.api, console.staff_chat
    await ask(console.person, PERSON, "Question about a grant", name="Nino")
    await ask(console.person, OTHER, "Question about the statute", place="Vani", name="Eka")
    first = await card_thread(api, chat, 1)
    second = await card_thread(api, chat, 2)
    page = await console.sign_in(name="Tamar")

    await open_ticket(console, page, 1)
    await page.get_by_role("button", name=ka("Close"), exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(ka(
        "Ticket #{number} is closed; the person is asked to rate the answer.").format(number=1))
    await wait_for_text(api, chat, "✅ #1 closed by Tamar.", thread_id=first, timeout=10)
    rating = await wait_for_text(api, PERSON, "closed your question #1", timeout=10)
    assert "5 ⭐" in str(rating["reply_markup"])
    await api.wait_for_call("closeForumTopic")

    # the list: open by default; "Closed" shows the closed one only
    await page.get_by_role("link", name=ka("Tickets"), exact=True).click()
    listed = page.get_by_role("link", name=re.compile(r"^#\d+ · "))
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("#2 · ")
    await page.get_by_role("link", name=ka("Closed"), exact=True).click()
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("#1 · ")
    await page.get_by_role("link", name=ka("All"), exact=True).click()
    await expect(listed).to_have_count(2)
    await page.get_by_label(ka("Municipality")).select_option("vani")
    await page.get_by_role("button", name=ka("Filter")).click()
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("#2 · ")
    await page.get_by_label(ka("Municipality")).select_option("")
    await page.get_by_label(ka("Search")).fill("grant")
    await page.get_by_role("button", name=ka("Filter")).click()
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("#1 · ")

    # take #2, then "Mine" lists it; a note on it shows in its topic, never to the person
    await open_ticket(console, page, 2)
    await page.get_by_role("button", name=ka("Take"), exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(
        ka("You have taken ticket #{number}.").format(number=2))
    await wait_for_text(api, chat, "🙋 #2 is taken by Tamar.", thread_id=second, timeout=10)
    await page.get_by_label(ka("Note (only staff see it)")).fill("Ask the lawyer on Monday")
    await page.get_by_role("button", name=ka("Add note")).click()
    await expect(page.locator("li.message.note")).to_contain_text("Ask the lawyer on Monday")
    note = await wait_for_text(api, chat, "Ask the lawyer", thread_id=second, timeout=10)
    assert note["text"] == "📝 Tamar (console), a note for staff: Ask the lawyer on Monday"
    await page.get_by_role("link", name=ka("Tickets"), exact=True).click()
    await page.get_by_role("link", name=ka("Mine"), exact=True).click()
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text("#2 · ")

    # reopen #1: the topic says so and opens again; closing twice told the person once
    await page.get_by_role("link", name=ka("Closed"), exact=True).click()
    await page.get_by_role("link", name=re.compile(r"^#1 · ")).click()
    await page.get_by_role("button", name=ka("Reopen"), exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(
        ka("Ticket #{number} is open again.").format(number=1))
    await wait_for_text(api, chat, "↩️ #1 reopened.", thread_id=first, timeout=10)
    await api.wait_for_call("reopenForumTopic")
    assert (await ticket_row(console, 1)).status == "open"
    assert (await ticket_row(console, 2)).assignee == "Tamar"
    assert not [m for m in api.sent_messages(OTHER) if "lawyer" in (m.get("text") or "")]

    await page.get_by_role("link", name=ka("Audit log")).click()
    for action in ("ticket.close", "ticket.take", "ticket.note", "ticket.reopen"):
        await expect(page.get_by_role("row").filter(has_text=action)).to_have_count(1)


async def test_closing_in_two_tabs_tells_the_person_once(console: ConsoleHarness) -> None:
    api = console.api
    await ask(console.person, PERSON)
    thread = await card_thread(api, console.staff_chat)
    page = await console.sign_in(name="Nino")
    await open_ticket(console, page, 1)
    other = await page.context.new_page()  # the same ticket, open in a second tab
    await other.goto(page.url)
    await page.get_by_role("button", name=ka("Close"), exact=True).click()
    await expect(page.get_by_role("status")).to_be_visible()
    await other.get_by_role("button", name=ka("Close"), exact=True).click()
    await expect(other.get_by_role("status")).to_contain_text(
        ka("Ticket #{number} is already closed.").format(number=1))
    # then reopen and answer: these go out after anything the second close could have queued
    await other.get_by_role("button", name=ka("Reopen"), exact=True).click()
    await other.get_by_label(ka("Your reply (the person sees it, signed with your name)")).fill(
        "One more thing: bring a pen.")
    await other.get_by_role("button", name=ka("Send reply")).click()
    await wait_for_text(api, PERSON, "bring a pen", timeout=10)
    await wait_for_text(api, console.staff_chat, "bring a pen", thread_id=thread, timeout=10)
    assert sum("closed your question" in (m.get("text") or "")
               for m in api.sent_messages(PERSON)) == 1
    assert sum("closed by" in (m.get("text") or "")
               for m in api.sent_messages(console.staff_chat, thread)) == 1
    assert len(api.calls_to("closeForumTopic")) == 1


async def test_files_the_person_sent_can_be_seen(console: ConsoleHarness) -> None:
    photo, statute = b"\xff\xd8\xff fake jpeg of the hall", b"%PDF-1.4 the statute"
    await ask(console.person, PERSON, photo=photo, document=statute)
    page = await console.sign_in(name="Nino")
    await open_ticket(console, page, 1)
    image = page.get_by_role("img", name=ka("Photo from the person"))
    await expect(image).to_be_visible()
    source = await image.get_attribute("src")
    assert source is not None
    response = await page.request.get(source)
    assert response.ok and await response.body() == photo
    assert response.headers["content-type"] == "image/jpeg"
    async with page.expect_download() as download:
        await page.get_by_role("link", name=ka("Download the document")).click()
    path = await (await download.value).path()
    assert path is not None and path.read_bytes() == statute
    stranger = await console.new_page()  # not signed in: no file
    refused = await stranger.request.get(console.base_url + source, max_redirects=0)
    assert refused.status == 401 and await refused.body() != photo


async def test_a_canned_answer_goes_into_the_reply_box_in_the_persons_language(
        console: ConsoleHarness) -> None:
    api = console.api
    await ask(console.person, PERSON)
    thread = await card_thread(api, console.staff_chat)
    page = await console.sign_in(name="Nino")
    await open_ticket(console, page, 1)
    await page.get_by_label(ka("Canned answer")).select_option("received")
    await page.get_by_role("button", name=ka("Insert")).click()
    box = page.get_by_label(ka("Your reply (the person sees it, signed with your name)"))
    canned = console.hub.services.tickets.canned_text("received", "en")
    assert canned is not None and canned.startswith("Thank you, we have received")
    await expect(box).to_have_value(canned)  # the person wrote in English
    await page.get_by_role("button", name=ka("Send reply")).click()
    answer = await wait_for_text(api, PERSON, "we have received", timeout=10)
    assert answer["text"] == canned + "\n\n— Nino, the hub team"

    # staff answering in the topic: the console shows that too, as a reply from Telegram
    api.push_text(951, "We will call you tomorrow.", chat_id=console.staff_chat,
                  first_name="Tamar", message_thread_id=thread, is_topic_message=True)
    await wait_for_text(api, PERSON, "call you tomorrow", timeout=10)
    await page.reload()
    from_telegram = page.locator("li.message.out").filter(has_text="call you tomorrow")
    await expect(from_telegram).to_contain_text(ka("reply from Telegram"))
    await expect(from_telegram).to_contain_text("Tamar")


async def test_an_unknown_ticket_a_blank_reply_and_a_phone(console: ConsoleHarness) -> None:
    await ask(console.person, PERSON)
    page = await console.sign_in(name="Nino")
    await page.set_viewport_size({"width": 375, "height": 800})  # one column, nothing cut off
    for path in ("/console/tickets", "/console/tickets/1"):
        await page.goto(path)
        assert await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    response = await page.goto("/console/tickets/99")
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", name=ka("No such ticket"))).to_be_visible()
    await open_ticket(console, page, 1)
    box = page.get_by_label(ka("Your reply (the person sees it, signed with your name)"))
    await box.evaluate("box => box.removeAttribute('required')")  # past the browser's check
    await box.fill("   ")
    await page.get_by_role("button", name=ka("Send reply")).click()
    await expect(page.get_by_role("alert")).to_have_text(ka("Write a reply first."))
    assert (await ticket_row(console, 1)).first_staff_reply_at is None
