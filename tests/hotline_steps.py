"""The hotline in tests: the steps a person takes through /ask, what a staff member writes in
the forum staff chat, and the ticket as stored. The `hotline` fixture (tests/conftest.py) runs
the bot with this staff chat (topics on)."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from handlers.hotline import SUMMARY_QUESTION
from storage.models_hotline import Ticket
from tests.telegram_harness import TelegramHarness

STAFF_CHAT = -1001000  # a forum: each ticket gets its own topic
STAFF_USER = 900
PERSON = 7001
QUESTION = "Is <b>this</b> contract legal & fair? <script>"  # must arrive verbatim


async def ask(bot: TelegramHarness, user: int = PERSON, question: str = QUESTION, *,
              subject: str = "⚖️ Legal help", place: str = "Kutaisi", name: str = "Nino",
              photo: bytes | None = None, document: bytes | None = None,
              restart_midway: bool = False) -> dict:
    """A person goes through /ask (one message per line of `question`, optionally a photo or a
    document first; the bot restarted before the question if asked), answer in the chat,
    consent, send; the bot's last answer, with the ticket number."""
    [topics] = await bot.send(user, "/ask", first_name=name)
    [places] = await bot.press_label(user, topics, subject, first_name=name)
    [prompt] = await bot.press_label(user, places, place, first_name=name)
    assert "Write your question" in prompt["text"]
    if restart_midway:
        await bot.restart()
    if photo is not None:
        before = len(bot.api.sent_messages(user))
        bot.api.push_photo(user, caption="the hall plan", content=photo, first_name=name)
        await bot.api.wait_for_messages(user, before + 1)
    if document is not None:
        before = len(bot.api.sent_messages(user))
        bot.api.push_document(user, "statute.pdf", content=document, first_name=name)
        await bot.api.wait_for_messages(user, before + 1)
    for part in question.split("\n"):
        [got] = await bot.send(user, part, first_name=name)
    [way] = await bot.press_label(user, got, "✅ Done", first_name=name)
    [consent] = await bot.press_label(user, way, "💬 Here in the chat", first_name=name)
    [summary] = await bot.press_label(user, consent, "✅ I agree", first_name=name)
    assert question[:SUMMARY_QUESTION] in summary["text"]  # verbatim (a long one, its start)
    [done] = await bot.press_label(user, summary, "📨 Send", first_name=name)
    assert "Your question is #" in done["text"]
    return done


async def staff_says(bot: TelegramHarness, text: str, *, thread: int | None = None,
                     reply_to: int | None = None) -> None:
    """A staff member writes in the staff chat (in a topic, or as a reply)."""
    bot.api.push_text(STAFF_USER, text, chat_id=STAFF_CHAT, first_name="Tamar",
                      message_thread_id=thread, is_topic_message=thread is not None,
                      reply_to_message_id=reply_to)


async def ticket_row(bot: TelegramHarness, number: int = 1) -> Ticket:
    """Ticket #`number` as stored now."""
    assert bot.hub is not None
    async with bot.hub.session_factory() as session:
        ticket = await session.get(Ticket, number)
    assert ticket is not None
    return ticket


async def card_recorded(bot: TelegramHarness, message_id: int) -> None:
    """Wait until the ticket knows its card (the card is sent first, then recorded)."""
    assert bot.hub is not None
    for _ in range(200):
        async with bot.hub.session_factory() as session:
            found = (await session.exec(select(Ticket).where(
                Ticket.staff_card_message_id == message_id))).first()
        if found is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no ticket recorded card {message_id}")
