"""Secrets and people's data kept out of logs and stored error texts.

Error texts of HTTP clients carry the request URL, and the Bot API's URL holds the bot token
(`…/bot123:ABC/sendMessage`); the Graph API's holds the page token (`?access_token=…`).
Database drivers put the offending values into their messages ("DETAIL: Key (x)=(…)"), which
SQLAlchemy's `hide_parameters` does not reach. So every log record and every stored error text
passes through `scrub`, and a database error is logged by its class and SQLSTATE only.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from sqlalchemy.exc import StatementError


MASK = "***"
_secrets: set[str] = set()
_PATTERNS = (
    (re.compile(r"bot\d+:[A-Za-z0-9_-]+"), "bot" + MASK),  # a Bot API URL
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), MASK),  # a bare Telegram token
    (re.compile(r"((?:access_token|appsecret_proof|verify_token|secret_token)=)[^&\s'\"]+"),
     r"\1" + MASK),
    (re.compile(r"(\"(?:access_token|appsecret_proof)\"\s*:\s*\")[^\"]+"), r"\1" + MASK),
)
_DRIVER_MODULES = ("asyncpg", "sqlite3", "aiosqlite", "psycopg", "sqlalchemy.dialects")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def remember(secrets: Iterable[str | None]) -> None:
    """Add secrets (tokens, app secret…) that must never appear in a log line or stored text."""
    _secrets.update(s for s in secrets if s and len(s) >= 4)


SECRET_SETTINGS = ("telegram_bot_token", "telegram_webhook_secret", "messenger_page_token",
                   "messenger_app_secret", "messenger_verify_token")


def remember_settings(settings: Any) -> None:
    """Remember every secret the settings (bot/settings.py `Settings`) hold."""
    remember(s.get_secret_value() for s in (
        getattr(settings, name) for name in SECRET_SETTINGS) if s is not None)


def scrub(text: str) -> str:
    """The text with every known secret and token-like pattern replaced by `***`."""
    for secret in sorted(_secrets, key=len, reverse=True):  # a longer secret may hold a shorter
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def is_database_error(exc: BaseException) -> bool:
    """True for a database driver's error, or SQLAlchemy's wrapper of one."""
    return isinstance(exc, StatementError) or type(exc).__module__.startswith(_DRIVER_MODULES)


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (exc, getattr(exc, "orig", None), exc.__cause__):
        for name in ("sqlstate", "pgcode", "sqlite_errorname"):
            code = getattr(candidate, name, None)
            if isinstance(code, str) and code:
                return code
    return None


def database_error_summary(exc: BaseException) -> str:
    """A database error by class and SQLSTATE only: its message may quote people's data."""
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    code = _sqlstate(exc)
    return f"{kind} [SQLSTATE {code}]" if code else kind


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in found):
        found.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__)
    return found


def error_text(exc: BaseException) -> str:
    """The exception as one safe line, for storing (outbox `last_error`) or logging."""
    chain = _chain(exc)
    database = next((e for e in chain if is_database_error(e)), None)
    if database is not None:
        return database_error_summary(database)
    return scrub(str(exc) or type(exc).__name__)


def format_exception(exc: BaseException) -> str:
    """A traceback like Python's, with secrets scrubbed and database messages left out."""
    chain = _chain(exc)
    hidden = [line for e in chain if is_database_error(e)
              for line in str(e).splitlines()[:1] if line.strip()]
    parts: list[str] = []
    for position, current in enumerate(reversed(chain)):  # the oldest first, as Python does
        if position:
            parts.append("\nThe above exception was the direct cause of the following exception:"
                         "\n\n" if current.__cause__ is not None else
                         "\nDuring handling of the above exception, another exception occurred:"
                         "\n\n")
        if current.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(current.__traceback__))
        if is_database_error(current):
            parts.append(database_error_summary(current) + "\n")
            continue
        line = "".join(traceback.format_exception_only(type(current), current))
        if any(fragment in line for fragment in hidden):  # a wrapper quoting the driver
            line = f"{type(current).__module__}.{type(current).__qualname__}\n"
        parts.append(line)
    return scrub("".join(parts).rstrip("\n"))


class RedactingFilter(logging.Filter):
    """Scrubs a record in place, its traceback included, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the message and traceback by their safe forms; never drops a record."""
        if record.args:
            record.args = _safe_args(record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = format_exception(record.exc_info[1])
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


Args = tuple[object, ...] | dict[str, object]


def _safe_args(args: Args) -> Args:
    """The record's arguments, a database error among them replaced by its safe line."""
    def safe(value: object) -> object:
        if isinstance(value, BaseException) and any(is_database_error(e) for e in _chain(value)):
            return error_text(value)
        return value
    if isinstance(args, dict):
        return {key: safe(value) for key, value in args.items()}
    return tuple(safe(value) for value in args)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose every line is scrubbed, tracebacks formatted by `format_exception`."""

    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]  # noqa: N802
        """The traceback without secrets or database messages."""
        return format_exception(ei[1])

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, scrubbed once more as a whole."""
        return scrub(super().format(record))


def protect(handler: logging.Handler, fmt: str) -> None:
    """Give a handler the scrubbing filter and formatter."""
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter(fmt))
