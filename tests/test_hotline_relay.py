"""The hotline between a person and staff: the question reaches a topic of the staff chat
verbatim (or a reply thread without topics), answers and follow-ups travel both ways, once and
in order, also when a topic was deleted, the person blocked the bot or a second process runs."""

from __future__ import annotations

import asyncio

from bot.app import create_app
from bot.assembly import open_telegram
from bot.settings import Settings
from scheduler import HubScheduler
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.hotline_steps import (
    PERSON,
    QUESTION,
    STAFF_CHAT,
    STAFF_USER,
    ask,
    card_recorded,
    staff_says,
    ticket_row,
)
from tests.telegram_harness import (
    TelegramHarness,
    buttons,
    card_thread,
    staff_harness,
    wait_for_text,
)


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


async def test_a_staff_photo_reaches_the_person_as_a_copy(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    api.push_photo(STAFF_USER, caption="the form to fill in", chat_id=STAFF_CHAT,
                   message_thread_id=thread, is_topic_message=True)
    copied = await wait_for_text(api, PERSON, "the form to fill in")
    assert "photo" in copied and "forward_origin" not in copied


async def test_staff_are_told_when_the_person_blocked_the_bot(hotline: TelegramHarness) -> None:
    api = hotline.api
    await ask(hotline)
    thread = await card_thread(api, STAFF_CHAT)
    api.block_user(PERSON)
    await staff_says(hotline, "Here is our answer.", thread=thread)
    warning = await wait_for_text(api, STAFF_CHAT, "⚠️", thread_id=thread)
    assert "blocked" in warning["text"] or "დაბლოკ" in warning["text"]


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


async def _topic_made_for_ticket(api: FakeTelegramAPI, number: int = 1) -> int:
    """The thread of ticket #`number`'s topic as soon as Telegram has made it (before the bot
    has its answer)."""
    for _ in range(200):
        made = [thread for (chat, thread), topic in api._topics.items()
                if chat == STAFF_CHAT and topic["name"].startswith(f"#{number} · ")]
        if made:
            return made[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no topic for ticket #{number}")


async def test_a_reply_in_the_topic_before_the_bot_has_recorded_it_reaches_the_person(
        hotline: TelegramHarness) -> None:
    api = hotline.api
    api.fault_next("createForumTopic", "late", seconds=2)  # made at once, answered late
    await ask(hotline)
    thread = await _topic_made_for_ticket(api)
    await staff_says(hotline, "Hello Nino, we are reading your question.", thread=thread)
    await staff_says(hotline, "Coffee, anyone?")  # staff among themselves, meanwhile,
    await staff_says(hotline, "Lunch at one?", thread=thread + 1000)  # also in their own topic
    answer = await wait_for_text(api, PERSON, "we are reading your question", timeout=15)
    assert answer["text"] == "Hello Nino, we are reading your question."
    ticket = await ticket_row(hotline)
    assert ticket.staff_thread_id == thread and ticket.first_staff_reply_at is not None
    await hotline.send(PERSON, "Thank you!")  # the open-ticket mode: it goes to the topic
    await wait_for_text(api, STAFF_CHAT, "Thank you!", thread_id=thread)
    assert not [m for m in api.sent_messages(PERSON) if "Coffee" in (m.get("text") or "")
                or "Lunch" in (m.get("text") or "")]
    assert not [m for m in api.sent_messages(STAFF_CHAT) if "⚠️" in (m.get("text") or "")]


async def test_a_reply_to_the_card_before_the_bot_has_recorded_it_reaches_the_person(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    bot = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False)
    await bot.start()
    try:
        telegram_api.fault_next("sendMessage", "late", seconds=2, chat_id=STAFF_CHAT)  # the card
        await ask(bot)
        [card] = await telegram_api.wait_for_messages(STAFF_CHAT, 1)
        await staff_says(bot, "Please send us the contract.", reply_to=card["message_id"])
        await wait_for_text(telegram_api, PERSON, "send us the contract", timeout=15)
        assert (await ticket_row(bot)).staff_card_message_id == card["message_id"]
    finally:
        await bot.stop()
