"""Messenger's 24-hour window, Graph errors, long texts, files and the Page setup."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlmodel import select

from bot.channels.messenger_graph import BadPageToken
from bot.core.delivery import OutsideWindow, RateLimited, Rejected, Unreachable
from bot.core.messages import Button, Document, Reply
from bot.services.outbox import OUTSIDE_WINDOW
from bot.settings import Settings
from storage.models import Person, utcnow
from storage.models_outbox import Announcement, OutboxMessage, Subscription
from storage.uow import UnitOfWork
from tests.fakes.graph_api import FakeGraphAPI
from tests.messenger_harness import MessengerHarness, messenger_settings, set_last_message

PSID = "6100000000000009"




async def test_the_window_decides_the_messaging_type_and_never_a_wrong_tag(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    channel = messenger.channel
    assert channel is not None
    await messenger.say(PSID, "Where is your office?")
    hello = [Reply(text="Hello")]

    async def sent_as(kind: str | None) -> tuple[str, str | None]:
        await channel.send(PSID, hello, kind=kind)
        last = graph_api.sent_to(PSID)[-1]
        return last.messaging_type, last.tag

    for kind in ("announcement", "notice", "reminder", "staff_reply", None):
        assert await sent_as(kind) == ("UPDATE", None)
    await set_last_message(messenger, PSID, timedelta(hours=30))
    assert await sent_as("reminder") == ("MESSAGE_TAG", "CONFIRMED_EVENT_UPDATE")
    assert await sent_as("event_update") == ("MESSAGE_TAG", "CONFIRMED_EVENT_UPDATE")
    assert await sent_as("staff_reply") == ("MESSAGE_TAG", "HUMAN_AGENT")
    count = len(graph_api.sent)
    for kind in ("announcement", "notice", "staff_alert", None):
        with pytest.raises(OutsideWindow):
            await channel.send(PSID, hello, kind=kind)
    await set_last_message(messenger, PSID, timedelta(days=8))
    with pytest.raises(OutsideWindow):
        await channel.send(PSID, hello, kind="staff_reply")
    with pytest.raises(OutsideWindow):
        await channel.send("unknown-psid", hello, kind="reminder")
    assert len(graph_api.sent) == count  # nothing went out
    assert graph_api.violations == []


async def test_an_announcement_outside_the_window_is_skipped_and_counted(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    hub = messenger.telegram.hub
    assert hub is not None
    await messenger.say(PSID, "Where is your office?")
    await set_last_message(messenger, PSID, timedelta(hours=25))
    async with UnitOfWork(hub.database) as uow:
        person = (await uow.session.exec(select(Person).where(Person.external_id == PSID))).one()
        uow.session.add(Subscription(person_id=person.id, topics=["hub"]))
        announcement = Announcement(text="The hub opens a new library.", audience={"kind": "all"})
        uow.session.add(announcement)
        await uow.commit()
    before = len(graph_api.sent_to(PSID))
    assert await hub.services.announcements.queue(announcement.id or 0) == 1
    async with hub.session_factory() as session:  # no quiet hours in this test
        await session.exec(update(OutboxMessage).values(not_before=utcnow()))  # type: ignore[call-overload]
        await session.commit()
    assert messenger.telegram.scheduler is not None
    messenger.telegram.scheduler.worker.kick()
    for _ in range(100):
        async with hub.session_factory() as session:
            row = (await session.exec(select(OutboxMessage).where(
                OutboxMessage.kind == "announcement"))).one()
        if row.state not in ("pending", "sending"):  # wait for the outcome, not the claim
            break
        await asyncio.sleep(0.05)
    assert (row.state, row.last_error) == ("skipped", OUTSIDE_WINDOW)
    assert REGISTRY.get_sample_value("hubbot_deliveries_total", {
        "channel": "messenger", "outcome": "outside_window"}) >= 1
    assert len(graph_api.sent_to(PSID)) == before
    async with UnitOfWork(hub.database) as uow:
        from storage.repos.outbox import OutboxRepo
        counts = await uow.repo(OutboxRepo).batch_counts(announcement.id or 0)
    report = hub.services.announcements.progress_text(announcement, counts, True)
    assert "24-hour window: 1" in report


@pytest.mark.parametrize(("code", "subcode", "error"), [
    (551, 1545041, Unreachable), (10, 2018278, OutsideWindow), (190, None, BadPageToken),
    (4, None, RateLimited), (613, None, RateLimited), (100, None, Rejected)])
async def test_graph_errors_become_delivery_outcomes(
        messenger: MessengerHarness, graph_api: FakeGraphAPI, code: int, subcode: int | None,
        error: type[Exception]) -> None:
    channel = messenger.channel
    assert channel is not None
    await messenger.say(PSID, "Where is your office?")
    graph_api.fail_next(code, subcode, "refused")
    with pytest.raises(error):
        await channel.send(PSID, [Reply(text="Hello")], kind="notice")
    if code == 190:  # staff hear about it in their chat through the outbox
        hub = messenger.telegram.hub
        assert hub is not None
        async with hub.session_factory() as session:
            alerts = (await session.exec(select(OutboxMessage).where(
                OutboxMessage.kind == "staff_alert"))).all()
        assert len(alerts) == 1 and "MESSENGER_PAGE_TOKEN" in alerts[0].payload["replies"][0]["text"]


async def test_server_errors_are_retried(messenger: MessengerHarness,
                                         graph_api: FakeGraphAPI) -> None:
    hub = messenger.telegram.hub
    assert hub is not None
    await messenger.say(PSID, "Where is your office?")
    graph_api.fail_next(1, None, "temporary", status=500)
    await hub.core.send_replies("messenger", PSID, [Reply(text="Hello after a hiccup")])
    for _ in range(200):  # the outbox tries again after a couple of seconds
        if graph_api.sent_to(PSID)[-1].text == "Hello after a hiccup":
            break
        await asyncio.sleep(0.05)
    assert [m.text for m in graph_api.sent_to(PSID)].count("Hello after a hiccup") == 1


async def test_long_texts_many_buttons_links_and_files_fit_messenger(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    channel = messenger.channel
    assert channel is not None
    await messenger.say(PSID, "Where is your office?")
    before = len(graph_api.sent_to(PSID))
    long_text = " ".join(f"Sentence number {i} is here." for i in range(300))
    many = [[Button(label=f"Municipality number {i} of Imereti", payload=f"m:{i}")]
            for i in range(16)]
    await channel.send(PSID, [
        Reply(text=long_text, buttons=[[Button(label="Open the hub's website, please",
                                               url="https://example.org")]]),
        Reply(text="Choose", buttons=many),
        Reply(text="Your calendar file",
              document=Document("event.ics", b"BEGIN:VCALENDAR", "text/calendar"))],
        kind="notice")
    sent = graph_api.sent_to(PSID)[before:]
    assert graph_api.violations == []
    texts = [m.text for m in sent if "text" in m.message]
    assert all(t.endswith(".") for t in texts[:-1])  # cut at sentence ends
    assert "".join(texts).replace(" ", "") .startswith("Sentencenumber0")
    buttons = [b for m in sent for b in m.buttons]
    assert any(b["type"] == "web_url" for b in buttons)
    assert sum(1 for b in buttons if b["type"] == "postback") == 16
    assert all(len(b["title"]) <= 20 and not b["title"].endswith(" ") for b in buttons)
    [upload] = [m for m in sent if m.file is not None]
    assert upload.file == ("event.ics", b"BEGIN:VCALENDAR")


async def test_setup_sets_get_started_greeting_and_menu(
        graph_api: FakeGraphAPI, settings: Settings) -> None:
    from bot.cli import messenger as cli_messenger
    from bot.app import create_app

    configured = messenger_settings(graph_api, settings, staff_chat_id=-1002000)

    async def open_app(s: Settings):  # type: ignore[no-untyped-def]
        return await create_app(s, migrate=False)

    assert await cli_messenger.run(configured, argparse.Namespace(action="setup"),
                                   open_app) == 0
    [profile] = graph_api.profile_calls
    assert profile["get_started"] == {"payload": "/start"}
    assert {g["locale"] for g in profile["greeting"]} == {"default", "en_US"}
    payloads = {a["payload"] for menu in profile["persistent_menu"]
                for a in menu["call_to_actions"]}
    assert {"/start", "/ask", "/language", "/forget"} <= payloads
    assert graph_api.violations == []
    # Without a staff chat the hotline is off, and the menu does not offer it.
    assert await cli_messenger.run(configured.model_copy(update={"staff_chat_id": None}),
                                   argparse.Namespace(action="setup"), open_app) == 0
    payloads = {a["payload"] for menu in graph_api.profile_calls[-1]["persistent_menu"]
                for a in menu["call_to_actions"]}
    assert "/ask" not in payloads and {"/start", "/language", "/forget"} <= payloads
