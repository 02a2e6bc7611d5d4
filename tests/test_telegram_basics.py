"""End to end on Telegram: greeting, menu, FAQ answers in both languages, refusals."""

from __future__ import annotations

import re

from tests.telegram_harness import TelegramHarness, buttons

GEORGIAN_USER = 1001
ENGLISH_USER = 1002


async def test_start_greets_and_shows_the_menu(telegram: TelegramHarness) -> None:
    replies = await telegram.send(ENGLISH_USER, "/start", expect=2, first_name="Nino")
    assert "Nino" in replies[0]["text"]
    assert "Imereti" in replies[0]["text"]
    menu = buttons(replies[1])
    assert any("Questions and answers" in label for label in menu)
    assert all(len(data.encode()) <= 64 for data in menu.values())


async def test_georgian_start_is_in_georgian(telegram: TelegramHarness) -> None:
    replies = await telegram.send(GEORGIAN_USER, "/start", expect=2, language_code="ka")
    assert "იმერეთის რეგიონული ჰაბის" in replies[0]["text"]
    assert any("კითხვები და პასუხები" in label for label in buttons(replies[1]))


async def test_office_question_in_georgian_gets_georgian_address(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(GEORGIAN_USER, "სად მდებარეობს თქვენი ოფისი?", language_code="ka")
    assert "წერეთლის" in answer["text"] and "111" in answer["text"]
    assert "Tsereteli" not in answer["text"]


async def test_office_question_in_english_gets_english_address(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(ENGLISH_USER, "Where is your office?")
    assert "111 Tsereteli" in answer["text"] and "Kutaisi" in answer["text"]


async def test_off_topic_question_gets_no_invented_answer_but_a_way_to_a_person(
        telegram: TelegramHarness) -> None:
    [reply] = await telegram.send(ENGLISH_USER, "What's the best recipe for khinkali with cheese?")
    labels = buttons(reply)
    assert "Tsereteli" not in reply["text"]
    # No staff chat here: the way to a person is the hub's contacts, never a hotline nobody reads.
    assert "📞 Contact the hub team" in labels and not any("Talk to" in x for x in labels)
    [contacts] = await telegram.press_label(ENGLISH_USER, reply, "📞 Contact the hub team")
    assert "You can reach the Imereti Regional Hub" in contacts["text"]
    assert "/ask" not in contacts["text"] and "hotline" not in contacts["text"]


async def test_without_a_staff_chat_the_hotline_is_not_offered(
        telegram: TelegramHarness) -> None:
    [help_text, menu] = await telegram.send(ENGLISH_USER, "/help", expect=2)
    assert "/ask" not in help_text["text"] and "/register" in help_text["text"]
    assert not any("hotline" in label.lower() for label in buttons(menu))
    [commands] = telegram.api.calls_to("setMyCommands")[-1:]
    assert "register" in str(commands.params) and not re.search(r"\bask\b", str(commands.params))
    [answer] = await telegram.send(ENGLISH_USER, "How can I ask the hotline a question?")
    assert "qualified legal help" in answer["text"]
    assert "/ask" not in answer["text"]  # {cmd_ask} lines are left out of FAQ answers
    [refused] = await telegram.send(ENGLISH_USER, "/ask")
    assert "I don't know the command /ask" in refused["text"]
    [stale] = await telegram.press(ENGLISH_USER, "hl:new", message_id=1)
    assert "no longer active" in stale["text"]
    [contacts] = await telegram.send(ENGLISH_USER, "I want to talk to a human")
    assert "You can reach the Imereti Regional Hub" in contacts["text"]
    assert telegram.hub is not None
    async with telegram.hub.session_factory() as session:
        from sqlmodel import select

        from storage.models_hotline import Ticket
        assert not (await session.exec(select(Ticket))).all()  # no ticket nobody can see


async def test_unset_contact_facts_are_left_out(telegram: TelegramHarness) -> None:
    [answer] = await telegram.send(ENGLISH_USER, "what is your phone number?")
    assert "{" not in answer["text"] and "None" not in answer["text"]


async def test_unknown_language_gets_georgian_with_one_tap_switch(telegram: TelegramHarness) -> None:
    replies = await telegram.send(2001, "/start", expect=2, language_code="ru")
    assert "გამარჯობა" in replies[0]["text"]
    assert "English" in buttons(replies[-1])
    switched = await telegram.press_label(2001, replies[-1], "English")
    assert "English" in switched[0]["text"]
    [answer] = await telegram.send(2001, "სად არის ოფისი?", language_code="ru")
    assert "Tsereteli" in answer["text"]  # explicitly chosen English stays


async def test_language_command_switches_and_is_remembered(telegram: TelegramHarness) -> None:
    [choice] = await telegram.send(ENGLISH_USER, "/language")
    [done] = await telegram.press_label(ENGLISH_USER, choice, "ქართული")
    assert "ქართულად" in done["text"]
    await telegram.restart()
    [answer] = await telegram.send(ENGLISH_USER, "Where is your office?")
    assert "წერეთლის" in answer["text"]


async def test_unknown_command_gets_help(telegram: TelegramHarness) -> None:
    [reply] = await telegram.send(ENGLISH_USER, "/frobnicate")
    assert "/frobnicate" in reply["text"] and "/language" in reply["text"]


async def test_sticker_gets_a_polite_answer(telegram: TelegramHarness) -> None:
    before = len(telegram.api.sent_messages(ENGLISH_USER))
    telegram.api.push_sticker(ENGLISH_USER)
    messages = await telegram.api.wait_for_messages(ENGLISH_USER, before + 1)
    assert "only read text" in messages[-1]["text"]


async def test_html_in_user_text_is_harmless(telegram: TelegramHarness) -> None:
    [reply] = await telegram.send(ENGLISH_USER, "<b>where</b> & <script>is the office?")
    assert "Tsereteli" in reply["text"]
    assert all(call.ok for call in telegram.api.calls_to("sendMessage"))


async def test_very_long_text_is_answered(telegram: TelegramHarness) -> None:
    [reply] = await telegram.send(ENGLISH_USER, "where is the office " + "x" * 4000)
    assert reply["text"]


async def test_greeting_and_thanks_get_small_talk(telegram: TelegramHarness) -> None:
    [hello] = await telegram.send(ENGLISH_USER, "hello!")
    assert "How can I help" in hello["text"]
    [thanks] = await telegram.send(GEORGIAN_USER, "დიდი მადლობა", language_code="ka")
    assert "არაფრის" in thanks["text"]
