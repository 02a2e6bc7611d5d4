"""The console's inbox service against the real bot (stand-in Bot API, real database): what a
reply, a note, take, close and reopen from the console do for the person and in the topic,
and the inbox's filters, search and pages computed in SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import column, func, insert, select, table, update
from sqlmodel import col
from sqlmodel.sql.sqltypes import UTCDateTime

from bot.services.inbox import PAGE_SIZE, Inbox, Refused
from bot.services.tickets import Change
from bot.settings import Settings
from storage.engine import make_engine, open_database
from storage.migrate import downgrade, upgrade
from storage.models import Person, utcnow
from storage.models_hotline import Ticket
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.hotline_steps import ask
from tests.messenger_harness import MessengerHarness
from tests.telegram_harness import (
    TelegramHarness,
    card_thread,
    staff_harness,
    wait_for_text,
)

STAFF_CHAT = -1001300
PERSON = 7301


@pytest.fixture
async def bot(telegram_api: FakeTelegramAPI, settings: Settings) -> AsyncIterator[TelegramHarness]:
    """The bot with a forum staff chat (English texts there)."""
    harness = staff_harness(telegram_api, settings, STAFF_CHAT)
    await harness.start()
    yield harness
    await harness.stop()


def inbox(bot: TelegramHarness) -> Inbox:
    assert bot.hub is not None
    return Inbox(bot.hub.services.tickets, bot.hub.services.hotline)


async def act(bot: TelegramHarness, action: str, number: int = 1, *args: str) -> object:
    """One console action in its own unit of work, committed, then the outbox woken."""
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        outcome = await getattr(inbox(bot), action)(uow, number, *args)
        await uow.commit()
    if bot.hub.core.on_queued is not None:
        bot.hub.core.on_queued()
    return outcome


async def ticket(bot: TelegramHarness, number: int = 1) -> Ticket:
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        found = await uow.repo(TicketRepo).get(number)
    assert found is not None
    return found


def texts_in(api: FakeTelegramAPI, chat: int, thread: int | None = None) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in api.sent_messages(chat, thread)]


async def test_a_console_reply_reaches_the_person_signed_and_shows_in_the_topic(
        bot: TelegramHarness) -> None:
    api = bot.api
    await ask(bot, PERSON)
    thread = await card_thread(api, STAFF_CHAT)
    assert (await ticket(bot)).waiting_for_staff

    outcome = await act(bot, "reply", 1, "Nino", "Yes, the hall is free on Fridays.")
    assert outcome.change is Change.DONE and outcome.person is not None  # type: ignore[attr-defined]
    answer = await wait_for_text(api, PERSON, "free on Fridays")
    assert answer["text"] == "Yes, the hall is free on Fridays.\n\n— Nino, the hub team"
    copy = await wait_for_text(api, STAFF_CHAT, "free on Fridays", thread_id=thread)
    assert copy["text"] == "✍️ Nino (console): Yes, the hall is free on Fridays."
    answered = await ticket(bot)
    assert not answered.waiting_for_staff and answered.first_staff_reply_at is not None

    # the person answers back: their message lands in the topic and the ticket waits again
    [ack] = await bot.send(PERSON, "Great, we will come on Friday.")
    assert "#1" in ack["text"]
    await wait_for_text(api, STAFF_CHAT, "come on Friday", thread_id=thread)
    assert (await ticket(bot)).waiting_for_staff
    # the console's copy is posted once, however often the topic is brought up to date
    assert sum("free on Fridays" in t for t in texts_in(api, STAFF_CHAT, thread)) == 1


async def test_closing_twice_tells_nobody_twice_and_reopen_shows_in_the_topic(
        bot: TelegramHarness) -> None:
    api = bot.api
    await ask(bot, PERSON)
    thread = await card_thread(api, STAFF_CHAT)
    first = await act(bot, "close", 1, "Nino")
    second = await act(bot, "close", 1, "Nino")
    assert first.change is Change.DONE and second.change is Change.ALREADY  # type: ignore[attr-defined]
    rating = await wait_for_text(api, PERSON, "closed your question #1")
    assert "5 ⭐" in str(rating["reply_markup"])
    await wait_for_text(api, STAFF_CHAT, "✅ #1 closed by Nino.", thread_id=thread)
    await api.wait_for_call("closeForumTopic")

    with_closed = await act(bot, "reply", 1, "Nino", "One more thing")
    assert with_closed.change is Change.REFUSED  # type: ignore[attr-defined]
    assert (await act(bot, "reopen", 1, "Nino")).change is Change.DONE  # type: ignore[attr-defined]
    assert (await act(bot, "reopen", 1, "Nino")).change is Change.ALREADY  # type: ignore[attr-defined]
    await wait_for_text(api, STAFF_CHAT, "↩️ #1 reopened.", thread_id=thread)
    await api.wait_for_call("reopenForumTopic")
    assert (await ticket(bot)).status == "open"
    # an answer now goes out after anything the second close or reopen could have queued
    await act(bot, "reply", 1, "Nino", "Now it is open again")
    await wait_for_text(api, PERSON, "open again")
    await wait_for_text(api, STAFF_CHAT, "open again", thread_id=thread)
    assert sum("closed your question" in t for t in texts_in(api, PERSON)) == 1
    assert sum("closed by" in t for t in texts_in(api, STAFF_CHAT, thread)) == 1
    assert sum("reopened" in t for t in texts_in(api, STAFF_CHAT, thread)) == 1
    assert len(api.calls_to("closeForumTopic")) == 1
    assert len(api.calls_to("reopenForumTopic")) == 1
    assert not [t for t in texts_in(api, PERSON) if "One more thing" in t]


async def test_take_and_a_note_show_in_the_topic_and_the_person_sees_neither(
        bot: TelegramHarness) -> None:
    api = bot.api
    await ask(bot, PERSON)
    thread = await card_thread(api, STAFF_CHAT)
    assert (await act(bot, "take", 1, "Nino")).change is Change.DONE  # type: ignore[attr-defined]
    assert (await act(bot, "take", 1, "Nino")).change is Change.ALREADY  # type: ignore[attr-defined]
    await act(bot, "note", 1, "Nino", "Check the hall calendar first")
    await wait_for_text(api, STAFF_CHAT, "🙋 #1 is taken by Nino.", thread_id=thread)
    note = await wait_for_text(api, STAFF_CHAT, "hall calendar", thread_id=thread)
    assert note["text"] == "📝 Nino (console), a note for staff: Check the hall calendar first"
    assert sum("is taken by" in t for t in texts_in(api, STAFF_CHAT, thread)) == 1
    assert (await ticket(bot)).assignee == "Nino"
    assert not [t for t in texts_in(api, PERSON) if "calendar" in t or "taken" in t]


async def test_blank_and_over_long_replies_and_unknown_tickets_are_refused(
        bot: TelegramHarness) -> None:
    await ask(bot, PERSON)
    with pytest.raises(Refused) as blank:
        await act(bot, "reply", 1, "Nino", "   \n ")
    assert blank.value.message == "Write a reply first."
    with pytest.raises(Refused) as long:
        await act(bot, "reply", 1, "Nino", "x" * 3501)
    assert long.value.params == {"limit": 3500}
    with pytest.raises(Refused):
        await act(bot, "close", 99, "Nino")
    assert (await ticket(bot)).first_staff_reply_at is None


async def test_the_photo_a_person_sent_is_fetched_again_for_the_console(
        bot: TelegramHarness) -> None:
    await ask(bot, PERSON, photo=b"\xff\xd8 the hall plan jpeg")
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        conversation = await inbox(bot).conversation(uow, 1)
    assert conversation is not None
    [photo] = [e for e in conversation.entries if e.attachment_kind == "photo"]
    assert photo.file == "served" and photo.id is not None
    data = await inbox(bot).attachment(1, photo.id)
    assert data is not None and data.content == b"\xff\xd8 the hall plan jpeg"
    assert data.media_type == "image/jpeg"
    assert await inbox(bot).attachment(2, photo.id) is None  # not ticket #2's message

    [confirm] = await bot.send(PERSON, "/forget")  # erased: nothing left to fetch
    await bot.press_label(PERSON, confirm, "🗑 Yes, erase my data")
    assert await inbox(bot).attachment(1, photo.id) is None


async def test_filters_search_and_pages(bot: TelegramHarness) -> None:
    assert bot.hub is not None
    await ask(bot, 7311, "Where do we register a new association?", name="Ana")
    await ask(bot, 7312, "Grant budget help please", subject="📊 Financial management",
              place="Vani", name="Giorgi")
    await ask(bot, 7313, "Our contract with the municipality", name="Eka")
    await act(bot, "take", 2, "Nino")
    await act(bot, "reply", 2, "Nino", "Send us the budget table.")
    await act(bot, "close", 3, "Nino")
    service = inbox(bot)

    async def numbers(params: dict[str, str], staff: str = "Nino", page: int = 1) -> list[int]:
        async with UnitOfWork(bot.hub.database) as uow:  # type: ignore[union-attr]
            listing = await service.listing(uow, service.query(params, staff), page)
        return [row.number for row in listing.rows]

    assert await numbers({}) == [2, 1]  # open, newest activity first
    assert await numbers({"state": "closed"}) == [3]
    assert await numbers({"state": "all"}) == [3, 2, 1]
    assert await numbers({"state": "waiting"}) == [1]
    assert await numbers({"state": "mine"}) == [2]
    assert await numbers({"state": "mine"}, staff="Tamar") == []
    assert await numbers({"state": "unassigned"}) == [1]
    assert await numbers({"state": "all", "municipality": "vani"}) == [2]
    assert await numbers({"state": "all", "topic": "legal"}) == [3, 1]
    assert await numbers({"state": "all", "channel": "messenger"}) == []
    assert await numbers({"state": "all", "q": "REGISTER"}) == [1]  # the question
    assert await numbers({"state": "all", "q": "budget table"}) == [2]  # a staff answer
    assert await numbers({"state": "all", "q": "Eka"}) == [3]  # the person's name
    assert await numbers({"state": "all", "q": "#2"}) == [2]
    assert await numbers({"state": "all", "q": "100%_"}) == []  # LIKE wildcards are literal
    assert await numbers({"state": "nonsense", "topic": "nope"}) == [2, 1]  # dropped, not errors

    # pages: PAGE_SIZE more tickets, moved into the past so the order is known
    async with UnitOfWork(bot.hub.database) as uow:
        now = utcnow()
        for i in range(PAGE_SIZE):
            created = await uow.repo(TicketRepo).add(Ticket(
                channel="telegram", language="en", topic="other", municipality="khoni",
                question=f"old question {i}", created_at=now - timedelta(days=30 + i),
                last_activity_at=now - timedelta(days=30 + i)))
            assert created.id is not None
        await uow.commit()
    first = await numbers({"state": "open"})
    second = await numbers({"state": "open"}, page=2)
    beyond = await numbers({"state": "open"}, page=99)
    assert first[:2] == [2, 1] and len(first) == PAGE_SIZE
    assert len(second) == 2 and not set(first) & set(second)
    assert beyond == second  # past the end: the last page
    async with UnitOfWork(bot.hub.database) as uow:
        listing = await service.listing(uow, service.query({}, "Nino"), 1)
    assert listing.total == PAGE_SIZE + 2 and listing.pages == 2


async def test_a_long_question_is_shown_whole_once(bot: TelegramHarness) -> None:
    assert bot.hub is not None
    question = "ა" * 3500 + " END-ONE\n" + "ბ" * 3500 + " END-TWO"  # staff get it in pieces
    await ask(bot, PERSON, question)
    async with UnitOfWork(bot.hub.database) as uow:
        conversation = await inbox(bot).conversation(uow, 1)
    assert conversation is not None
    assert [e.text for e in conversation.entries] == [question]


async def test_the_person_erased_cannot_be_answered(bot: TelegramHarness) -> None:
    assert bot.hub is not None
    await ask(bot, PERSON)
    await card_thread(bot.api, STAFF_CHAT)
    async with UnitOfWork(bot.hub.database) as uow:  # as if they blocked the bot long ago
        await uow.session.exec(update(Person).where(  # type: ignore[call-overload]
            col(Person.external_id) == str(PERSON)).values(chat_id=""))
        await uow.commit()
    outcome = await act(bot, "reply", 1, "Nino", "Are you still there?")
    assert outcome.change is Change.DONE and outcome.person is None  # type: ignore[attr-defined]


async def test_the_migration_fills_in_activity_and_who_spoke_last(settings: Settings) -> None:
    """Tickets from before the inbox: their newest message is their last activity; a ticket
    whose person wrote after staff's last answer (or was never answered) waits for staff."""
    day = utcnow().replace(microsecond=0) - timedelta(days=3)
    stamp = UTCDateTime()
    ticket_table = table("ticket", column("id"), column("channel"), column("language"),
                         column("topic"), column("municipality"), column("question"),
                         column("answer_via"), column("requester_name"), column("status"),
                         column("created_at", stamp))
    message_table = table("ticket_message", column("id"), column("ticket_id"),
                          column("direction"), column("author"), column("text"),
                          column("created_at", stamp))
    engine = make_engine(settings.database_url)
    try:
        await downgrade(engine, "0006")
        async with engine.begin() as connection:
            await connection.execute(insert(ticket_table), [
                {"id": n, "channel": "telegram", "language": "en", "topic": "other",
                 "municipality": "vani", "question": "q", "answer_via": "chat",
                 "requester_name": "", "status": "open", "created_at": day} for n in (1, 2, 3)])
            await connection.execute(insert(message_table), [
                {"id": 1, "ticket_id": 1, "direction": "in", "author": "", "text": "more",
                 "created_at": day + timedelta(hours=1)},
                {"id": 2, "ticket_id": 1, "direction": "out", "author": "T", "text": "answer",
                 "created_at": day + timedelta(hours=2)},
                {"id": 3, "ticket_id": 2, "direction": "out", "author": "T", "text": "answer",
                 "created_at": day + timedelta(hours=1)},
                {"id": 4, "ticket_id": 2, "direction": "in", "author": "", "text": "thanks, but",
                 "created_at": day + timedelta(hours=3)},
                {"id": 5, "ticket_id": 2, "direction": "note", "author": "T", "text": "hmm",
                 "created_at": day + timedelta(hours=4)}])
        await upgrade(engine)
        database = open_database(settings.database_url)
        try:
            async with UnitOfWork(database) as uow:
                found = {n: await uow.repo(TicketRepo).get(n) for n in (1, 2, 3)}
        finally:
            await database.dispose()
        await downgrade(engine, "0006")  # and back: no message is lost either way
        async with engine.connect() as connection:
            kept = (await connection.execute(select(func.count()).select_from(message_table)
                                             )).scalar_one()
        await upgrade(engine)
    finally:
        await engine.dispose()
    assert kept == 5
    assert {n: (t.last_activity_at, t.waiting_for_staff) for n, t in found.items() if t} == {
        1: (day + timedelta(hours=2), False),
        2: (day + timedelta(hours=4), True),
        3: (day, True)}


async def test_a_console_reply_to_messenger_keeps_the_window_rules_and_files_are_links(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    """A person on Messenger: the console's reply goes out as a staff reply (HUMAN_AGENT tag
    after 24 h), signed; their photo is a link to Messenger's copy (it cannot be fetched by id)."""
    psid = "6100000000000077"
    [topics] = await messenger.say(psid, "/ask")
    places = await messenger.tap(psid, topics, "hl:v:topic:legal")
    await messenger.tap(psid, places, "hl:v:municipality:kutaisi")
    url = "https://scontent.example/v/statute-page-1.jpg?token=abc"
    assert await messenger.deliver({"sender": {"id": psid}, "recipient": {"id": "1"},
                                    "timestamp": 1, "message": {"mid": "mid.photo.77",
                                    "attachments": [{"type": "image", "payload": {"url": url}}]}}
                                   ) == 200
    got = await messenger.say(psid, "Is our statute fine?")
    [way] = await messenger.tap(psid, got[-1], "hl:d:parts")
    [consent] = await messenger.tap(psid, way, "hl:v:answer_way:chat")
    [summary] = await messenger.tap(psid, consent, "hl:v:consent:y")
    await messenger.tap(psid, summary, "hl:ok")
    bot = messenger.telegram
    assert bot.hub is not None
    async with UnitOfWork(bot.hub.database) as uow:
        await uow.session.exec(update(Person).where(  # type: ignore[call-overload]
            col(Person.external_id) == psid).values(last_inbound_at=utcnow() - timedelta(hours=30)))
        await uow.commit()
        conversation = await inbox(bot).conversation(uow, 1)
    assert conversation is not None
    [photo] = [e for e in conversation.entries if e.attachment_kind == "photo"]
    assert photo.file == url

    before = len(graph_api.sent_to(psid))
    outcome = await act(bot, "reply", 1, "Nino", "Yes, it is fine.")
    assert outcome.person is not None  # type: ignore[attr-defined]
    reply = (await graph_api.wait_for(psid, before + 1))[before]
    assert "Yes, it is fine." in reply.text and "— Nino" in reply.text
    assert (reply.messaging_type, reply.tag) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert graph_api.violations == []
