"""Telegram's webhook mode: the route that checks the secret header and feeds PTB's queue."""

from __future__ import annotations

import hmac
import logging
from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def add_webhook_route(app: web.Application, application: Application,  # type: ignore[type-arg]
                      secret: str) -> None:
    """Serve POST /telegram/webhook for `application` (built in webhook mode)."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        """Queue the update for PTB and answer at once; a wrong secret gets 403."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("Telegram webhook call with a wrong secret header refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="not an update")
        if update is not None:
            await application.update_queue.put(update)
        return web.Response(text="ok")

    app.router.add_post("/telegram/webhook", receive)
