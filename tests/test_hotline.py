"""The hotline end to end: a person asks, staff answer from their Telegram group, both ways."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import create_app
from bot.assembly import open_telegram
from bot.settings import Settings
from scheduler import HubScheduler
from storage.models import Person
from storage.models_hotline import Ticket, TicketMessage
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import (
    TelegramHarness,
    buttons,
    card_thread,
    staff_harness,
    wait_for_text,
)

STAFF_CHAT = -1001000
STAFF_USER = 900
PERSON = 7001
QUESTION = "Is <b>this</b> contract legal & fair? <script>"


@pytest.fixture
async def hotline(telegram_api: FakeTelegramAPI, settings: Settings) -> AsyncIterator[TelegramHarness]:
    """The bot with a forum staff chat."""
    harness = staff_harness(telegram_api, settings, STAFF_CHAT)
    await harness.start()
    yield harness
    await harness.stop()


async def ask(bot: TelegramHarness, user: int = PERSON, question: str = QUESTION,
              *, restart_midway: bool = False) -> dict:
    """Go through /ask: legal, Kutaisi, the question, answer in chat, consent, send."""
    [topics] = await bot.send(user, "/ask", first_name="Nino")
    [places] = await bot.press_label(user, topics, "⚖️ Legal help", first_name="Nino")
    [prompt] = await bot.press_label(user, places, "Kutaisi", first_name="Nino")
    assert "Write your question" in prompt["text"]
    if restart_midway:
        await bot.restart()
    [got] = await bot.send(user, question, first_name="Nino")
    [way] = await bot.press_label(user, got, "✅ Done", first_name="Nino")
    [consent] = await bot.press_label(user, way, "💬 Here in the chat", first_name="Nino")
    [summary] = await bot.press_label(user, consent, "✅ I agree", first_name="Nino")
    assert question in summary["text"]
    [done] = await bot.press_label(user, summary, "📨 Send", first_name="Nino")
    return done


async def staff_says(bot: TelegramHarness, text: str, *, thread: int | None = None,
                     reply_to: int | None = None) -> None:
    """A staff member writes in the staff chat (in a topic, or as a reply)."""
    bot.api.push_text(STAFF_USER, text, chat_id=STAFF_CHAT, first_name="Tamar",
                      message_thread_id=thread, is_topic_message=thread is not None,
                      reply_to_message_id=reply_to)


async def ticket_row(bot: TelegramHarness, number: int = 1) -> Ticket:
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        ticket = await session.get(Ticket, number)
    assert ticket is not None
    return ticket


async def test_question_reaches_a_topic_verbatim_and_answers_travel_both_ways(
        hotline: TelegramHarness) -> None:
    api = hotline.api
    done = await ask(hotline)
    assert "#1" in done["text"]
    topic = await api.wait_for_call("createForumTopic")
    thread = topic.response["result"]["message_thread_id"]
    assert topic.params["name"].startswith("#1 · ") and "Kutaisi" in topic.params["name"]
    [card] = await api.wait_for_messages(STAFF_CHAT, 1)
    assert card["message_thread_id"] == thread
    assert QUESTION in card["text"]  # verbatim: nothing parsed, nothing escaped away
    assert "Nino" in card["text"]

    await staff_says(hotline, "Yes, it is legal. Bring the contract to the office.", thread=thread)
    answer = await wait_for_text(api, PERSON, "Bring the contract")
    assert "Bring the contract" in answer["text"]

    [ack] = await hotline.send(PERSON, "Thanks! It is a rental contract.")
    assert "#1" in ack["text"]
    relayed = await wait_for_text(api, STAFF_CHAT, "rental contract", thread_id=thread)
    assert relayed["message_thread_id"] == thread

    await staff_says(hotline, "/close", thread=thread)
    closing = await wait_for_text(api, PERSON, "closed your question #1")
    await api.wait_for_call("closeForumTopic")
    [thanks] = await hotline.press_label(PERSON, closing, "5 ⭐")
    assert "rating" in thanks["text"]
    ticket = await ticket_row(hotline)
    assert ticket.status == "closed" and ticket.rating == 5
    assert ticket.first_staff_reply_at is not None
    assert len(api.calls_to("createForumTopic")) == 1






async def card_recorded(bot: TelegramHarness, message_id: int) -> None:
    """Wait until the ticket knows its card (the card is sent first, then recorded)."""
    for _ in range(200):
        async with bot.hub.session_factory() as session:
            found = (await session.exec(select(Ticket).where(
                Ticket.staff_card_message_id == message_id))).first()
        if found is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no ticket recorded card {message_id}")


async def test_staff_chat_without_topics_uses_reply_threads(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    bot = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False)
    await bot.start()
    try:
        await ask(bot)
        [card] = await telegram_api.wait_for_messages(STAFF_CHAT, 1)
        assert "message_thread_id" not in card and QUESTION in card["text"]
        await card_recorded(bot, card["message_id"])  # as a person would: after the card is there
        await staff_says(bot, "Please send us the contract.", reply_to=card["message_id"])
        await wait_for_text(telegram_api, PERSON, "send us the contract")
        await bot.send(PERSON, "Here is what it says: ...")
        for _ in range(100):
            follow = [m for m in telegram_api.sent_messages(STAFF_CHAT)
                      if "what it says" in (m.get("text") or "")]
            if follow:
                break
            await asyncio.sleep(0.05)
        assert follow and follow[0]["reply_to_message"]["message_id"] == card["message_id"]
        await staff_says(bot, "/close", reply_to=card["message_id"])
        await wait_for_text(telegram_api, PERSON, "closed your question #1")
    finally:
        await bot.stop()


async def test_a_deleted_topic_is_recreated_with_the_summary(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    first = await api.wait_for_call("createForumTopic")
    thread = first.response["result"]["message_thread_id"]
    api.delete_topic(STAFF_CHAT, thread)
    await hotline.send(PERSON, "Any news about my question?")
    second = await api.wait_for_call("createForumTopic", since=api.calls.index(first) + 1)
    new_thread = second.response["result"]["message_thread_id"]
    assert new_thread != thread
    card = await wait_for_text(api, STAFF_CHAT, QUESTION, thread_id=new_thread)
    assert "deleted" in card["text"]
    await wait_for_text(api, STAFF_CHAT, "Any news", thread_id=new_thread)
    await staff_says(hotline, "We are working on it.", thread=new_thread)
    await wait_for_text(api, PERSON, "working on it")


async def test_staff_are_told_when_the_person_blocked_the_bot(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    api.block_user(PERSON)
    await staff_says(hotline, "Here is our answer.", thread=thread)
    warning = await wait_for_text(api, STAFF_CHAT, "⚠️", thread_id=thread)
    assert "blocked" in warning["text"] or "დაბლოკ" in warning["text"]


async def test_a_half_finished_question_survives_a_restart(hotline: TelegramHarness) -> None:
    done = await ask(hotline, restart_midway=True)
    assert "#1" in done["text"]
    ticket = await ticket_row(hotline)
    assert ticket.question == QUESTION and ticket.municipality == "kutaisi"


async def test_quick_follow_ups_and_a_second_process_open_one_topic(
        hotline: TelegramHarness, settings: Settings) -> None:
    api = hotline.api
    [topics] = await hotline.send(PERSON, "/ask")
    [places] = await hotline.press_label(PERSON, topics, "⚖️ Legal help")
    [_prompt] = await hotline.press_label(PERSON, places, "Kutaisi")
    [got] = await hotline.send(PERSON, "first part")
    [way] = await hotline.press_label(PERSON, got, "✅ Done")
    [consent] = await hotline.press_label(PERSON, way, "💬 Here in the chat")
    [summary] = await hotline.press_label(PERSON, consent, "✅ I agree")
    # press Send and write twice at once; a second bot process publishes the same ticket too
    api.push_callback(PERSON, buttons(summary)["📨 Send"], message_id=summary["message_id"])
    api.push_text(PERSON, "second part")
    api.push_text(PERSON, "third part")
    # On PostgreSQL a second process drains the same outbox at the same time (SQLite serves
    # one process: `hubbot run` refuses to share it).
    second = settings.database_url.startswith("postgresql")
    other = await create_app(hotline.settings, migrate=False) if second else None
    other_worker = None
    if other is not None:
        open_telegram(other)  # this second process's staff desk, as `hubbot run` wires it
        other_worker = HubScheduler(other)
        other_worker.start()
    try:
        thread = await card_thread(api, STAFF_CHAT)
        await wait_for_text(api, STAFF_CHAT, "second part", thread_id=thread)
        await wait_for_text(api, STAFF_CHAT, "third part", thread_id=thread)
    finally:
        if other_worker is not None and other is not None:
            await other_worker.stop()
            await other.close()
    assert len(api.calls_to("createForumTopic")) == 1
    staff_texts = [m.get("text") or "" for m in api.sent_messages(STAFF_CHAT, thread)]
    assert sum("second part" in t for t in staff_texts) == 1  # each message once, in order
    assert staff_texts.index("second part") < staff_texts.index("third part")


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
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    [confirm] = await hotline.send(PERSON, "/forget")
    [done] = await hotline.press_label(PERSON, confirm, "🗑 Yes, erase my data")
    assert "erased" in done["text"]
    await wait_for_text(api, STAFF_CHAT, "🗑", thread_id=thread)
    await api.wait_for_call("closeForumTopic")
    ticket = await ticket_row(hotline)
    assert ticket.question == "[erased]" and ticket.status == "closed"
    assert hotline.hub is not None
    async with hotline.hub.session_factory() as session:
        assert (await session.exec(select(Person).where(
            Person.external_id == str(PERSON)))).first() is None
        person = await session.get(Person, ticket.person_id)
    assert person is not None and person.display_name == "" and person.chat_id == ""
    assert person.active_ticket_id is None
    await api.wait_for_call("editForumTopic")
    assert api._topics[(STAFF_CHAT, thread)]["name"] == "#1 · erased"
    card = api.sent_messages(STAFF_CHAT, thread)[0]
    assert card["text"] == "#1 · erased"


async def test_photos_and_phone_call_requests_reach_staff(hotline: TelegramHarness) -> None:
    api = hotline.api
    [topics] = await hotline.send(PERSON, "/ask")
    [places] = await hotline.press_label(PERSON, topics, "📝 Project writing")
    [_prompt] = await hotline.press_label(PERSON, places, "Vani")
    before = len(api.sent_messages(PERSON))
    api.push_photo(PERSON, caption="our budget table")
    [got] = (await api.wait_for_messages(PERSON, before + 1))[before:]
    [got] = await hotline.send(PERSON, "Can you check our budget?")
    [way] = await hotline.press_label(PERSON, got, "✅ Done")
    [ask_phone] = await hotline.press_label(PERSON, way, "📞 By phone")
    keyboard = ask_phone["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    [again] = await hotline.send(PERSON, "call me maybe")  # the error and the question again
    assert "Georgian phone number" in again["text"]
    before = len(api.sent_messages(PERSON))
    api.push_contact(PERSON, "+995555123456")
    [noted, consent] = (await api.wait_for_messages(PERSON, before + 2))[before:]
    assert noted["reply_markup"] == {"remove_keyboard": True}  # the phone keyboard goes away
    [summary] = await hotline.press_label(PERSON, consent, "✅ I agree")
    assert "+995555123456" in summary["text"]
    await hotline.press_label(PERSON, summary, "📨 Send")
    thread = await card_thread(api, STAFF_CHAT)
    card = await wait_for_text(api, STAFF_CHAT, "Can you check our budget?", thread_id=thread)
    assert "+995555123456" in card["text"]
    await api.wait_for_call("copyMessage", lambda c: c.params.get("chat_id") == STAFF_CHAT,
                            timeout=15)  # the photo follows its card as a copy
    [photo] = [m for m in api.sent_messages(STAFF_CHAT, thread) if "photo" in m]
    assert photo.get("caption") == "our budget table"


async def test_a_staff_photo_reaches_the_person_as_a_copy(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    api.push_photo(STAFF_USER, caption="the form to fill in", chat_id=STAFF_CHAT,
                   message_thread_id=thread, is_topic_message=True)
    copied = await wait_for_text(api, PERSON, "the form to fill in")
    assert "photo" in copied and "forward_origin" not in copied




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


async def test_working_hours_tell_when_the_answer_comes(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    bot = staff_harness(telegram_api, settings, STAFF_CHAT,
                        hotline_hours="sun-sat 00:00-00:01")  # closed nearly all day
    await bot.start()
    try:
        done = await ask(bot)
        assert "outside working hours" in done["text"]
    finally:
        await bot.stop()


async def test_a_question_typed_right_after_ask_reaches_staff_verbatim(
        hotline: TelegramHarness) -> None:
    api = hotline.api
    question = "Our association needs advice on a rental contract"
    await hotline.send(PERSON, "/ask", first_name="Nino")
    [kept] = await hotline.send(PERSON, question)
    assert "kept that as your question" in kept["text"] and "about?" in kept["text"]
    [_places] = await hotline.send(PERSON, "legal")
    [prompt] = await hotline.send(PERSON, "Kutaisi")
    assert question in prompt["text"] and "✅ Done" in buttons(prompt)
    [_way] = await hotline.send(PERSON, "done")
    [_consent] = await hotline.send(PERSON, "1")  # in the chat
    [_summary] = await hotline.send(PERSON, "ok")
    [done] = await hotline.send(PERSON, "send")
    assert "#1" in done["text"]
    thread = (await api.wait_for_call("createForumTopic")).response["result"]["message_thread_id"]
    card = await wait_for_text(api, STAFF_CHAT, question, thread_id=thread)
    assert card["text"].endswith("\n\n" + question)
    assert (await ticket_row(hotline)).question == question


async def test_an_unanswered_faq_question_is_carried_to_the_hotline(
        hotline: TelegramHarness) -> None:
    question = "My grant partner in Vani has not paid the second tranche"
    [unsure] = await hotline.send(PERSON, question)
    [topics] = await hotline.press_label(PERSON, unsure, "🙋 Talk to a person")
    assert question in topics["text"] and "⚖️ Legal help" in buttons(topics)
    [places] = await hotline.press_label(PERSON, topics, "⚖️ Legal help")
    [prompt] = await hotline.press_label(PERSON, places, "Vani")
    assert question in prompt["text"]
    [way] = await hotline.press_label(PERSON, prompt, "✅ Done")
    [consent] = await hotline.press_label(PERSON, way, "💬 Here in the chat")
    [summary] = await hotline.press_label(PERSON, consent, "✅ I agree")
    await hotline.press_label(PERSON, summary, "📨 Send")
    assert (await ticket_row(hotline)).question == question


async def test_a_long_question_is_kept_whole_and_staff_get_all_of_it(
        hotline: TelegramHarness) -> None:
    api = hotline.api
    first, second = "ა" * 3500 + " END-ONE", "ბ" * 3500 + " END-TWO"
    [topics] = await hotline.send(PERSON, "/ask")
    [places] = await hotline.press_label(PERSON, topics, "⚖️ Legal help")
    [_prompt] = await hotline.press_label(PERSON, places, "Kutaisi")
    [got] = await hotline.send(PERSON, first)
    assert "Got it" in got["text"]
    [got] = await hotline.send(PERSON, second)
    [way] = await hotline.press_label(PERSON, got, "✅ Done")
    [consent] = await hotline.press_label(PERSON, way, "💬 Here in the chat")
    [summary] = await hotline.press_label(PERSON, consent, "✅ I agree")
    await hotline.press_label(PERSON, summary, "📨 Send")
    assert (await ticket_row(hotline)).question == first + "\n" + second
    thread = (await api.wait_for_call("createForumTopic")).response["result"]["message_thread_id"]
    await wait_for_text(api, STAFF_CHAT, "END-TWO", thread_id=thread)
    staff = "".join((m.get("text") or "") for m in api.sent_messages(STAFF_CHAT, thread))
    assert "END-ONE" in staff and staff.count("ა") == 3500 and staff.count("ბ") == 3500
    assert all(len(m.get("text") or "") <= 4096 for m in api.sent_messages(STAFF_CHAT, thread))


async def test_with_a_ticket_open_start_returns_to_the_bot(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = (await api.wait_for_call("createForumTopic")).response["result"]["message_thread_id"]
    [told] = await hotline.send(PERSON, "One more detail: the contract is from 2021.")
    assert "You are writing to the hub team (#1)" in told["text"]
    api.push_text(PERSON, "And it has no end date.")  # said once: no second notice
    await wait_for_text(api, STAFF_CHAT, "no end date", thread_id=thread)
    await hotline.send(PERSON, "/start", expect=2)
    [answer] = await hotline.send(PERSON, "Where is your office?")
    assert "Tsereteli" in answer["text"]
    assert not [m for m in api.sent_messages(STAFF_CHAT, thread)
                if "Where is your office" in (m.get("text") or "")]
    assert not [m for m in api.sent_messages(PERSON) if "writing to the hub team" in
                (m.get("text") or "")][1:]
    await staff_says(hotline, "Did you sign it?", thread=thread)
    await wait_for_text(api, PERSON, "Did you sign it?")
    [told] = await hotline.send(PERSON, "Yes, both of us signed.")  # an answer goes to staff
    assert "You are writing to the hub team (#1)" in told["text"]
    await wait_for_text(api, STAFF_CHAT, "both of us signed", thread_id=thread)


async def test_a_command_mid_ask_keeps_a_draft(hotline: TelegramHarness) -> None:
    [topics] = await hotline.send(PERSON, "/ask")
    [_places] = await hotline.press_label(PERSON, topics, "⚖️ Legal help")
    hotline.api.push_text(PERSON, "/help")
    hotline.api.push_text(PERSON, "Where is your office?")
    note = await wait_for_text(hotline.api, PERSON, "saved as a draft")
    assert "/ask" in note["text"]
    await wait_for_text(hotline.api, PERSON, "Tsereteli")
    [_offer] = await hotline.send(PERSON, "/ask")
    [continued] = await hotline.send(PERSON, "კი")
    assert "municipality" in continued["text"]
