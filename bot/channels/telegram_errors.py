"""Telegram's errors as the core's delivery outcomes: every error has one."""

from __future__ import annotations

import logging

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.delivery import (
    ChatMoved,
    DeliveryError,
    RateLimited,
    Rejected,
    Transient,
    Unknown,
    Unreachable,
)

log = logging.getLogger(__name__)


def delivery_error(exc: TelegramError) -> DeliveryError:
    """Telegram's error as the core's delivery outcome (every error has one)."""
    if isinstance(exc, Forbidden):
        return Unreachable(str(exc))
    if isinstance(exc, ChatMigrated):
        return ChatMoved(str(exc.new_chat_id), str(exc))
    if isinstance(exc, RetryAfter):
        seconds = exc.retry_after
        return RateLimited(seconds if isinstance(seconds, int | float) else seconds.total_seconds(),
                           str(exc))
    if isinstance(exc, BadRequest):
        if any(s in str(exc).lower() for s in ("chat not found", "user is deactivated")):
            return Unreachable(str(exc))
        return Rejected(str(exc))
    if isinstance(exc, TimedOut):
        return Unknown(str(exc) or "timed out")  # it may have arrived: no answer came
    if isinstance(exc, InvalidToken):
        log.critical("Telegram refuses TELEGRAM_BOT_TOKEN: nothing can be sent until it is fixed")
    # NetworkError (5xx, refused), InvalidToken, an answer that is not JSON (a proxy's HTML
    # page): the platform did not take the message; try again later.
    return Transient(str(exc) or type(exc).__name__)
