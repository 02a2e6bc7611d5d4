"""Shared fixtures: a real database (SQLite file and PostgreSQL), the wired bot, a stand-in Bot API.

Every test that takes `database_url` runs twice: on SQLite and on PostgreSQL. Without a
PostgreSQL server the PostgreSQL half skips with the reason; with CI=true it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot.app import HubApp, create_app
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from tests.fakes.graph_api import FakeGraphAPI
    from tests.fakes.telegram_api import FakeTelegramAPI
    from tests.messenger_harness import MessengerHarness
    from tests.staff_chat import StaffMember
    from tests.telegram_harness import TelegramHarness
from storage.engine import make_engine
from storage.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
T = TypeVar("T")
SETTINGS_ENV = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_URL", "STAFF_CHAT_ID",
                "TIMEZONE", "LOG_LEVEL", "HUB_PHONE", "HUB_EMAIL", "HUB_HOURS", "CONTENT_DIR",
                "FAQ_THRESHOLD", "TELEGRAM_RATE_LIMIT", "HOST", "PORT", "TELEGRAM_WEBHOOK_URL",
                "TELEGRAM_WEBHOOK_SECRET", "MESSENGER_PAGE_TOKEN", "MESSENGER_APP_SECRET",
                "MESSENGER_VERIFY_TOKEN", "MESSENGER_API_BASE_URL", "CONSOLE_PUBLIC_URL",
                "EXAMPLE_CONTENT")


def run_in_thread(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion in its own event loop (session set-up from async tests)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own settings."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "hub.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")

    async def _migrate() -> None:
        await upgrade(engine)
        await engine.dispose()

    run_in_thread(_migrate)
    return path


async def _postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    engine = make_engine(POSTGRES_ADMIN_URL, pool_size=1)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("select 1"))
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    problem = run_in_thread(_postgres_available)
    if problem is not None:
        reason = f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({problem})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        pytest.skip(reason)
    name = f"hubbot_test_{uuid.uuid4().hex[:10]}"
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    async def _admin(statement: str) -> None:
        admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
        try:
            async with admin.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await admin.dispose()

    async def _create() -> None:
        await _admin(f'CREATE DATABASE "{name}"')
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()

    async def _drop() -> None:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    run_in_thread(_create)
    yield url
    run_in_thread(_drop)


async def _truncate_postgres(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            tables = (await connection.execute(text(
                "select tablename from pg_tables where schemaname = 'public' "
                "and tablename <> 'alembic_version'"))).scalars().all()
            if tables:
                joined = ", ".join(f'"{t}"' for t in tables)
                await connection.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "hub.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        await _truncate_postgres(url)
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a test bot on the test database (no .env, no developer environment)."""
    return load_settings(_env_file=None, database_url=database_url)


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[HubApp]:
    """The wired bot, channel-free."""
    app = await create_app(settings, migrate=False)
    yield app
    await app.close()


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeTelegramAPI]:
    """The stand-in Bot API server on 127.0.0.1."""
    from tests.fakes.telegram_api import FakeTelegramAPI

    api = FakeTelegramAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def telegram(telegram_api: FakeTelegramAPI, settings: Settings) -> AsyncIterator[TelegramHarness]:
    """The real bot long-polling the stand-in Bot API, on the test database."""
    from tests.telegram_harness import TelegramHarness

    harness = TelegramHarness(telegram_api, settings.model_copy(
        update={"telegram_bot_token": SecretStr(telegram_api.token)}))
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
async def staffed(telegram_api: FakeTelegramAPI,
                  settings: Settings) -> AsyncIterator[TelegramHarness]:
    """The real bot with a staff chat without topics (`tests/staff_chat.py`'s STAFF_CHAT)."""
    from tests.staff_chat import STAFF_CHAT
    from tests.telegram_harness import staff_harness

    harness = staff_harness(telegram_api, settings, STAFF_CHAT, forum=False)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
async def hotline(telegram_api: FakeTelegramAPI,
                  settings: Settings) -> AsyncIterator[TelegramHarness]:
    """The real bot with a forum staff chat (`tests/hotline_steps.py`'s STAFF_CHAT)."""
    from tests.hotline_steps import STAFF_CHAT
    from tests.telegram_harness import staff_harness

    harness = staff_harness(telegram_api, settings, STAFF_CHAT)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
def staff(telegram_api: FakeTelegramAPI) -> StaffMember:
    """A staff member, Tamar, in that staff chat."""
    from tests.staff_chat import StaffMember

    return StaffMember(telegram_api)


@pytest.fixture
async def graph_api() -> AsyncIterator[FakeGraphAPI]:
    """The stand-in Graph API (Messenger) on 127.0.0.1."""
    from tests.fakes.graph_api import FakeGraphAPI

    api = FakeGraphAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def messenger(graph_api: FakeGraphAPI, telegram_api: FakeTelegramAPI,
                    settings: Settings) -> AsyncIterator[MessengerHarness]:
    """The bot on Messenger (webhook over HTTP) and Telegram (with a forum staff chat)."""
    from tests.messenger_harness import STAFF_CHAT, MessengerHarness

    harness = MessengerHarness(graph_api, telegram_api, settings, STAFF_CHAT)
    await harness.start()
    yield harness
    await harness.stop()


# The staff console's fixtures (`console`, `browser`): a running bot, its console and Chromium.
from tests.console_harness import browser, console  # noqa: F401
