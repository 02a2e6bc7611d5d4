"""Tokens never reach the logs or stored error texts, and database errors are logged without
the values they quote (people's questions)."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot import redact
from bot.app import HubApp
from storage.models import ProcessedEvent
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork
from tests.telegram_harness import TelegramHarness

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUESTION = "Is my landlord allowed to keep the deposit of Nino Kapanadze"
USER = 6501
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stream(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """The real handler set-up of `hubbot run` writing to a string, and caplog protected alike."""
    caplog.set_level(logging.INFO)
    redact.protect(caplog.handler, FORMAT)
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    redact.protect(handler, FORMAT)
    logging.getLogger().addHandler(handler)
    yield text
    logging.getLogger().removeHandler(handler)


async def _last_error(hub: HubApp, key: str) -> str | None:
    async with hub.session_factory() as session:
        row = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.dedupe_key == key))).one()
        return row.last_error


async def test_redirect_loop_leaves_the_token_in_no_log_and_no_stored_error(
        telegram: TelegramHarness, caplog: pytest.LogCaptureFixture,
        stream: io.StringIO) -> None:
    api, hub = telegram.api, telegram.hub
    assert hub is not None
    api.fault_next("sendMessage", "redirect", times=100)
    api.push_text(USER, "Where is your office?")
    await api.wait_for_call("sendMessage", timeout=10)
    async with UnitOfWork(hub.database) as uow:
        await uow.repo(OutboxRepo).enqueue([{
            "dedupe_key": "test:redirect", "kind": "notice", "channel": "telegram",
            "chat_id": str(USER), "payload": {"replies": [{"text": "hello"}]}}])
        await uow.commit()
    assert hub.core.on_queued is not None
    hub.core.on_queued()
    for _ in range(400):  # the reply's retries and the outbox's first attempt take seconds
        error = await _last_error(hub, "test:redirect")
        if error and "TooManyRedirects" in error and any(
                "could not be sent" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.05)
    assert error is not None and "TooManyRedirects" in error  # the error text itself is kept
    assert "127.0.0.1" in error and "/bot***/sendMessage" in error
    logged = caplog.text + stream.getvalue()
    assert "TooManyRedirects" in logged  # what went wrong is there…
    for secret in (api.token, "TEST-TOKEN"):  # …without the token
        assert secret not in logged and secret not in error


async def test_database_error_is_logged_by_class_and_sqlstate(
        hub: HubApp, caplog: pytest.LogCaptureFixture, stream: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    async with UnitOfWork(hub.database) as uow:
        uow.session.add(ProcessedEvent(channel="telegram", event_key=QUESTION))
        await uow.commit()
    with pytest.raises(Exception) as raised:
        async with UnitOfWork(hub.database) as uow:
            uow.session.add(ProcessedEvent(channel="telegram", event_key=QUESTION))
            await uow.commit()
    try:
        raise RuntimeError("while storing a question") from raised.value
    except RuntimeError:
        log.exception("error while handling a telegram event")
    log.warning("could not store: %s", raised.value)
    logged = caplog.text + stream.getvalue()
    assert "IntegrityError" in logged and "SQLSTATE" in logged
    if hub.settings.database_url.startswith("postgresql"):
        assert "23505" in logged  # unique_violation
    assert "while storing a question" in logged  # our own messages stay readable
    assert QUESTION not in logged and "Kapanadze" not in logged
    assert "landlord" not in redact.error_text(raised.value)


def test_scrub_hides_configured_secrets_and_token_patterns() -> None:
    redact.remember(["s3cret-app-value", "verify-me-please"])
    text = redact.scrub(
        "GET https://api.telegram.org/bot987654:AAF-abc_def/getMe failed; "
        "POST https://graph.facebook.com/v21.0/me/messages?access_token=EAAGm0PX4ZCps&x=1; "
        "secret s3cret-app-value, verify verify-me-please; "
        'body {"access_token": "EAAGm0PX4ZCps"}; '
        "bare 1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    for secret in ("987654:AAF", "EAAGm0PX4ZCps", "s3cret-app-value", "verify-me-please",
                   "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"):
        assert secret not in text
    assert "https://api.telegram.org/bot***/getMe" in text and "access_token=***&x=1" in text


def test_traceback_of_a_messenger_error_hides_the_page_token() -> None:
    record = logging.LogRecord("bot.channels.messenger", logging.ERROR, __file__, 1,
                               "send failed for %s", ("page-token-abc123",), None)
    try:
        raise OSError("Cannot connect: https://graph/v21.0/me/messages?access_token=abc.def")
    except OSError:
        import sys

        record.exc_info = sys.exc_info()
    redact.remember(["page-token-abc123"])
    formatted = redact.RedactingFormatter(FORMAT).format(record)
    assert "OSError" in formatted and "Traceback" in formatted
    assert "page-token-abc123" not in formatted and "abc.def" not in formatted


def test_the_command_line_logging_hides_tokens_in_tracebacks(tmp_path: Path) -> None:
    script = (
        "import logging\n"
        "from bot.cli.startup import setup_logging\n"
        "from bot.settings import load_settings\n"
        "setup_logging(load_settings(_env_file=None))\n"
        "try:\n"
        "    raise OSError('GET http://proxy/bot42:secret-of-the-bot/getMe?x=MyVerifyToken9')\n"
        "except OSError:\n"
        "    logging.getLogger('telegram.ext').exception('polling failed for %s',\n"
        "                                                'MyPageToken1')\n")
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "MESSENGER_"))}
    environment |= {"TELEGRAM_BOT_TOKEN": "42:secret-of-the-bot", "PYTHONPATH": str(ROOT),
                    "MESSENGER_PAGE_TOKEN": "MyPageToken1", "MESSENGER_APP_SECRET": "MyAppSecret5",
                    "MESSENGER_VERIFY_TOKEN": "MyVerifyToken9"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=60, check=True)
    assert "OSError" in done.stderr and "polling failed for ***" in done.stderr
    for secret in ("secret-of-the-bot", "MyPageToken1", "MyVerifyToken9"):
        assert secret not in done.stderr
