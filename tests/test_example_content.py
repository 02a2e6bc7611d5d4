"""Example content: a fresh clone's database shows the bot working; real data is never touched.

The command-line tests run `hubbot` as a newcomer would (a real process on a fresh SQLite file);
the rules are checked on both databases through the service the commands call.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import func
from sqlmodel import select

from bot.app import HubApp
from bot.i18n import translator
from bot.services.example_content import (
    Added,
    add_examples,
    add_on_first_start,
    remove_examples,
)
from bot.settings import Settings
from storage.models import Person, utcnow
from storage.models_events import CONFIRMED, Event, EventRegistration
from storage.models_hotline import Ticket, TicketMessage
from storage.models_orgs import APPROVED, PENDING, Organisation
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork
from tests.console_harness import free_port

HUBBOT = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parent.parent
TABLES = (Person, Organisation, Event, Ticket)


def hubbot(args: list[str], tmp_path: Path, *, stdin: str = "",
           **env: str) -> subprocess.CompletedProcess[str]:
    """Run `hubbot` with a clean environment on a SQLite file in `tmp_path` (a fresh clone)."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "HUB_", "DATABASE_", "STAFF_", "EXAMPLE_"))}
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'hubbot.db'}", "LANG": "C.UTF-8",
                    "PYTHONPATH": str(ROOT)}
    environment |= env
    return subprocess.run(HUBBOT + args, check=False, input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=environment, timeout=60)


async def counts(hub: HubApp) -> dict[str, int]:
    """Rows of each table that decides whether a database holds real data."""
    async with hub.session_factory() as session:
        return {table.__name__: int((await session.exec(
            select(func.count()).select_from(table))).one()) for table in TABLES}


async def add_real(hub: HubApp, kind: str) -> None:
    """One real row of `kind`, as the bot or staff would have made it."""
    now = utcnow()
    rows: dict[str, object] = {
        "person": Person(channel="telegram", external_id="777", chat_id="777"),
        "organisation": Organisation(name_ka="ფონდი", legal_form="foundation",
                                     municipality="vani", contact_name="ლია", phone="+995555123456",
                                     email="fund@example.com", description="რეალური",
                                     consent_store_at=now),
        "event": Event(title_ka="კრება", starts_at=now + timedelta(days=3)),
        "ticket": Ticket(channel="telegram", language="ka", topic="legal", municipality="vani",
                         question="რეალური კითხვა"),
    }
    async with UnitOfWork(hub.database) as uow:
        uow.session.add(rows[kind])
        await uow.commit()


def test_the_terminal_chat_of_a_fresh_clone_lists_the_example_events(tmp_path: Path) -> None:
    english = hubbot(["chat", "--lang", "en"], tmp_path, stdin="/events\n")
    assert english.returncode == 0, english.stderr
    assert "Example — Civic forum: the local budget" in english.stdout
    assert "Example — Training: writing a grant application" in english.stdout
    assert "Seats left: 38" in english.stdout  # two example participants hold seats

    # another terminal user, who has not chosen English: the Georgian titles
    georgian = hubbot(["chat", "--lang", "ka"], tmp_path, stdin="/events\n", USER="tamar",
                      LOGNAME="tamar")
    assert "მაგალითი — სამოქალაქო ფორუმი: ადგილობრივი ბიუჯეტი" in georgian.stdout
    with closing(sqlite3.connect(tmp_path / "hubbot.db")) as database:  # the second start
        assert database.execute("select count(*) from event").fetchone() == (3,)  # added none


def test_removed_with_one_command_and_not_brought_back_by_the_next_start(
        tmp_path: Path) -> None:
    assert hubbot(["chat", "--lang", "en"], tmp_path, stdin="").returncode == 0
    removed = hubbot(["db", "remove-examples"], tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == ("example content removed: 1 person, 2 organisations, "
                                      "3 events, 1 ticket")
    again = hubbot(["chat", "--lang", "en"], tmp_path, stdin="/events\n")
    assert "Example —" not in again.stdout
    assert "There are no upcoming events" in again.stdout
    assert hubbot(["db", "remove-examples"], tmp_path).stdout.strip() == \
        "no example content to remove"


def test_example_content_off_leaves_a_fresh_database_empty(tmp_path: Path) -> None:
    result = hubbot(["chat", "--lang", "en"], tmp_path, stdin="/events\n", EXAMPLE_CONTENT="off")
    assert result.returncode == 0, result.stderr
    assert "There are no upcoming events" in result.stdout


def test_add_examples_refuses_a_database_with_real_data_in_one_line(tmp_path: Path) -> None:
    hubbot(["chat", "--lang", "en"], tmp_path, stdin="hello\n", EXAMPLE_CONTENT="off")  # a person
    result = hubbot(["db", "add-examples"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [(
        "hubbot: the database already holds real data (people, organisations, events or "
        "tickets); example content is added only to an empty database")]


def test_a_bad_example_content_setting_stops_with_one_line(tmp_path: Path) -> None:
    result = hubbot(["chat"], tmp_path, EXAMPLE_CONTENT="maybe")
    assert result.returncode == 2
    assert result.stderr.strip() == "hubbot: bad setting EXAMPLE_CONTENT: use auto or off"


async def test_examples_are_marked_in_their_visible_text(hub: HubApp) -> None:
    async with UnitOfWork(hub.database) as uow:
        assert await add_examples(uow, hub.settings.tz) is Added.ADDED
        await uow.commit()
    async with hub.session_factory() as session:
        events = (await session.exec(select(Event))).all()
        organisations = (await session.exec(select(Organisation))).all()
        [ticket] = (await session.exec(select(Ticket))).all()
        messages = (await session.exec(select(TicketMessage))).all()
        [person] = (await session.exec(select(Person))).all()
    assert len(events) == 3
    assert all(e.title_ka.startswith("მაგალითი — ") and (e.title_en or "").startswith("Example — ")
               for e in events)
    assert all(e.starts_at > utcnow() for e in events)  # ahead of now, wherever "now" is
    assert sorted(o.status for o in organisations) == sorted([APPROVED, PENDING])
    assert all(o.name_ka.startswith("მაგალითი — ") for o in organisations)
    assert ticket.question.startswith("მაგალითი — ") and ticket.status == "open"
    assert {m.direction for m in messages} == {"in", "out", "note"}
    assert all("მაგალითი" in m.text for m in messages)
    assert person.display_name.startswith("მაგალითი — ")
    assert person.chat_id == ""  # nothing is ever sent to an example person


@pytest.mark.parametrize("kind", ["person", "organisation", "event", "ticket"])
async def test_never_added_to_a_database_with_real_data(hub: HubApp, kind: str) -> None:
    await add_real(hub, kind)
    before = await counts(hub)
    async with UnitOfWork(hub.database) as uow:
        assert await add_examples(uow, hub.settings.tz) is Added.REAL_DATA
        await uow.commit()
    sqlite = hub.settings.model_copy(update={"database_url": "sqlite+aiosqlite:///x.db"})
    assert await add_on_first_start(hub.database, sqlite) is False
    assert await counts(hub) == before


async def test_added_once_on_the_first_start_never_twice(hub: HubApp, settings: Settings) -> None:
    first_start = settings.model_copy(update={"database_url": "sqlite+aiosqlite:///x.db"})
    assert await add_on_first_start(hub.database, first_start) is True
    once = await counts(hub)
    assert once == {"Person": 1, "Organisation": 2, "Event": 3, "Ticket": 1}
    assert await add_on_first_start(hub.database, first_start) is False
    async with UnitOfWork(hub.database) as uow:
        assert await add_examples(uow, hub.settings.tz) is Added.ALREADY
        await uow.commit()
    assert await counts(hub) == once
    async with UnitOfWork(hub.database) as uow:  # removed: the next start does not add them
        await remove_examples(uow)
        await uow.commit()
    assert await add_on_first_start(hub.database, first_start) is False
    assert await counts(hub) == {"Person": 0, "Organisation": 0, "Event": 0, "Ticket": 0}


async def test_postgresql_gets_examples_only_when_asked(hub: HubApp, settings: Settings) -> None:
    postgres = settings.model_copy(update={"database_url": "postgresql+asyncpg://h/db"})
    assert await add_on_first_start(hub.database, postgres) is False
    off = settings.model_copy(update={"example_content": "off",
                                      "database_url": "sqlite+aiosqlite:///x.db"})
    assert await add_on_first_start(hub.database, off) is False
    assert sum((await counts(hub)).values()) == 0


async def test_removing_keeps_real_data_and_withdraws_what_was_queued_for_examples(
        hub: HubApp) -> None:
    async with UnitOfWork(hub.database) as uow:
        await add_examples(uow, hub.settings.tz)
        await uow.commit()
    # afterwards a real person registers for an example event and gets a reminder queued
    async with UnitOfWork(hub.database) as uow:
        forum = (await uow.session.exec(select(Event).where(Event.capacity == 40))).one()
        real = Person(channel="telegram", external_id="888", chat_id="888")
        uow.session.add(real)
        await uow.flush()
        assert real.id is not None and forum.id is not None
        uow.session.add(EventRegistration(event_id=forum.id, person_id=real.id, status=CONFIRMED))
        await uow.repo(OutboxRepo).enqueue([{
            "dedupe_key": f"reminder:event{forum.id}:888:1d", "kind": "reminder",
            "event_id": forum.id,  # a reminder names its event (withdrawn by it)
            "person_id": real.id, "channel": "telegram", "chat_id": "888",
            "payload": {"text": "soon"}, "not_before": utcnow() + timedelta(days=1)}])
        await uow.commit()
    async with UnitOfWork(hub.database) as uow:
        removed = await remove_examples(uow)
        await uow.commit()
    assert removed == {"person": 1, "organisation": 2, "event": 3, "ticket": 1}
    assert await counts(hub) == {"Person": 1, "Organisation": 0, "Event": 0, "Ticket": 0}
    async with hub.session_factory() as session:
        [row] = (await session.exec(select(OutboxMessage))).all()
        assert row.state != "pending"
        assert (await session.exec(select(func.count()).select_from(EventRegistration))).one() == 0


async def test_hubbot_console_open_on_a_fresh_clone_shows_the_examples_signed_in(
        tmp_path: Path, browser: Browser) -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "HUB_", "DATABASE_", "STAFF_", "EXAMPLE_"))}
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'hubbot.db'}", "LANG": "C.UTF-8",
                    "PYTHONPATH": str(ROOT), "HOST": "127.0.0.1", "PORT": str(port),
                    "BROWSER": "true"}  # webbrowser.open runs `true URL`: no window here
    process = await asyncio.create_subprocess_exec(
        *HUBBOT, "console", "open", cwd=tmp_path, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        link = re.search(r"http://\S+/console/login/\S+", line)
        assert link is not None, line
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(link.group(0))
        await page.get_by_role("button", name=translator("ka")("Sign in")).click()
        await expect(page.get_by_role("note")).to_contain_text("hubbot db remove-examples")
        await expect(page.get_by_role("link", name="მაგალითი — სამოქალაქო ფორუმი: ადგილობრივი "
                                                    "ბიუჯეტი")).to_be_visible()
        await context.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _out, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
