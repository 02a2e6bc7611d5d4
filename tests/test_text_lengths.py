"""Text longer than its column is refused politely before the database (it used to be a raw SQL
error on PostgreSQL): `hubbot events add`, the staff chat's /newevent form, event creation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import HubApp
from bot.services.events import create_event
from bot.settings import Settings
from storage.models_events import Event
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import TelegramHarness, buttons, staff_harness, wait_for_text
from tests.test_orgs_export import hubbot

STAFF_CHAT = -1003100
STAFF_USER = 903
ADD = ["events", "add", "--starts", "2031-05-20T10:00"]


async def _events(hub: HubApp) -> list[Event]:
    async with hub.session_factory() as session:
        return list((await session.exec(select(Event))).all())


@pytest.mark.parametrize(("options", "told"), [
    (["--title", "ფ" * 201, "--place", "Kutaisi"], "--title is 201 characters long; at most 200"),
    (["--title", "Forum", "--title-en", "F" * 250, "--place", "Kutaisi"], "--title-en is 250"),
    (["--title", "Forum", "--place", "Kutaisi, " + "x" * 300], "--place is 309 characters"),
    (["--title", "Forum", "--place", "https://meet.example.org/" + "x" * 500],
     "--place is 525 characters long; at most 500"),
    (["--title", "Forum", "--place", "Kutaisi", "--online-url", "https://x.ge/" + "y" * 600],
     "--online-url is 613 characters"),
])
async def test_cli_refuses_overlong_text_in_one_line(hub: HubApp, tmp_path: Path,
                                                     options: list[str], told: str) -> None:
    code, out, err = await hubbot(ADD + options, hub.settings.database_url, tmp_path)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("hubbot events add: ") and told in err
    assert "Traceback" not in err and out == ""
    assert await _events(hub) == []


async def test_cli_accepts_text_that_just_fits(hub: HubApp, tmp_path: Path) -> None:
    code, out, err = await hubbot(ADD + ["--title", "ფ" * 200, "--place", "x" * 300],
                                  hub.settings.database_url, tmp_path)
    assert code == 0, err
    [event] = await _events(hub)
    assert event.title_ka == "ფ" * 200 and event.address == "x" * 300


async def test_creating_an_overlong_event_names_the_field(hub: HubApp) -> None:
    event = Event(kind="forum", title_ka="Forum", address="x" * 301,
                  starts_at=datetime.now(UTC) + timedelta(days=3))
    async with UnitOfWork(hub.database) as uow:
        with pytest.raises(ValueError, match="address is 301 characters long; at most 300"):
            await create_event(uow, event)


@pytest.fixture
async def staffed(telegram_api: FakeTelegramAPI, settings: Settings
                  ) -> AsyncIterator[TelegramHarness]:
    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False)
    await harness.start()
    yield harness
    await harness.stop()


async def test_newevent_form_refuses_overlong_title_and_place(staffed: TelegramHarness) -> None:
    api = staffed.api
    name = "Ta\x00mar\ud800"  # the staff member's own name is hostile too

    def staff(text: str) -> None:
        api.push_text(STAFF_USER, text, chat_id=STAFF_CHAT, first_name=name)

    staff("/newevent")
    kinds = await wait_for_text(api, STAFF_CHAT, "What kind")
    api.push_callback(STAFF_USER, buttons(kinds)["Forum"], message_id=kinds["message_id"],
                      chat_id=STAFF_CHAT, first_name=name)
    await wait_for_text(api, STAFF_CHAT, "The title")
    staff("ფ" * 300)
    await wait_for_text(api, STAFF_CHAT, "keep the title under 200")
    staff("ფორუმი")
    await wait_for_text(api, STAFF_CHAT, "When does it start")
    staff("2031-05-20 10:00")
    await wait_for_text(api, STAFF_CHAT, "Where?")
    staff("Kutaisi, " + "x" * 300)
    await wait_for_text(api, STAFF_CHAT, "The place is 309 characters long; please shorten it "
                                         "to 300 characters at most.")
    staff("https://meet.example.org/" + "x" * 600)
    await wait_for_text(api, STAFF_CHAT, "to 500 characters at most")
    staff("Kutaisi, 111 Tsereteli St.")
    seats = await wait_for_text(api, STAFF_CHAT, "How many seats")
    api.push_callback(STAFF_USER, buttons(seats)["No seat limit"], message_id=seats["message_id"],
                      chat_id=STAFF_CHAT, first_name=name)
    confirm = await wait_for_text(api, STAFF_CHAT, "Create this event?")
    api.push_callback(STAFF_USER, buttons(confirm)["✅ Create"], message_id=confirm["message_id"],
                      chat_id=STAFF_CHAT, first_name=name)
    await wait_for_text(api, STAFF_CHAT, "created")
    assert staffed.hub is not None
    [event] = await _events(staffed.hub)
    assert event.title_ka == "ფორუმი" and event.address == "Kutaisi, 111 Tsereteli St."
    sent = " ".join(m.get("text") or "" for m in api.sent_messages(STAFF_CHAT))
    assert "went wrong" not in sent
