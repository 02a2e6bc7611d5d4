"""After /forget nothing of the person is left: every table of the database, the staff chat, logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, staff_harness, wait_for_text

STAFF_CHAT = -1003100
STAFF_USER = 913
PERSON = 77712345
NAME, SURNAME = "Zurabiko", "Kvaratsxelia"
PHONE_DIGITS = "599712345"
QUESTION = "Our group Mtsvane-Kalaki needs help with a lease for the Tskaltubo office"
FAQ_QUESTION = "where is your office, asks Zurabiko from Tskaltubo"
# what must be gone: name, surname, phone, the question's own words, the platform ids
TRACES = (NAME, SURNAME, PHONE_DIGITS, "Mtsvane", FAQ_QUESTION, str(PERSON))


async def dump(bot: TelegramHarness) -> str:
    """Every row of every table, as text."""
    assert bot.hub is not None
    engine = bot.hub.database.engine
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = (await connection.execute(text(
                "select name from sqlite_master where type = 'table'"))).scalars().all()
        else:
            names = (await connection.execute(text(
                "select tablename from pg_tables where schemaname = 'public'"))).scalars().all()
        rows = []
        for name in names:
            rows += [f"{name}: {tuple(row)}" for row in
                     (await connection.execute(text(f'select * from "{name}"'))).all()]
    return "\n".join(rows)


def staff_chat_now(api: FakeTelegramAPI) -> str:
    """What the staff chat shows now: messages not deleted, and topic names."""
    shown = [api.message(STAFF_CHAT, m["message_id"]) for m in api.sent_messages(STAFF_CHAT)]
    texts = [str((m or {}).get("text") or (m or {}).get("caption") or "") for m in shown if m]
    names = [t["name"] for (chat, _), t in api._topics.items() if chat == STAFF_CHAT]
    return "\n".join(texts + names)


async def test_forget_leaves_nothing_of_the_person_anywhere(
        telegram_api: FakeTelegramAPI, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the bot's own logs at their most talkative; libraries
    for noisy in ("telegram", "aiosqlite", "httpx", "httpcore"):  # as `hubbot run` sets them
        caplog.set_level(logging.WARNING, logger=noisy)
    api = telegram_api
    bot = staff_harness(api, settings, STAFF_CHAT)
    await bot.start()
    who = {"first_name": f"{NAME} {SURNAME}"}
    try:
        await bot.send(PERSON, FAQ_QUESTION, **who)
        [topics] = await bot.send(PERSON, "/ask", **who)
        [places] = await bot.press_label(PERSON, topics, "⚖️ Legal help", **who)
        [prompt] = await bot.press_label(PERSON, places, "Tskaltubo", **who)
        await bot.send(PERSON, QUESTION, **who)
        before = len(api.sent_messages(PERSON))
        api.push_photo(PERSON, caption="lease draft of Mtsvane-Kalaki", **who)
        [got] = (await api.wait_for_messages(PERSON, before + 1))[before:]
        [way] = await bot.press_label(PERSON, got, "✅ Done", **who)
        [phone] = await bot.press_label(PERSON, way, "📞 By phone", **who)
        before = len(api.sent_messages(PERSON))
        api.push_contact(PERSON, f"+995{PHONE_DIGITS}", **who)
        consent = (await api.wait_for_messages(PERSON, before + 2))[-1]
        [summary] = await bot.press_label(PERSON, consent, "✅ I agree", **who)
        await bot.press_label(PERSON, summary, "📨 Send", **who)
        card = await wait_for_text(api, STAFF_CHAT, QUESTION, timeout=15)
        thread = card["message_thread_id"]
        await wait_for_text(api, STAFF_CHAT, "lease draft", thread_id=thread, timeout=15)
        api.push_text(STAFF_USER, "We will call you tomorrow at 11.", chat_id=STAFF_CHAT,
                      first_name="Tamar", is_topic_message=True, message_thread_id=thread)
        await wait_for_text(api, PERSON, "call you tomorrow", timeout=15)
        await bot.send(PERSON, "and one more thing about Mtsvane-Kalaki", **who)
        await wait_for_text(api, STAFF_CHAT, "one more thing", thread_id=thread, timeout=15)
        assert NAME in staff_chat_now(api) and NAME in await dump(bot)  # the test can see them

        [confirm] = await bot.send(PERSON, "/forget", **who)
        [done] = await bot.press_label(PERSON, confirm, "🗑 Yes, erase my data", **who)
        assert "erased" in done["text"]
        await api.wait_for_call("deleteForumTopic", timeout=15)  # with everything in it
        await wait_for_text(api, STAFF_CHAT, "🗑", top_level=True, timeout=15)

        database, staff_chat = await dump(bot), staff_chat_now(api)
        for trace in TRACES:
            assert trace not in database, trace
            assert trace not in staff_chat, trace
        assert "We will call you tomorrow" not in staff_chat  # staff answers went with it
        for trace in (NAME, SURNAME, QUESTION, "Mtsvane", PHONE_DIGITS):
            assert trace not in caplog.text, trace
    finally:
        await bot.stop()
