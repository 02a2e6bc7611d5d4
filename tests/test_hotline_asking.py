"""The person's side of /ask: typed or tapped, carried over from an unanswered FAQ question,
long, with photos or a phone number; kept across a restart and as a draft; working hours."""

from __future__ import annotations

from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.hotline_steps import PERSON, QUESTION, STAFF_CHAT, ask, ticket_row
from tests.telegram_harness import (
    TelegramHarness,
    buttons,
    card_thread,
    staff_harness,
    wait_for_text,
)


async def test_a_half_finished_question_survives_a_restart(hotline: TelegramHarness) -> None:
    done = await ask(hotline, restart_midway=True)
    assert "#1" in done["text"]
    ticket = await ticket_row(hotline)
    assert ticket.question == QUESTION and ticket.municipality == "kutaisi"


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
