"""The hub's features on Messenger: events with their reminders, subscriptions, and `hubbot run`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlmodel import select

from storage.models_events import CONFIRMED, EventRegistration
from storage.models_outbox import Subscription
from tests.fakes.graph_api import APP_SECRET, VERIFY_TOKEN, FakeGraphAPI, signed, text_event, webhook
from tests.messenger_harness import MessengerHarness, set_last_message
from tests.test_events import _stored_event
from tests.test_orgs_export import hubbot

PSID = "6100000000000021"


async def _register_on_messenger(messenger: MessengerHarness, event_id: int) -> None:
    """In English, typed as people do on Messenger (quick replies vanish once they type): the
    event's name, 1 participant, no names; the .ics comes as a file."""
    hub = messenger.telegram.hub
    assert hub is not None
    languages = await messenger.say(PSID, "/language")
    await messenger.tap(PSID, languages, "lang:en")
    listing = await messenger.say(PSID, "/events")
    assert any("Regional forum" in m.text for m in listing)
    count = await messenger.say(PSID, "regional forum")
    assert any("How many participants" in m.text for m in count)
    names = await messenger.say(PSID, "1")
    assert any("participants' names" in m.text for m in names)
    confirmed = await messenger.say(PSID, "skip")
    assert any("You are registered for Regional forum" in m.text for m in confirmed)
    assert any(m.file and m.file[0] == f"event-{event_id}.ics" for m in confirmed)
    async with hub.session_factory() as session:
        [registration] = (await session.exec(select(EventRegistration))).all()
    assert registration.status == CONFIRMED




async def test_staff_cancel_an_event_and_messenger_registrants_are_told_with_the_tag(
        messenger: MessengerHarness, graph_api: FakeGraphAPI, tmp_path: Path) -> None:
    hub = messenger.telegram.hub
    assert hub is not None
    event_id = await _stored_event(hub)
    await _register_on_messenger(messenger, event_id)
    await set_last_message(messenger, PSID, timedelta(hours=40))
    before = len(graph_api.sent_to(PSID))
    code, out, err = await hubbot(
        ["events", "cancel", str(event_id)], hub.settings.database_url, tmp_path,
        MESSENGER_PAGE_TOKEN=graph_api.token, MESSENGER_APP_SECRET=APP_SECRET,
        MESSENGER_VERIFY_TOKEN=VERIFY_TOKEN, MESSENGER_API_BASE_URL=graph_api.base_url)
    assert code == 0, err
    assert "registrants told: 1 of 1" in out
    told = graph_api.sent_to(PSID)[before:]
    assert any("has been cancelled" in m.text for m in told)
    assert {(m.messaging_type, m.tag) for m in told} == {("MESSAGE_TAG", "CONFIRMED_EVENT_UPDATE")}
    assert any(m.file for m in told)


async def test_register_for_an_event_and_get_a_tagged_reminder_after_a_day(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    hub = messenger.telegram.hub
    assert hub is not None
    event_id = await _stored_event(hub, starts_at=datetime.now(UTC) + timedelta(minutes=110))
    await _register_on_messenger(messenger, event_id)
    await set_last_message(messenger, PSID, timedelta(hours=30))
    before = len(graph_api.sent_to(PSID))
    assert await hub.services.routines.plan_reminders()
    assert messenger.telegram.scheduler is not None
    messenger.telegram.scheduler.worker.kick()
    sent = await graph_api.wait_for(PSID, before + 1)
    reminder = sent[before]
    assert "Reminder" in reminder.text
    assert (reminder.messaging_type, reminder.tag) == ("MESSAGE_TAG", "CONFIRMED_EVENT_UPDATE")
    assert graph_api.violations == []


async def test_subscribe_on_messenger(messenger: MessengerHarness,
                                      graph_api: FakeGraphAPI) -> None:
    hub = messenger.telegram.hub
    assert hub is not None
    sent = await messenger.say(PSID, "/subscribe")
    assert sent
    async with hub.session_factory() as session:
        [subscription] = (await session.exec(select(Subscription))).all()
    assert subscription.topics
    assert graph_api.violations == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_hubbot_run_serves_the_messenger_webhook_and_health(
        graph_api: FakeGraphAPI, tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUB_", "STAFF_", "TELEGRAM_", "MESSENGER_"))}
    env |= {"MESSENGER_PAGE_TOKEN": graph_api.token, "MESSENGER_APP_SECRET": APP_SECRET,
            "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN, "MESSENGER_API_BASE_URL": graph_api.base_url,
            "HOST": "127.0.0.1", "PORT": str(port),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.db'}"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(150):
                try:
                    async with http.get(f"{url}/healthz") as response:
                        health = response.status, await response.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the web server did not start")
            assert health[0] == 200
            assert health[1] | {"oldest_pending_seconds": 0} == {
                "status": "ok", "database": "ok", "outbox_worker": "running",
                "oldest_pending_seconds": 0}
            raw, headers = signed(webhook(text_event(PSID, "Where is your office?")))
            async with http.post(f"{url}/messenger/webhook", data=raw,
                                 headers=headers) as response:
                assert response.status == 200
            [answer] = await graph_api.wait_for(PSID, 1)
            assert "Kutaisi" in answer.text or "ქუთაის" in answer.text
            async with http.get(f"{url}/metrics") as response:
                assert 'hubbot_updates_total{channel="messenger"} 1.0' in await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, stderr.decode()


async def test_register_an_organisation_on_messenger(
        messenger: MessengerHarness, graph_api: FakeGraphAPI) -> None:
    from storage.models_orgs import PENDING, Organisation

    hub = messenger.telegram.hub
    assert hub is not None
    await messenger.tap(PSID, await messenger.say(PSID, "/language"), "lang:en")
    ask_name = await messenger.say(PSID, "/register")
    assert "name in Georgian" in ask_name[-1].text
    ask_en = await messenger.say(PSID, "ქუთაისის ახალგაზრდული ცენტრი")
    ask_form = await messenger.tap(PSID, ask_en, "Skip")
    ask_code = await messenger.tap(PSID, ask_form, "Non-commercial")
    assert "9 digits" in ask_code[-1].text
    ask_municipality = await messenger.say(PSID, "204 567 891")
    ask_areas = await messenger.tap(PSID, ask_municipality, "Kutaisi")
    toggled = await messenger.tap(PSID, ask_areas, "Youth")
    ask_contact = await messenger.tap(PSID, toggled, "Done")
    await messenger.say(PSID, "Nino Beridze")
    await messenger.say(PSID, "555 12 34 56")
    ask_site = await messenger.say(PSID, "info@example.ge")
    await messenger.tap(PSID, ask_site, "Skip")
    ask_consent = await messenger.say(PSID, "We help young people take part in local life.")
    ask_public = await messenger.tap(PSID, ask_consent, "Yes")
    review = await messenger.tap(PSID, ask_public, "Yes")
    assert ask_contact
    assert len(review) > 1  # 14 buttons: button templates of 3
    sent = await messenger.tap(PSID, review, "Send")
    assert sent
    async with hub.session_factory() as session:
        [organisation] = (await session.exec(select(Organisation))).all()
    assert organisation.status == PENDING and organisation.name_ka.startswith("ქუთაისის")
    assert graph_api.violations == []
