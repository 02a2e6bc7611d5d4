"""Text longer than its column is refused politely before the database (it used to be a raw SQL
error on PostgreSQL): `hubbot events add`, the staff chat's /newevent form, event creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import HubApp
from bot.services.events import create_event
from storage.models_events import Event
from storage.uow import UnitOfWork
from tests.staff_chat import STAFF_CHAT, StaffMember, rows
from tests.telegram_harness import TelegramHarness
from tests.test_orgs_export import hubbot

ADD = ["events", "add", "--starts", "2031-05-20T10:00"]


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
    assert await rows(hub, Event) == []


async def test_cli_accepts_text_that_just_fits(hub: HubApp, tmp_path: Path) -> None:
    code, _out, err = await hubbot(ADD + ["--title", "ფ" * 200, "--place", "x" * 300],
                                   hub.settings.database_url, tmp_path)
    assert code == 0, err
    [event] = await rows(hub, Event)
    assert event.title_ka == "ფ" * 200 and event.address == "x" * 300


async def test_creating_an_overlong_event_names_the_field(hub: HubApp) -> None:
    event = Event(kind="forum", title_ka="Forum", address="x" * 301,
                  starts_at=datetime.now(UTC) + timedelta(days=3))
    async with UnitOfWork(hub.database) as uow:
        with pytest.raises(ValueError, match="address is 301 characters long; at most 300"):
            await create_event(uow, event)


async def test_newevent_form_refuses_overlong_title_and_place(staffed: TelegramHarness) -> None:
    staff = StaffMember(staffed.api, name="Ta\x00mar\ud800")  # their own name is hostile too
    staff.write("/newevent")
    staff.press(await staff.sees("What kind"), "Forum")
    await staff.sees("The title")
    staff.write("ფ" * 300)
    await staff.sees("keep the title under 200")
    staff.write("ფორუმი")
    await staff.sees("When does it start")
    staff.write("2031-05-20 10:00")
    await staff.sees("Where?")
    staff.write("Kutaisi, " + "x" * 300)
    await staff.sees("The place is 309 characters long; please shorten it to 300 characters at "
                     "most.")
    staff.write("https://meet.example.org/" + "x" * 600)
    await staff.sees("to 500 characters at most")
    staff.write("Kutaisi, 111 Tsereteli St.")
    staff.press(await staff.sees("How many seats"), "No seat limit")
    staff.press(await staff.sees("Create this event?"), "✅ Create")
    await staff.sees("created")
    [event] = await rows(staffed, Event)
    assert event.title_ka == "ფორუმი" and event.address == "Kutaisi, 111 Tsereteli St."
    sent = " ".join(m.get("text") or "" for m in staffed.api.sent_messages(STAFF_CHAT))
    assert "went wrong" not in sent
