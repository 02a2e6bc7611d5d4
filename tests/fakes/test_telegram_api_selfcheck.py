"""Self-check: the fake Bot API server works with a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
import pytest_asyncio
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler,
    filters,
)

from .telegram_api import FakeTelegramAPI

USER = 424242
GROUP = -1001234567890


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


def build_app(fake: FakeTelegramAPI) -> Application:
    """A tiny bot: echo, /start (HTML), /menu (inline keyboard), /doc (upload), document size reply."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            "<b>Welcome</b>, choose:", parse_mode=ParseMode.HTML,
            reply_markup=ReplyKeyboardMarkup([["FAQ", "Events"]], resize_keyboard=True))

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.bot_data.setdefault("seen", []).append(update.update_id)
        await update.effective_message.reply_text(update.effective_message.text)

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="menu:yes")]])
        await update.effective_message.reply_text("Proceed?", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Got it")
        await query.edit_message_text(f"You chose {query.data}")

    async def send_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_document(b"hello report", filename="report.txt", caption="Your report")

    async def got_doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await update.effective_message.document.get_file()
        data = await file.download_as_bytearray()
        await update.effective_message.reply_text(f"received {len(data)} bytes: {bytes(data).decode()}")

    app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
           .base_file_url(fake.base_file_url).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("doc", send_doc))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.Document.ALL, got_doc))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@asynccontextmanager
async def running(fake: FakeTelegramAPI) -> AsyncIterator[Application]:
    app = build_app(fake)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.mark.asyncio
async def test_echo_and_html_start(fake: FakeTelegramAPI) -> None:
    async with running(fake) as app:
        assert app.bot.username == "hub_test_bot"
        fake.push_text(USER, "/start")
        fake.push_text(USER, "hello there")
        first, second = await fake.wait_for_messages(USER, 2)
    assert first["text"] == "Welcome, choose:"
    assert first["entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    assert first["reply_markup"]["keyboard"] == [[{"text": "FAQ"}, {"text": "Events"}]]
    assert "reply_to_message" not in first  # PTB only quotes by default in groups
    assert second["text"] == "hello there"
    assert second["from"]["id"] == fake.bot_id and second["chat"]["type"] == "private"
    assert second["message_id"] == 4  # user 1, bot 2, user 3, bot 4
    assert fake.calls_to("getMe") and fake.calls_to("deleteWebhook")


@pytest.mark.asyncio
async def test_callback_query_answered_and_message_edited(fake: FakeTelegramAPI) -> None:
    async with running(fake):
        fake.push_text(USER, "/menu")
        [menu] = await fake.wait_for_messages(USER, 1)
        assert menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:yes"
        fake.push_callback(USER, "menu:yes", message_id=menu["message_id"])
        await fake.wait_for_call("editMessageText")
    assert fake.answered_callbacks[0]["text"] == "Got it"
    edited = fake.message(USER, menu["message_id"])
    assert edited is not None and edited["text"] == "You chose menu:yes"
    assert "reply_markup" not in edited and "edit_date" in edited


@pytest.mark.asyncio
async def test_document_upload_and_download(fake: FakeTelegramAPI) -> None:
    async with running(fake):
        fake.push_text(USER, "/doc")
        [doc] = await fake.wait_for_messages(USER, 1)
        fake.push_document(USER, "cv.txt", content=b"my cv")
        _, reply = await fake.wait_for_messages(USER, 2)
    assert doc["document"]["file_name"] == "report.txt" and doc["caption"] == "Your report"
    upload = fake.calls_to("sendDocument")[0]
    assert upload.files == {"document": b"hello report"} and upload.file_names["document"] == "report.txt"
    assert reply["text"] == "received 5 bytes: my cv"


@pytest.mark.asyncio
async def test_duplicate_update_is_redelivered(fake: FakeTelegramAPI) -> None:
    async with running(fake) as app:
        update = fake.push_text(USER, "once")
        await fake.wait_for_messages(USER, 1)
        fake.push_raw_duplicate(update)
        fake.push_text(USER, "twice")
        await fake.wait_for_messages(USER, 3)
        assert app.bot_data["seen"] == [update["update_id"], update["update_id"], update["update_id"] + 1]


@pytest.mark.asyncio
async def test_blocked_user_raises_forbidden(fake: FakeTelegramAPI) -> None:
    fake.block_user(USER)
    async with build_app(fake) as app:
        with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
            await app.bot.send_message(USER, "hi")
    assert fake.calls[-1].response["error_code"] == 403


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_and_configured_429(fake: FakeTelegramAPI) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    async with build_app(fake) as app:
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(USER, "hi")
        assert seconds(caught.value.retry_after) == 7
        await app.bot.send_message(USER, "hi again")  # only the next call failed
    assert fake.too_many_requests == 1

    async with FakeTelegramAPI(per_chat_rate=1, group_per_minute=2) as limited:
        async with build_app(limited) as app:
            await app.bot.send_message(USER, "one")
            await app.bot.send_message(USER + 1, "other chat is independent")
            with pytest.raises(RetryAfter) as caught:
                await app.bot.send_message(USER, "two")
            assert seconds(caught.value.retry_after) == 1
            await app.bot.send_message(GROUP, "g1")
            await app.bot.send_message(GROUP, "g2")
            with pytest.raises(RetryAfter) as caught:
                await app.bot.send_message(GROUP, "g3")
            assert 59 <= seconds(caught.value.retry_after) <= 60
        assert limited.too_many_requests == 2
        assert limited.calls[-1].response["parameters"]["retry_after"] == caught.value.retry_after


@pytest.mark.asyncio
async def test_forum_topics(fake: FakeTelegramAPI) -> None:
    fake.set_forum(GROUP, True)
    fake.set_forum(GROUP - 1, False, title="Plain")
    async with build_app(fake) as app:
        topic = await app.bot.create_forum_topic(GROUP, "Case #12 — Nino")
        assert topic.message_thread_id > 0 and topic.name == "Case #12 — Nino"
        sent = await app.bot.send_message(GROUP, "New case", message_thread_id=topic.message_thread_id)
        assert sent.is_topic_message and sent.chat.is_forum
        assert await app.bot.close_forum_topic(GROUP, topic.message_thread_id)
        with pytest.raises(BadRequest, match="(?i)the chat is not a forum"):
            await app.bot.create_forum_topic(GROUP - 1, "x")
        with pytest.raises(BadRequest, match="(?i)TOPIC_TITLE_TOO_LONG"):
            await app.bot.create_forum_topic(GROUP, "x" * 129)
        fake.delete_topic(GROUP, topic.message_thread_id)
        with pytest.raises(BadRequest, match="(?i)message thread not found"):
            await app.bot.send_message(GROUP, "late", message_thread_id=topic.message_thread_id)
    assert [m["text"] for m in fake.sent_messages(GROUP, thread_id=topic.message_thread_id)] == ["New case"]


@pytest.mark.asyncio
async def test_validation_like_telegram(fake: FakeTelegramAPI) -> None:
    async with build_app(fake) as app:
        bot = app.bot
        with pytest.raises(BadRequest, match="(?i)can't parse entities: Unsupported start tag \"br\""):
            await bot.send_message(USER, "a<br>b", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(USER, "1 < 2", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)Can't find end tag"):
            await bot.send_message(USER, "<b>open", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)Character '.' is reserved"):
            await bot.send_message(USER, "Hello.", parse_mode=ParseMode.MARKDOWN_V2)
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(USER, "x" * 4097)
        ok = await bot.send_message(USER, "<i>" + "x" * 4096 + "</i>", parse_mode=ParseMode.HTML)
        assert len(ok.text) == 4096  # length counts visible text only
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(USER, "   ")
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(USER, "hi", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("b", callback_data="x" * 65)]]))
        with pytest.raises(BadRequest, match="(?i)reply markup is too long"):
            await bot.send_message(USER, "hi", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(str(i), callback_data=str(i))] for i in range(101)]))
        with pytest.raises(BadRequest, match="(?i)caption is too long"):
            await bot.send_document(USER, b"x", filename="a.txt", caption="c" * 1025)
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("<i>" + "x" * 4096 + "</i>", chat_id=USER, message_id=ok.message_id,
                                        parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(USER, 999)
        fake.push_callback(USER, "cb", message_id=ok.message_id)
        query_id = fake._pending[-1]["callback_query"]["id"]
        with pytest.raises(BadRequest, match="(?i)MESSAGE_TOO_LONG"):
            await bot.answer_callback_query(query_id, text="t" * 201)
        assert await bot.answer_callback_query(query_id, text="fine")


@pytest.mark.asyncio
async def test_misc_methods(fake: FakeTelegramAPI) -> None:
    async with build_app(fake) as app:
        bot = app.bot
        await bot.set_my_commands([("start", "Start"), ("help", "Help")], language_code="ka")
        assert [c.command for c in await bot.get_my_commands(language_code="ka")] == ["start", "help"]
        assert await bot.get_my_commands() == ()
        chat = await bot.get_chat(USER)
        assert chat.type == "private"
        msg = await bot.send_photo(USER, b"\xff\xd8jpeg", caption="<b>pic</b>", parse_mode=ParseMode.HTML)
        assert msg.photo and msg.caption == "pic"
        copied = await bot.copy_message(GROUP, USER, msg.message_id)
        forwarded = await bot.forward_message(GROUP, USER, msg.message_id)
        assert forwarded.forward_origin.sender_user.id == fake.bot_id
        assert copied.message_id == 1 and forwarded.message_id == 2
        assert await bot.send_chat_action(USER, "typing")
        assert await bot.delete_message(USER, msg.message_id)
        assert fake.deleted_messages == [(USER, msg.message_id)]
        user_msg = fake.push_text(USER, "question?")["message"]
        answer = await bot.send_message(USER, "answer", reply_to_message_id=user_msg["message_id"])
        assert answer.reply_to_message.text == "question?"
        with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
            await bot.send_message(USER, "answer", reply_to_message_id=999)
        await bot.send_voice(USER, b"OggS", duration=2)
        assert fake.sent_messages(USER)[-1]["voice"]["duration"] == 2

    async with aiohttp.ClientSession() as session:  # raw HTTP: unknown method, JSON bodies, bad token
        async with session.post(f"{fake.base_url}{fake.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        body = {"chat_id": USER, "text": "json body", "reply_markup": json.dumps({"inline_keyboard": [[
            {"text": "a", "callback_data": "a"}]]})}
        async with session.post(f"{fake.base_url}{fake.token}/SENDMESSAGE", json=body) as resp:
            result = (await resp.json())["result"]
            assert result["text"] == "json body" and result["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
        async with session.get(f"{fake.base_url}999:WRONG/getMe") as resp:
            assert resp.status == 401


@pytest.mark.asyncio
async def test_long_poll_wakes_up_immediately(fake: FakeTelegramAPI) -> None:
    async with running(fake):
        await fake.wait_for_call("getUpdates")
        await asyncio.sleep(0.2)  # the poller is now parked in a 1 s long poll
        started = asyncio.get_running_loop().time()
        fake.push_text(USER, "ping")
        await fake.wait_for_messages(USER, 1, timeout=2)
        assert asyncio.get_running_loop().time() - started < 0.5
    with pytest.raises(AssertionError, match="(?i)expected 2 message"):
        await fake.wait_for_messages(USER, 2, timeout=0.1)


@pytest.mark.asyncio
async def test_form_fields_are_decoded_like_telegram(fake: FakeTelegramAPI) -> None:
    url = f"{fake.base_url}{fake.token}"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/sendMessage", data={"chat_id": "5", "text": "123"}) as resp:
            result = (await resp.json())["result"]
        assert result["text"] == "123" and result["chat"]["id"] == 5  # text stays a string, chat_id an int
        assert fake.calls[-1].params == {"chat_id": 5, "text": "123"}


@pytest.mark.asyncio
async def test_second_poller_gets_conflict_and_stop_releases_long_poll() -> None:
    fake = FakeTelegramAPI()
    await fake.start()
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        older = asyncio.create_task(session.post(url, data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        newer = asyncio.create_task(session.post(url, data={"timeout": "5"}))
        resp = await asyncio.wait_for(older, 2)
        assert resp.status == 409 and "terminated by other getUpdates" in (await resp.json())["description"]
        started = asyncio.get_running_loop().time()
        await fake.stop()
        resp = await asyncio.wait_for(newer, 2)
        assert resp.status == 200 and (await resp.json())["result"] == []
        assert asyncio.get_running_loop().time() - started < 1.5


@pytest.mark.asyncio
async def test_faults_html_late_outage_and_migration(fake: FakeTelegramAPI) -> None:
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as session:
        fake.fault_next("sendMessage", "html")
        async with session.post(url, data={"chat_id": USER, "text": "a"}) as resp:
            assert resp.status == 502 and "<html>" in await resp.text()
        assert fake.sent_messages(USER) == []  # nothing was done

        fake.fault_next("sendMessage", "late", seconds=0.5)
        started = asyncio.get_running_loop().time()
        async with session.post(url, data={"chat_id": USER, "text": "b"}) as resp:
            assert resp.status == 200
        assert asyncio.get_running_loop().time() - started >= 0.5
        assert [m["text"] for m in fake.sent_messages(USER)] == ["b"]

        fake.fault_next("sendMessage", "silent")
        with pytest.raises(asyncio.TimeoutError):
            async with session.post(url, data={"chat_id": USER, "text": "c"},
                                    timeout=aiohttp.ClientTimeout(total=0.5)):
                pass
        assert [m["text"] for m in fake.sent_messages(USER)] == ["b", "c"]  # done, answer lost

        fake.outage(60)
        async with session.post(url, data={"chat_id": USER, "text": "d"}) as resp:
            assert resp.status == 502
        fake.end_outage()
        fake.fail_next("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                       migrate_to_chat_id=-100777)
        async with session.post(url, data={"chat_id": USER, "text": "e"}) as resp:
            body = await resp.json()
            assert resp.status == 400 and body["parameters"] == {"migrate_to_chat_id": -100777}


@pytest.mark.asyncio
async def test_a_fault_for_one_chat_leaves_the_other_chats_alone(fake: FakeTelegramAPI) -> None:
    url = f"{fake.base_url}{fake.token}/sendMessage"
    fake.fault_next("sendMessage", "late", seconds=0.5, chat_id=USER + 1)
    async with aiohttp.ClientSession() as session:
        started = asyncio.get_running_loop().time()
        async with session.post(url, data={"chat_id": USER, "text": "a"}) as resp:
            assert resp.status == 200
        assert asyncio.get_running_loop().time() - started < 0.5  # not the faulty chat
        async with session.post(url, data={"chat_id": USER + 1, "text": "b"}) as resp:
            assert resp.status == 200
        assert asyncio.get_running_loop().time() - started >= 0.5  # that one answers late
