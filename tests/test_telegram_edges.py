"""End to end on Telegram: ordering under load, long payloads, updates the core must ignore."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.settings import Settings
from handlers import FEATURES
from storage.models import FaqFeedback
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, buttons

USER = 5001


async def test_a_chat_stays_in_order_when_messages_keep_arriving(telegram: TelegramHarness) -> None:
    questions = ["Where is your office?", "who funds the hub?", "hello"] * 4
    for i, question in enumerate(questions):
        telegram.api.push_text(USER, question)
        await asyncio.sleep(0.003 * (i % 3))  # arrive while earlier ones are being handled
    replies = await telegram.api.wait_for_messages(USER, len(questions), timeout=20)
    expected = ["Tsereteli", "European Union", "How can I help"] * 4
    for reply, marker in zip(replies, expected, strict=True):
        assert marker in reply["text"]


async def test_votes_on_browsed_answers_are_kept_apart(telegram: TelegramHarness) -> None:
    for topic in ("hub_about", "office_location"):
        [answer] = await telegram.press(USER, f"faq:t:{topic}", message_id=1)
        await telegram.press_label(USER, answer, "👎 Not helpful")
        await telegram.send(USER, "/cancel")
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        votes = (await session.exec(select(FaqFeedback).order_by(FaqFeedback.id))).all()
    assert [(v.topic_id, v.helpful) for v in votes] == [
        ("hub_about", False), ("office_location", False)]


async def test_a_question_typed_after_not_helpful_is_answered_too(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(USER, "Where is your office?")
    await telegram.press_label(USER, answer, "👎 Not helpful")
    replies = await telegram.send(USER, "who funds the hub?", expect=2)
    assert "improve" in replies[0]["text"]
    assert "European Union" in replies[1]["text"]


async def test_huge_numbers_in_buttons_are_stale_not_errors(telegram: TelegramHarness) -> None:
    for data in ("~99999999999999999999", "fb:y:99999999999999999999:office_location", "~²"):
        [reply] = await telegram.press(USER, data, message_id=1)
        assert "no longer active" in reply["text"]


async def test_long_text_is_answered_not_failed(telegram: TelegramHarness) -> None:
    [reply] = await telegram.send(USER, "where is the office? " + "please " * 600)
    assert "try again" not in reply["text"]


async def test_group_edited_and_service_messages_get_no_reply(telegram: TelegramHarness) -> None:
    api = telegram.api
    api.push_text(USER, "Where is your office?", chat_id=-100500)  # a group the bot is in
    api.push_update({"edited_message": {
        "message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "T"}, "edit_date": 1,
        "text": "Where is your office?"}})
    api.push_update({"message": {
        "message_id": 2, "date": 0, "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "T"},
        "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"}}}})
    [marker] = await telegram.send(USER, "hello")
    assert "How can I help" in marker["text"]
    assert len(api.sent_messages(USER)) == 1
    assert not api.sent_messages(-100500)


async def _long_buttons(turn: Turn) -> None:
    turn.say("pick", [[Button(label="long", payload="echo:" + "ქ" * 40)]])


async def _echo(turn: Turn, rest: str) -> None:
    turn.say(f"got {rest}")


class _LongPayloadFeature:
    """A tiny feature whose button payload is longer than Telegram's 64 bytes."""

    @staticmethod
    def register(router: Router) -> None:
        router.command("long", _long_buttons, "long payload")
        router.button("echo", _echo)


async def test_payloads_longer_than_64_bytes_are_kept_server_side(
        telegram_api: FakeTelegramAPI, settings: Settings) -> None:
    from pydantic import SecretStr

    harness = TelegramHarness(telegram_api, settings.model_copy(
        update={"telegram_bot_token": SecretStr(telegram_api.token)}))
    harness.features = (*FEATURES, _LongPayloadFeature)  # type: ignore[assignment]
    await harness.start()
    try:
        [pick] = await harness.send(USER, "/long")
        data = buttons(pick)["long"]
        assert data.startswith("~") and len(data.encode()) <= 64
        [got] = await harness.press(USER, data, message_id=pick["message_id"])
        assert got["text"] == "got " + "ქ" * 40
    finally:
        await harness.stop()


async def test_a_long_feedback_comment_is_measured_and_the_next_one_kept(
        telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(USER, "Where is your office?")
    await telegram.press_label(USER, answer, "👎 Not helpful")
    [measured] = await telegram.send(USER, "x" * 1200)
    assert "1200 characters" in measured["text"] and "1000" in measured["text"]
    replies = await telegram.send(USER, "The opening hours on Saturday", expect=2)
    assert "improve" in replies[0]["text"]
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        feedback = (await session.exec(select(FaqFeedback))).one()
    assert feedback.comment == "The opening hours on Saturday"
