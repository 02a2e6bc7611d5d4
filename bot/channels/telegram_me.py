"""The bot's own @username, for links that open it (posters): TELEGRAM_BOT_USERNAME, else
asked of the Bot API's getMe once per process. Never called inside a transaction."""

from __future__ import annotations

import logging

import aiohttp

from bot.channels.telegram import api_urls
from bot.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_API = "https://api.telegram.org"
_known: dict[str, str] = {}  # token → username


async def bot_username(settings: Settings) -> str | None:
    """The bot's username, or None when there is neither a setting nor a token that answers."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if settings.telegram_bot_token is None:
        return None
    token = settings.telegram_bot_token.get_secret_value()
    if token in _known:
        return _known[token]
    api, _files = api_urls(settings.telegram_api_base_url or DEFAULT_API)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session, \
                session.get(f"{api}{token}/getMe") as response:
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("getMe failed (%s); set TELEGRAM_BOT_USERNAME", type(exc).__name__)
        return None
    username = (body.get("result") or {}).get("username") if isinstance(body, dict) else None
    if isinstance(username, str) and username:
        _known[token] = username
        return username
    return None
