"""Steps a person takes with the hotline, shared by the inbox's tests."""

from __future__ import annotations

from tests.telegram_harness import TelegramHarness

QUESTION = "Can our NGO rent the hall for a training?"


async def ask(bot: TelegramHarness, user: int, question: str = QUESTION, *,
              subject: str = "⚖️ Legal help", place: str = "Kutaisi", name: str = "Nino",
              photo: bytes | None = None, document: bytes | None = None) -> None:
    """A person goes through /ask (one message per line of `question`, optionally a photo or a
    document first) and gets their ticket number."""
    [topics] = await bot.send(user, "/ask", first_name=name)
    [places] = await bot.press_label(user, topics, subject, first_name=name)
    await bot.press_label(user, places, place, first_name=name)
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
    [done] = await bot.press_label(user, summary, "📨 Send", first_name=name)
    assert "Your question is #" in done["text"]
