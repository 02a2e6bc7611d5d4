"""One long-polling process per bot on PostgreSQL: the advisory-lock election, alone and in
real `hubbot run` processes against the stand-in Bot API (both answering, both sending)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.channels.poll_leader import PollLeader, polling_lock_key
from storage.engine import make_engine
from tests.conftest import _truncate_postgres
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.telegram_harness import buttons, free_port

pytestmark = pytest.mark.postgres

BECAME_POLLER = "is now the one that long-polls Telegram"
STANDS_BY = "this one stands by"
KEY = polling_lock_key("4242:TEST")
STAFF_CHAT = -1009900


@pytest.fixture
async def engines(postgres_database: str) -> AsyncIterator[list]:
    """Three engines on the test database, as three processes would have."""
    created = [make_engine(postgres_database, pool_size=2) for _ in range(3)]
    yield created
    for engine in created:
        await engine.dispose()


class Recorder:
    """Stands in for a Telegram channel: counts who polls."""

    def __init__(self, name: str, polling: set[str]) -> None:
        self.name, self.polling = name, polling
        self.started, self.stopped = asyncio.Event(), asyncio.Event()

    async def start(self) -> None:
        self.polling.add(self.name)
        self.started.set()

    async def stop(self) -> None:
        self.polling.discard(self.name)
        self.stopped.set()


async def test_only_one_elector_wins_and_releasing_hands_over(engines: list) -> None:
    first, second = PollLeader(engines[0], KEY), PollLeader(engines[1], KEY)
    other_bot = PollLeader(engines[2], polling_lock_key("777:OTHER"))
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await other_bot.acquire(), "another bot on the same database polls on its own"
        assert await first.alive()
        await first.release()
        assert await second.acquire()
        assert not await first.acquire()
    finally:
        for leader in (first, second, other_bot):
            await leader.release()


async def test_leading_hands_over_when_the_holder_stops(engines: list) -> None:
    polling: set[str] = set()
    a, b = Recorder("a", polling), Recorder("b", polling)
    tasks = {name: asyncio.create_task(PollLeader(engine, KEY, retry_seconds=0.1, check_seconds=0.1)
                                       .lead(r.start, r.stop))
             for name, engine, r in (("a", engines[0], a), ("b", engines[1], b))}
    try:
        done, _ = await asyncio.wait([asyncio.create_task(a.started.wait()),
                                      asyncio.create_task(b.started.wait())],
                                     timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert done, "nobody was elected"
        [winner] = polling
        loser = b if winner == "a" else a
        for _ in range(5):  # the loser keeps retrying meanwhile, and keeps losing
            await asyncio.sleep(0.1)
            assert polling == {winner}
        tasks[winner].cancel()
        await asyncio.gather(tasks[winner], return_exceptions=True)
        assert winner not in polling
        await asyncio.wait_for(loser.started.wait(), 10)
        assert polling == {loser.name}
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    assert polling == set()


async def test_a_holder_that_loses_its_connection_stops_polling(
        engines: list, postgres_database: str) -> None:
    polling: set[str] = set()
    a, b = Recorder("a", polling), Recorder("b", polling)
    holder = asyncio.create_task(PollLeader(engines[0], KEY, retry_seconds=0.1, check_seconds=0.1)
                                 .lead(a.start, a.stop))
    await asyncio.wait_for(a.started.wait(), 10)
    standby = asyncio.create_task(PollLeader(engines[1], KEY, retry_seconds=0.1, check_seconds=0.1)
                                  .lead(b.start, b.stop))
    try:
        async with engines[2].connect() as admin:  # as if the database dropped the holder
            terminated = (await admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"))).scalars().all()
        assert terminated == [True]
        await asyncio.wait_for(a.stopped.wait(), 10)
        await asyncio.wait_for(b.started.wait(), 10)
        assert polling == {"b"}
    finally:
        for task in (holder, standby):
            task.cancel()
        await asyncio.gather(holder, standby, return_exceptions=True)


class BotProcess:
    """`python -m bot.cli run` with its log lines collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path, role: str = "updates") -> BotProcess:
        """Start the process."""
        env = {**env, "HOST": "127.0.0.1", "PORT": str(free_port())}  # each its own web server
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--role", role, env=env, cwd=cwd,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            async with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._changed.notify_all()

    def logged(self, fragment: str) -> bool:
        """Whether some log line contains `fragment`."""
        return any(fragment in line for line in self.lines)

    async def wait_for_line(self, fragment: str, timeout: float) -> None:
        """Wait until a log line contains `fragment`."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.logged(fragment)), timeout)
            except TimeoutError:
                raise AssertionError(f"no log line with {fragment!r} within {timeout}s; "
                                     f"last log lines: {self.lines[-15:]}") from None

    async def terminate(self) -> int:
        """SIGTERM, then the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        await self._reader
        return code


async def _first_of(processes: list[BotProcess], fragment: str, timeout: float) -> BotProcess:
    """The first process to log `fragment`."""
    waits = {asyncio.create_task(p.wait_for_line(fragment, timeout)): p for p in processes}
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    first = next((task for task in done if task.exception() is None), None)
    if first is None:
        raise next(iter(done)).exception()  # type: ignore[misc]
    return waits[first]


async def _tap(api: FakeTelegramAPI, person: int, label: str) -> None:
    """Press the button starting with `label` under the latest message to `person`."""
    before = len(api.sent_messages(person))
    message = api.sent_messages(person)[-1]
    [data] = [d for text, d in buttons(message).items() if text.startswith(label)]
    api.push_callback(person, data, message_id=message["message_id"])
    await api.wait_for_messages(person, before + 1, timeout=30)


async def _ask_hotline(api: FakeTelegramAPI, person: int) -> None:
    """A person asks the hotline, tapping through /ask."""
    for step in ("/ask", "⚖️", "Kutaisi", f"Question of person {person}", "✅", "💬", "✅", "📨"):
        if step.startswith(("/", "Question")):
            before = len(api.sent_messages(person))
            api.push_text(person, step, language_code="en")
            await api.wait_for_messages(person, before + 1, timeout=30)
        else:
            await _tap(api, person, step)


async def test_two_processes_one_poller_and_a_takeover_after_kill_9(
        telegram_api: FakeTelegramAPI, postgres_database: str, tmp_path: Path) -> None:
    await _truncate_postgres(postgres_database)
    telegram_api.set_forum(STAFF_CHAT, True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "STAFF_"))}
    env |= {"TELEGRAM_BOT_TOKEN": telegram_api.token,
            "TELEGRAM_API_BASE_URL": telegram_api.base_url.removesuffix("/bot"),
            "DATABASE_URL": postgres_database, "LOG_LEVEL": "INFO",
            "STAFF_CHAT_ID": str(STAFF_CHAT), "STAFF_LANGUAGE": "en"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parents[1]),
                                                      env.get("PYTHONPATH")]))
    # both answer people (one polls) and both drain the outbox
    processes = [await BotProcess.start(env, tmp_path, role="all") for _ in range(2)]
    try:
        poller = await _first_of(processes, BECAME_POLLER, timeout=60)
        [standby] = [p for p in processes if p is not poller]
        await standby.wait_for_line(STANDS_BY, timeout=60)

        people = range(1001, 1021)
        for person in people:
            telegram_api.push_text(person, "Where is your office?", language_code="en")
        for person in people:
            [answer] = await telegram_api.wait_for_messages(person, 1, timeout=30)
            assert "111 Tsereteli" in answer["text"]
        askers = [3001, 3002, 3003]
        await asyncio.gather(*(_ask_hotline(telegram_api, person) for person in askers))
        for person in askers:  # each ticket: one topic, one card, whichever process sends
            await telegram_api.wait_for_call(
                "sendMessage", lambda c, p=person: c.params.get("chat_id") == STAFF_CHAT
                and f"Question of person {p}" in str(c.params.get("text")), timeout=30)

        poller.process.kill()  # kill -9: no clean-up, PostgreSQL drops its connections
        await poller.process.wait()
        await standby.wait_for_line(BECAME_POLLER, timeout=15)
        telegram_api.push_text(2001, "სად მდებარეობს თქვენი ოფისი?", language_code="ka")
        [georgian] = await telegram_api.wait_for_messages(2001, 1, timeout=15)
        assert "წერეთლის ქუჩა №111" in georgian["text"]

        for person in people:  # by now a second answer would have arrived
            assert len(telegram_api.sent_messages(person)) == 1, person
        conflicts = [c.response.get("description") for c in telegram_api.calls_to("getUpdates")
                     if c.response.get("error_code") == 409]
        assert conflicts == []
        topics = [c for c in telegram_api.calls_to("createForumTopic") if c.ok]
        assert len(topics) == len(askers), [(c.params, c.response) for c in
                                            telegram_api.calls_to("createForumTopic")]
        for person in askers:
            cards = [m for m in telegram_api.sent_messages(STAFF_CHAT)
                     if f"Question of person {person}" in (m.get("text") or "")]
            assert len(cards) == 1, person
    finally:
        codes = [await p.terminate() for p in processes]
    assert codes[processes.index(standby)] == 0, standby.lines
