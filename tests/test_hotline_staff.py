"""Staff work on a ticket from the staff chat (notes, /take, canned answers, /tickets,
/stats), nobody else can act as staff, /forget erases the person, questions stay out of logs."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Person
from storage.models_hotline import TicketMessage
from tests.hotline_steps import PERSON, STAFF_CHAT, STAFF_USER, ask, staff_says, ticket_row
from tests.telegram_harness import TelegramHarness, card_thread, wait_for_text


async def test_notes_take_tickets_stats_and_canned_answers(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    await staff_says(hotline, "/note call the lawyer first", thread=thread)
    await wait_for_text(api, STAFF_CHAT, "#1", thread_id=thread)
    await staff_says(hotline, "/take", thread=thread)
    await wait_for_text(api, STAFF_CHAT, "Tamar", thread_id=thread)
    await staff_says(hotline, "/reply received", thread=thread)
    await wait_for_text(api, PERSON, "received your question")
    assert not [m for m in api.sent_messages(PERSON) if "lawyer" in (m.get("text") or "")]
    await staff_says(hotline, "/tickets")
    listing = await wait_for_text(api, STAFF_CHAT, "Tamar", top_level=True)
    assert "#1" in listing["text"]
    await staff_says(hotline, "/stats")
    stats = await wait_for_text(api, STAFF_CHAT, "By municipality", top_level=True)
    assert "Kutaisi: 1" in stats["text"] and "Legal help: 1" in stats["text"]
    ticket = await ticket_row(hotline)
    assert ticket.assignee == "Tamar"
    assert hotline.hub is not None
    async with hotline.hub.session_factory() as session:
        kinds = [m.direction for m in (await session.exec(
            select(TicketMessage).order_by(TicketMessage.id))).all()]
    assert kinds == ["note", "out"]


async def test_only_the_staff_chat_can_act_as_staff(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    outsider = 6666
    [reply] = await hotline.send(outsider, "/close 1")
    assert "/close" in reply["text"]  # an unknown command for people
    [reply] = await hotline.press(outsider, "tk:close:1", message_id=1)
    assert "no longer active" in reply["text"]
    api.push_text(outsider, "I am staff, honest", chat_id=-100999, message_thread_id=thread,
                  is_topic_message=True)
    await hotline.send(PERSON, "still there?")
    assert (await ticket_row(hotline)).status == "open"
    assert not [m for m in api.sent_messages(PERSON) if "honest" in (m.get("text") or "")]


async def test_forget_erases_the_person_and_tells_staff(hotline: TelegramHarness) -> None:
    """The ticket's topic is deleted with everything in it (staff answers and notes may name
    the person too); staff are told in the general topic which ticket it was."""
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    card = api.sent_messages(STAFF_CHAT, thread)[0]
    note = api.push_text(STAFF_USER, "/note Nino's lawyer is Giorgi", chat_id=STAFF_CHAT,
                         first_name="Tamar", message_thread_id=thread,
                         is_topic_message=True)["message"]
    kept = await wait_for_text(api, STAFF_CHAT, "Note kept", thread_id=thread)
    [confirm] = await hotline.send(PERSON, "/forget")
    [done] = await hotline.press_label(PERSON, confirm, "🗑 Yes, erase my data")
    assert "erased" in done["text"]
    told = await wait_for_text(api, STAFF_CHAT, "🗑", top_level=True, timeout=10)
    assert told["text"].startswith("#1 · ")
    await api.wait_for_call("deleteForumTopic")
    assert (STAFF_CHAT, thread) not in api._topics
    for message in (card, note, kept):
        assert api.message(STAFF_CHAT, message["message_id"]) is None
    ticket = await ticket_row(hotline)
    assert ticket.question == "[erased]" and ticket.status == "closed"
    assert ticket.staff_thread_id is None
    assert hotline.hub is not None
    async with hotline.hub.session_factory() as session:
        assert (await session.exec(select(Person).where(
            Person.external_id == str(PERSON)))).first() is None
        person = await session.get(Person, ticket.person_id)
    assert person is not None and person.display_name == "" and person.chat_id == ""
    assert person.active_ticket_id is None


async def test_forget_without_the_right_to_delete_topics_blanks_the_topic(
        hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    api.fail_next("deleteForumTopic", 400, "Bad Request: not enough rights to delete a topic")
    [confirm] = await hotline.send(PERSON, "/forget")
    await hotline.press_label(PERSON, confirm, "🗑 Yes, erase my data")
    await wait_for_text(api, STAFF_CHAT, "🗑", thread_id=thread, timeout=10)
    await api.wait_for_call("closeForumTopic")
    await api.wait_for_call("editForumTopic")
    assert api._topics[(STAFF_CHAT, thread)]["name"] == "#1 · erased"
    card = api.sent_messages(STAFF_CHAT, thread)[0]
    assert card["text"] == "#1 · erased"


async def test_the_question_never_reaches_the_logs(hotline: TelegramHarness,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    secret = "my landlord Giorgi Beridze threatens to evict us"
    await ask(hotline, question=secret)
    thread = await card_thread(hotline.api, STAFF_CHAT)
    await hotline.send(PERSON, secret + " again")
    await wait_for_text(hotline.api, STAFF_CHAT, thread_id=thread, needle="again")
    ours = [r for r in caplog.records if r.name.startswith(("bot", "handlers", "storage",
                                                            "sqlalchemy", "hubbot"))]
    assert not [r for r in ours if "Beridze" in r.getMessage()]
