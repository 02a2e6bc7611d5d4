"""Small talk and intent words, in English, Georgian and translit, through the real core."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest

from bot.app import HubApp, create_app
from bot.core.messages import Incoming, Reply
from bot.settings import Settings

USER = "5151"
STAFF_CHAT = -1003000
_keys = itertools.count(1)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[HubApp]:
    hub = await create_app(settings.model_copy(update={"staff_chat_id": STAFF_CHAT}),
                           migrate=False)
    yield hub
    await hub.close()


async def say(app: HubApp, text: str, language: str = "en") -> list[Reply]:
    return await app.core.handle(Incoming(
        channel="telegram", user_id=USER, chat_id=USER, event_key=f"st-{next(_keys)}",
        text=text, language_hint=language))


def texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


NO_ANSWER = ("don't have an answer", "not sure I understood", "პასუხი არ მაქვს")


def _no_fallback(replies: list[Reply]) -> None:
    assert not any(n in texts(replies) for n in NO_ANSWER), texts(replies)


@pytest.mark.parametrize(("typed", "language"), [
    ("menu", "en"), ("Menu!", "en"), ("მენიუ", "ka"), ("meniu", "ka")])
async def test_menu_words_show_the_menu(app: HubApp, typed: str, language: str) -> None:
    [menu] = await say(app, typed, language)
    _no_fallback([menu])
    assert "menu:main" not in menu.payloads() and "faq:c" in menu.payloads()


@pytest.mark.parametrize(("typed", "language", "expected"), [
    ("help", "en", "/register —"), ("დახმარება", "ka", "/register —"),
    ("daxmareba", "ka", "/register —")])
async def test_help_words_list_what_the_bot_does(app: HubApp, typed: str, language: str,
                                                 expected: str) -> None:
    replies = await say(app, typed, language)
    _no_fallback(replies)
    assert expected in texts(replies) and "/ask —" in texts(replies)


@pytest.mark.parametrize(("typed", "language", "expected"), [
    ("are you a bot?", "en", "Yes, I am a bot"), ("Are you a BOT", "en", "Yes, I am a bot"),
    ("ბოტი ხარ?", "ka", "დიახ, ბოტი ვარ"), ("boti xar?", "ka", "დიახ, ბოტი ვარ"),
    ("ვინ ხარ?", "ka", "დიახ, ბოტი ვარ"), ("vin xart?", "ka", "დიახ, ბოტი ვარ"),
    ("who are you?", "en", "Yes, I am a bot"),
    ("Hi, are you a bot?", "en", "Yes, I am a bot"),
    ("გამარჯობა, ვინ ხარ? მადლობა", "ka", "დიახ, ბოტი ვარ")])
async def test_are_you_a_bot_gets_an_honest_yes_and_a_way_to_people(
        app: HubApp, typed: str, language: str, expected: str) -> None:
    [reply] = await say(app, typed, language)
    assert expected in reply.text
    assert "faq:person" in reply.payloads()


@pytest.mark.parametrize(("typed", "language", "expected"), [
    ("thanks", "en", "You are welcome"), ("მადლობა", "ka", "არაფრის"),
    ("madloba", "ka", "არაფრის"), ("ok", "en", "👍"), ("OK", "en", "👍"), ("👍", "en", "👍"),
    ("👍👍", "ka", "👍"), ("კარგი", "ka", "👍"), ("kargi", "ka", "👍")])
async def test_thanks_ok_and_a_thumbs_up_get_a_short_friendly_answer(
        app: HubApp, typed: str, language: str, expected: str) -> None:
    replies = await say(app, typed, language)
    _no_fallback(replies)
    assert expected in texts(replies)


@pytest.mark.parametrize(("typed", "language"), [
    ("I want to talk to a human", "en"), ("ადამიანთან მინდა საუბარი", "ka"),
    ("adamiantan minda saubari", "ka")])
async def test_asking_for_a_human_starts_the_hotline_with_the_last_question(
        app: HubApp, typed: str, language: str) -> None:
    question = "Can you recommend a good khinkali recipe for our village festival?"
    await say(app, question, language)
    [intro] = await say(app, typed, language)
    assert question in intro.text  # carried into the hotline, not typed again
    assert "hl:v:topic:legal" in intro.payloads()  # the hotline's first question
    await say(app, "1", language)  # the subject, typed
    [parts] = await say(app, "1", language)  # Kutaisi: the first municipality
    assert question in parts.text


async def test_asking_for_a_human_without_a_question_just_starts_the_hotline(
        app: HubApp) -> None:
    [topics] = await say(app, "talk to a human")
    assert "hl:v:topic:legal" in topics.payloads()
    assert "pass your question" not in topics.text


async def test_a_real_question_with_an_intent_word_still_goes_to_the_faq(app: HubApp) -> None:
    replies = await say(app, "help me, where is your office?")
    assert "Tsereteli" in texts(replies)


async def test_menu_typed_with_a_ticket_open_returns_to_the_bot(app: HubApp) -> None:
    for answer in ("/ask", "1", "1", "Our association needs advice on a rental contract",
                   "done", "1", "yes"):
        await say(app, answer)
    [thanks] = await say(app, "send")
    assert "Your question is #1" in thanks.text
    [told] = await say(app, "And one more detail about the contract")
    assert "You are writing to the hub team (#1)" in told.text
    [menu] = await say(app, "მენიუ", "ka")
    assert "faq:c" in menu.payloads()
    answer = await say(app, "Where is your office?")
    assert "Tsereteli" in texts(answer)  # the FAQ again, not the staff topic


HOURS = "Mon–Fri 10:00–18:00"


@pytest.mark.parametrize(("typed", "language"), [
    ("what are your working hours?", "en"), ("როდის ხართ ღია?", "ka")])
async def test_working_hours_come_from_the_setting(settings: Settings, typed: str,
                                                   language: str) -> None:
    hub = await create_app(settings.model_copy(update={"hub_hours": HOURS}), migrate=False)
    try:
        replies = await say(hub, typed, language)
    finally:
        await hub.close()
    assert HOURS in texts(replies)
    assert "Did this help?" in texts(replies) or "დაგეხმარათ" in texts(replies)


async def test_working_hours_are_left_out_not_guessed_without_the_setting(app: HubApp) -> None:
    for typed, language in (("what are your working hours?", "en"), ("როდის ხართ ღია?", "ka")):
        replies = await say(app, typed, language)
        assert not any(r.text.startswith("🕘") for r in replies), texts(replies)
        assert "faq:t:working_hours" not in [p for r in replies for p in r.payloads()]
    browse = await app.core.handle(Incoming(
        channel="telegram", user_id=USER, chat_id=USER, event_key=f"st-{next(_keys)}",
        payload="faq:c:contact", language_hint="en"))
    payloads = [p for r in browse for p in r.payloads()]
    assert "faq:t:office_location" in payloads and "faq:t:working_hours" not in payloads
    pressed = await app.core.handle(Incoming(  # a button from when the hours were set
        channel="telegram", user_id=USER, chat_id=USER, event_key=f"st-{next(_keys)}",
        payload="faq:t:working_hours", language_hint="en"))
    assert pressed and not any("🕘" in r.text or "Did this help?" in r.text for r in pressed)
