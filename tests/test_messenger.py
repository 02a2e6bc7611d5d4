"""Messenger end to end: signed webhooks in over HTTP, Send API calls out to a stand-in Graph API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.i18n import translator
from storage.models import Person, utcnow
from tests.fakes.graph_api import (
    VERIFY_TOKEN,
    FakeGraphAPI,
    signed,
    text_event,
    webhook,
)
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.messenger_harness import STAFF_CHAT, MessengerHarness
from tests.telegram_harness import card_thread, wait_for_text

STAFF_USER = 901
PSID = "6100000000000001"


async def test_handshake_answers_the_challenge_and_refuses_a_wrong_token(
        messenger: MessengerHarness) -> None:
    status, body = await messenger.get("/messenger/webhook", **{
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert (status, body) == (200, "1158201444")
    status, _body = await messenger.get("/messenger/webhook", **{
        "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})
    assert status == 403


async def test_a_question_gets_one_answer_and_a_redelivery_nothing(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    [answer] = await messenger.say(PSID, "Where is your office?", mid="mid.office.1")
    assert "Kutaisi" in answer.text
    assert answer.messaging_type == "RESPONSE" and answer.tag is None
    assert await messenger.say(PSID, "Where is your office?", mid="mid.office.1") == []
    assert len(graph_api.sent_to(PSID)) == 1
    assert graph_api.violations == []


async def test_a_forged_signature_gets_403_and_no_reply(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    raw, headers = signed(webhook(text_event(PSID, "Where is your office?")), secret="not-it")
    assert await messenger.post(raw, headers) == 403
    raw, _headers = signed(webhook(text_event(PSID, "Where is your office?")))
    assert await messenger.post(raw, {"Content-Type": "application/json"}) == 403
    assert graph_api.sent == []


async def test_batches_echoes_and_reads(messenger: MessengerHarness,
                                        graph_api: FakeGraphAPI) -> None:
    echo = text_event(PSID, "echo of our own message")
    echo["message"]["is_echo"] = True
    read = {"sender": {"id": PSID}, "recipient": {"id": "1"}, "read": {"watermark": 1}}
    delivery = {"sender": {"id": PSID}, "recipient": {"id": "1"}, "delivery": {"mids": ["x"]}}
    other = "6100000000000002"
    status = await messenger.deliver(echo, read, delivery, text_event(PSID, "Where is your office?"),
                                     text_event(other, "Where is your office?"))
    assert status == 200
    assert len(graph_api.sent_to(PSID)) == 1 and len(graph_api.sent_to(other)) == 1


async def test_every_message_respects_the_limits(messenger: MessengerHarness,
                                                 graph_api: FakeGraphAPI) -> None:
    for text in ("/start", "/help", "/subscribe", "/events", "/directory", "/language",
                 "hello", "what is the weather", "forget"):
        sent = await messenger.say(PSID, text)
        assert sent, text
    menu = (await messenger.say(PSID, "/start"))[-1]
    assert menu.quick_replies or menu.buttons
    assert graph_api.violations == []
    for message in graph_api.sent:
        assert len(message.quick_replies) <= 13
        assert all(len(q.get("title", "")) <= 20 for q in message.quick_replies)


async def test_forget_as_plain_text(messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    [question] = await messenger.say(PSID, "forget")
    assert any(q["payload"] == "forget:yes" for q in question.quick_replies)
    done = await messenger.tap(PSID, question, "forget:yes")
    erased = translator("ka")("Done: your personal data was erased.")
    assert any(erased in m.text for m in done)


async def _ask_on_messenger(messenger: MessengerHarness) -> None:
    [topics] = await messenger.say(PSID, "/ask")
    places = await messenger.tap(PSID, topics, "hl:v:topic:legal")
    assert len(places) > 1  # more than 13 municipalities: button templates of 3
    await messenger.tap(PSID, places, "hl:v:municipality:kutaisi")
    got = await messenger.say(PSID, "Is my rental contract legal?")
    [way] = await messenger.tap(PSID, got[-1], "hl:d:parts")
    [consent] = await messenger.tap(PSID, way, "hl:v:answer_way:chat")
    [summary] = await messenger.tap(PSID, consent, "hl:v:consent:y")
    done = await messenger.tap(PSID, summary, "hl:ok")
    assert "#1" in done[0].text


@pytest.mark.parametrize("hours_since", [1, 30, 8 * 24])
async def test_hotline_from_messenger_reaches_staff_and_the_reply_comes_back(
        messenger: MessengerHarness, graph_api: FakeGraphAPI, telegram_api: FakeTelegramAPI,
        hours_since: int) -> None:
    await _ask_on_messenger(messenger)
    topic = await telegram_api.wait_for_call("createForumTopic")
    thread = topic.response["result"]["message_thread_id"]
    card = await wait_for_text(telegram_api, STAFF_CHAT, "rental contract", thread_id=thread)
    assert "messenger" in card["text"]

    hub = messenger.telegram.hub
    assert hub is not None
    async with hub.session_factory() as session:
        await session.exec(update(Person).where(Person.external_id == PSID).values(  # type: ignore[call-overload]
            last_inbound_at=utcnow() - timedelta(hours=hours_since)))
        await session.commit()
    before = len(graph_api.sent_to(PSID))
    telegram_api.push_text(STAFF_USER, "Yes, bring it to the office.", chat_id=STAFF_CHAT,
                           first_name="Tamar", message_thread_id=thread, is_topic_message=True)
    if hours_since > 7 * 24:  # past HUMAN_AGENT's 7 days: nothing is sent, staff are told
        await wait_for_text(telegram_api, STAFF_CHAT, "within 7 days", thread_id=thread)
        assert len(graph_api.sent_to(PSID)) == before
        return
    sent = await graph_api.wait_for(PSID, before + 1)
    reply = sent[before]
    assert reply.text == "Yes, bring it to the office."
    if hours_since > 24:
        assert (reply.messaging_type, reply.tag) == ("MESSAGE_TAG", "HUMAN_AGENT")
    else:
        assert (reply.messaging_type, reply.tag) == ("UPDATE", None)
    assert graph_api.violations == []


async def test_health_and_metrics(messenger: MessengerHarness) -> None:
    status, body = await messenger.get("/healthz")
    assert status == 200 and '"ok"' in body and '"outbox_worker": "running"' in body
    await messenger.say(PSID, "Where is your office?")
    status, body = await messenger.get("/metrics")
    assert status == 200
    assert 'hubbot_updates_total{channel="messenger"}' in body
    assert "hubbot_handler_seconds_bucket" in body and "hubbot_outbox_depth" in body
    assert "hubbot_outbox_worker_up 1.0" in body
    assert "hubbot_outbox_oldest_pending_seconds" in body
    scheduler = messenger.telegram.scheduler
    assert scheduler is not None
    await scheduler.stop()  # the worker is gone: the process is not healthy any more
    messenger.telegram.scheduler = None
    status, body = await messenger.get("/healthz")
    assert status == 503 and '"outbox_worker": "stopped"' in body
    status, body = await messenger.get("/metrics")
    assert "hubbot_outbox_worker_up 0.0" in body




async def test_healthz_is_503_when_the_database_does_not_answer() -> None:
    import aiohttp

    from bot.web import WebServer
    from storage.engine import open_database

    database = open_database("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    web = WebServer(database.sessions, host="127.0.0.1", port=0)
    await web.start()
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{web.base_url}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["status"] == "error"
    finally:
        await web.stop()
        await database.dispose()


async def test_every_menu_entry_and_its_next_screen_fit_messenger(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    menu = await messenger.say(PSID, "/start")
    entries = [q["payload"] for m in menu for q in m.quick_replies if q.get("payload")]
    entries += [b["payload"] for m in menu for b in m.buttons if b.get("type") == "postback"]
    assert len(entries) >= 5
    for payload in entries:
        screen = await messenger.tap(PSID, menu, payload)
        assert screen, payload
        follow = [q["payload"] for m in screen for q in m.quick_replies if q.get("payload")]
        follow += [b["payload"] for m in screen for b in m.buttons if b.get("type") == "postback"]
        if follow:  # one step deeper: the first choice of each screen
            assert await messenger.tap(PSID, screen, follow[0]), follow[0]
        await messenger.say(PSID, "/start")
    assert graph_api.violations == []
    from bot.core.engine import TRY_AGAIN
    sorry = {translator(language)(TRY_AGAIN) for language in ("ka", "en")}
    assert not any(m.text in sorry for m in graph_api.sent)


async def test_the_profile_gives_a_name_and_a_language(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    english, unknown = "6100000000000031", "6100000000000032"
    graph_api.people[english] = {"first_name": "Nino", "last_name": "Beridze", "locale": "en_US"}
    [hello] = await messenger.say(english, "hello")
    assert "How can I help" in hello.text  # English from the locale, not the Georgian default
    await messenger.say(english, "hello again")
    assert graph_api.profile_lookups.count(english) == 1  # remembered, not asked per message
    [georgian] = await messenger.say(unknown, "hello")  # no profile: Georgian, no failure
    assert "გამარჯობა" in georgian.text
    hub = messenger.telegram.hub
    assert hub is not None
    async with hub.session_factory() as session:
        from sqlmodel import select

        person = (await session.exec(select(Person).where(Person.external_id == english))).one()
    assert person.display_name == "Nino Beridze" and person.language == "en"


async def test_a_photo_sent_to_the_hotline_from_messenger_reaches_staff_as_a_link(
        messenger: MessengerHarness, telegram_api: FakeTelegramAPI) -> None:
    await _ask_on_messenger(messenger)
    thread = await card_thread(telegram_api, STAFF_CHAT)
    url = "https://scontent.example/v/contract-page-1.jpg?token=abc"
    photo = {"sender": {"id": PSID}, "recipient": {"id": "1"}, "timestamp": 1,
             "message": {"mid": "mid.photo.1", "attachments": [
                 {"type": "image", "payload": {"url": url}}]}}
    assert await messenger.deliver(photo) == 200
    relayed = await wait_for_text(telegram_api, STAFF_CHAT, url, thread_id=thread)
    assert relayed["message_thread_id"] == thread


async def test_the_hotline_form_completed_by_typing_on_messenger(
        messenger: MessengerHarness, graph_api: FakeGraphAPI, telegram_api: FakeTelegramAPI
        ) -> None:
    """Quick replies vanish on Messenger once a person types: every answer here is typed."""
    question = "ქირავნობის ხელშეკრულებაზე გვჭირდება რჩევა"
    [topics] = await messenger.say(PSID, "/ask")
    assert topics.quick_replies or topics.buttons  # offered, and never tapped below
    places = await messenger.say(PSID, "იურიდიული დახმარება")  # a label, typed
    assert "მუნიციპალიტეტ" in places[0].text
    got = await messenger.say(PSID, "qutaisi")  # translit municipality
    assert any("კითხვა" in m.text for m in got)
    await messenger.say(PSID, question)
    await messenger.say(PSID, "მზადაა")  # "Done", typed
    [consent] = await messenger.say(PSID, "ჩატში")  # "Here in the chat", a word of its label
    assert "/forget" in consent.text
    [summary] = await messenger.say(PSID, "კი")
    assert question in summary.text
    [done] = (await messenger.say(PSID, "გაგზავნა"))[:1]
    assert "#1" in done.text
    topic = await telegram_api.wait_for_call("createForumTopic")
    thread = topic.response["result"]["message_thread_id"]
    card = await wait_for_text(telegram_api, STAFF_CHAT, question, thread_id=thread)
    assert "messenger" in card["text"]
    assert graph_api.violations == []
