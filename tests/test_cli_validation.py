"""Every `hubbot` command refuses bad input in one line with exit code 2, says "no such …" with
exit code 1, and otherwise prints its result without log noise. Run as real processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import HubApp
from storage.models import Person
from storage.models_events import Event
from storage.models_outbox import Announcement, Subscription
from tests.telegram_harness import TelegramHarness
from tests.test_cli import run
from tests.test_orgs_export import _add, _organisation, hubbot

FUTURE = f"{datetime.now(UTC).year + 2}-05-20T10:00"
PAST = f"{datetime.now(UTC).year - 1}-05-20T10:00"
ADD = ["events", "add", "--title", "Forum", "--starts", FUTURE, "--place", "Kutaisi"]


def _one_line(err: str, start: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(start), err
    assert "Traceback" not in err
    return lines[0]


def _with(options: list[str], **replaced: str) -> list[str]:
    """ADD with some options replaced (or added)."""
    args = list(options)
    for option, value in replaced.items():
        flag = "--" + option.replace("_", "-")
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    return args


@pytest.mark.parametrize(("args", "told"), [
    (_with(ADD, title="   "), "--title: must not be blank"),
    (_with(ADD, place=""), "--place: must not be blank"),
    (_with(ADD, starts=PAST), "is in the past"),
    (_with(ADD, starts="next Friday"), "cannot read the time"),
    (_with(ADD, ends=FUTURE.replace("10:00", "09:00")), "--ends must be after --starts"),
    (_with(ADD, deadline=PAST[:10]), "--deadline"),
    (_with(ADD, deadline=FUTURE.replace("05-20", "05-21")), "must not be after --starts"),
    (_with(ADD, capacity="0"), "must be at least 1"),
    (_with(ADD, capacity="many"), "not a whole number"),
    (_with(ADD, online_url="meet.example.org"), "--online-url must be a link"),
    (_with(ADD, kind="party"), "invalid choice"),
    (["events", "add", "--title", "Forum", "--place", "Kutaisi"], "--starts"),
    (["events", "move", "1", "--starts", PAST], "is in the past"),
    (["events", "move", "1", "--starts", FUTURE, "--ends", FUTURE], "--ends must be after"),
    (["events", "cancel", "abc"], "not an id"),
    (["events", "cancel", "0"], "not an id"),
    (["events", "attendees", "99999999999999"], "not an id"),
    (["events", "rename", "1"], "invalid choice"),
    (["orgs", "approve", "-3"], "not an id"),
    (["orgs", "reject", "1", "--reason", "  "], "--reason: must not be blank"),
    (["orgs", "list", "--status", "lost"], "invalid choice"),
    (["orgs", "export", "--format", "pdf"], "needs --output"),
    (["orgs", "export", "--format", "xlsx"], "needs --output"),
    (["announce", "   "], "must not be blank"),
    (["announce", "x" * 3501], "at most 3500"),
    (["announce", "Hi", "--audience", "everyone"], "use all, topic, municipality, event"),
    (["announce", "Hi", "--audience", "topic:nonsense"], "unknown topic; use one of forums"),
    (["announce", "Hi", "--audience", "topic:"], "unknown topic"),
    (["announce", "Hi", "--audience", "municipality:atlantis"], "unknown municipality"),
    (["announce", "Hi", "--audience", "event:next"], "an event is named by its id"),
    (["announce", "Hi", "--audience", "all:kutaisi"], "`all` takes no value"),
    (["messenger", "setup"], "set MESSENGER_PAGE_TOKEN"),
    (["db", "downgrade"], "invalid choice"),
    ([], "the following arguments are required: COMMAND"),
])
def test_bad_input_is_refused_in_one_line_with_exit_code_2(
        tmp_path: Path, args: list[str], told: str) -> None:
    result = run(args, tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    line = _one_line(result.stderr, "hubbot")
    assert told in line
    assert result.stdout == ""
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.xlsx"))


async def test_unknown_ids_exit_1_and_change_nothing(hub: HubApp, tmp_path: Path) -> None:
    url = hub.settings.database_url
    for args, told in (
            (["events", "cancel", "4242"], "no event with id 4242"),
            (["events", "move", "4242", "--starts", FUTURE], "no event with id 4242"),
            (["events", "attendees", "4242"], "no event with id 4242"),
            (["orgs", "approve", "4242"], "no organisation with id 4242"),
            (["orgs", "reject", "4242", "--reason", "Incomplete"], "no organisation with id 4242"),
            (["announce", "Hi", "--audience", "event:4242"], "no event with id 4242")):
        code, out, err = await hubbot(args, url, tmp_path)
        assert code == 1, (args, out, err)
        assert told in _one_line(err, "hubbot") and out == ""
    async with hub.session_factory() as session:
        assert (await session.exec(select(Announcement))).all() == []


async def test_a_cancelled_event_is_not_moved(hub: HubApp, tmp_path: Path) -> None:
    event = Event(kind="forum", title_ka="ფორუმი", starts_at=datetime.now(UTC) + timedelta(days=5),
                  cancelled_at=datetime.now(UTC))
    await _add(hub, event)  # type: ignore[arg-type]
    code, out, err = await hubbot(["events", "move", str(event.id), "--starts", FUTURE],
                                  hub.settings.database_url, tmp_path)
    assert code == 2 and out == "" and "is cancelled" in _one_line(err, "hubbot events move: ")
    async with hub.session_factory() as session:
        stored = await session.get(Event, event.id)
    assert stored is not None and stored.starts_at == event.starts_at


async def test_announce_counts_a_real_audience_and_queues_nothing_for_nobody(
        hub: HubApp, tmp_path: Path) -> None:
    async with hub.session_factory() as session:
        person = Person(channel="telegram", external_id="71", chat_id="71", display_name="Nino")
        session.add(person)
        await session.flush()
        session.add(Subscription(person_id=person.id, topics=["funding"], municipality="vani"))
        await session.commit()
    url = hub.settings.database_url
    code, out, err = await hubbot(["announce", "Grants", "--audience", "topic:funding",
                                   "--dry-run"], url, tmp_path)
    assert (code, out.strip(), err) == (0, "1 recipients", "")
    code, out, err = await hubbot(["announce", "Grants", "--audience", "municipality:kutaisi"],
                                  url, tmp_path)
    assert code == 0 and "nothing was queued" in out and err == ""
    async with hub.session_factory() as session:
        assert (await session.exec(select(Announcement))).all() == []


def test_a_command_prints_its_result_without_log_lines(tmp_path: Path) -> None:
    result = run(["events", "list"], tmp_path)
    assert result.returncode == 0
    assert result.stderr.strip() == "no events"  # no "bot ready" at INFO
    asked = run(["events", "list"], tmp_path, LOG_LEVEL="INFO")
    assert "bot ready" in asked.stderr


async def test_exports_go_where_staff_say_with_the_full_path_printed(
        hub: HubApp, tmp_path: Path) -> None:
    await _add(hub, _organisation("ქუთაისის ახალგაზრდული ცენტრი", "kutaisi", code="204567891"))
    folder, work = tmp_path / "exports", tmp_path / "work"
    folder.mkdir()
    work.mkdir()
    url = hub.settings.database_url
    code, out, err = await hubbot(["orgs", "export", "--format", "pdf", "-o", str(folder)],
                                  url, work, LOG_LEVEL="INFO")
    assert code == 0 and "bot ready" in err  # asked for INFO logs,
    assert "fontTools" not in err  # yet no pages of font subsetting detail
    [booklet] = folder.glob("booklet-*.pdf")
    assert out.strip() == f"wrote {booklet.resolve()} (1 organisations)"
    missing = tmp_path / "nowhere" / "orgs.xlsx"
    code, out, err = await hubbot(["orgs", "export", "--format", "xlsx", "-o", str(missing)],
                                  url, work)
    assert code == 2 and f"cannot write {missing}" in _one_line(err, "hubbot orgs export: ")
    assert list(work.iterdir()) == []  # nothing dropped where the command ran


def test_the_console_chat_does_not_greet_with_the_os_account(tmp_path: Path) -> None:
    import getpass

    result = run(["chat", "--lang", "en"], tmp_path, stdin="")
    assert "Hello, friend!" in result.stdout
    assert f"Hello, {getpass.getuser()}!" not in result.stdout


async def test_telegram_runs_no_second_scheduler(telegram: TelegramHarness) -> None:
    # python-telegram-bot would start its own APScheduler (its JobQueue) beside ours.
    [_greeting, _menu] = await telegram.send(4711, "/start", expect=2)
    with pytest.warns(UserWarning, match="No `JobQueue` set up"):
        assert telegram.channel.application.job_queue is None
