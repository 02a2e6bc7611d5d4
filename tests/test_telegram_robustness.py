"""End to end on Telegram: bad input, stale buttons, redeliveries, restarts, failures, load."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlmodel import select

from storage.models import FaqFeedback, FaqQuestion
from tests.telegram_harness import TelegramHarness, buttons, text_of

USER = 3001


async def test_every_button_press_is_answered_even_when_stale(telegram: TelegramHarness) -> None:
    for data in ("fb:y:999999:office_location", "nonsense", "faq:t:no_such_topic", "~987654",
                 "lang:xx"):
        [reply] = await telegram.press(USER, data, message_id=1)
        assert "no longer active" in reply["text"]
    await asyncio.sleep(0.1)
    assert len(telegram.api.answered_callbacks) == 5


async def test_someone_elses_feedback_button_is_refused(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(USER, "Where is your office?")
    helpful = buttons(answer)["👍 Helpful"]
    [reply] = await telegram.press(USER + 1, helpful, message_id=answer["message_id"])
    assert "no longer active" in reply["text"]


async def test_redelivered_update_is_handled_once(telegram: TelegramHarness) -> None:
    update = telegram.api.push_text(USER, "Where is your office?")
    await telegram.api.wait_for_messages(USER, 1)
    telegram.api.push_raw_duplicate(update)
    await telegram.send(USER, "hello")  # a later update proves the duplicate was consumed
    assert len(telegram.api.sent_messages(USER)) == 2


async def test_feedback_is_recorded_and_survives_a_restart(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(USER, "Where is your office?")
    [ask] = await telegram.press_label(USER, answer, "👎 Not helpful")
    assert "what were you looking for" in ask["text"]
    await telegram.restart()
    [thanks] = await telegram.send(USER, "The opening hours on Saturday")
    assert "improve" in thanks["text"]
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        feedback = (await session.exec(select(FaqFeedback))).one()
    assert feedback.helpful is False and feedback.topic_id == "office_location"
    assert feedback.comment == "The opening hours on Saturday"


async def test_cancel_leaves_a_flow(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(USER, "Where is your office?")
    await telegram.press_label(USER, answer, "👎 Not helpful")
    [cancelled] = await telegram.send(USER, "/cancel")
    assert "Cancelled" in cancelled["text"]
    [again] = await telegram.send(USER, "Where is your office?")
    assert "Tsereteli" in again["text"]


async def test_photo_in_a_text_step_is_reasked(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(USER, "Where is your office?")
    await telegram.press_label(USER, answer, "👎 Not helpful")
    before = len(telegram.api.sent_messages(USER))
    telegram.api.push_photo(USER)
    [reask] = (await telegram.api.wait_for_messages(USER, before + 1))[before:]
    assert "can only use text here" in reask["text"] and "what were you looking for" in reask["text"]


async def test_database_error_asks_to_try_again_and_the_bot_keeps_running(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    engine = telegram.hub.engine
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE faq_question RENAME TO faq_question_away"))
    try:
        [sorry] = await telegram.send(USER, "Where is your office?")
        assert "try again" in sorry["text"]
        replies = await telegram.send(USER, "/start", expect=2)
        assert "Imereti" in replies[0]["text"]
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE faq_question_away RENAME TO faq_question"))
    [answer] = await telegram.send(USER, "Where is your office?")
    assert "Tsereteli" in answer["text"]


async def test_a_person_who_blocked_the_bot_does_not_stop_others(telegram: TelegramHarness) -> None:
    telegram.api.block_user(USER)
    telegram.api.push_text(USER, "Where is your office?")
    [answer] = await telegram.send(USER + 5, "Where is your office?")
    assert "Tsereteli" in answer["text"]


async def test_many_people_at_once_each_get_their_answers_in_order(
        telegram: TelegramHarness) -> None:
    people = range(4000, 4030)
    questions = ["Where is your office?", "who funds the hub?", "hello"]
    for question in questions:
        for person in people:
            telegram.api.push_text(person, question)
    for person in people:
        replies = await telegram.api.wait_for_messages(person, 3, timeout=20)
        assert "Tsereteli" in replies[0]["text"]
        assert "European Union" in replies[1]["text"]
        assert "How can I help" in replies[2]["text"]


async def test_questions_are_recorded_for_staff_statistics(telegram: TelegramHarness) -> None:
    await telegram.send(USER, "Where is your office?")
    await telegram.send(USER, "What's the best recipe for khinkali with cheese?")
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        rows = (await session.exec(select(FaqQuestion).order_by(FaqQuestion.id))).all()
    assert [r.answer_id for r in rows] == ["office_location", None]


async def test_browse_by_category(telegram: TelegramHarness) -> None:
    replies = await telegram.send(USER, "/start", expect=2)
    [subjects] = await telegram.press_label(USER, replies[1], "❓ Questions and answers")
    assert len(buttons(subjects)) >= 5
    [topics] = await telegram.press_label(USER, subjects, "Contact")
    [answer] = await telegram.press_label(USER, topics, next(iter(buttons(topics))))
    assert "Did this help?" in answer["text"]
    assert text_of([answer]).strip()
