"""Telling people from a process that does not poll (the `hubbot` staff commands)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.messages import Document, Notice, Reply
from storage.models import Person

if TYPE_CHECKING:
    from bot.app import HubApp

log = logging.getLogger(__name__)


def notice_for(person: Person, text: str, document: Document | None = None,
               kind: str | None = None) -> Notice:
    """A message for one person on the channel they wrote from."""
    return Notice(channel=person.channel, chat_id=person.chat_id,
                  replies=[Reply(text=text, document=document)], person_id=person.id, kind=kind)


async def deliver_notices(hub: HubApp, notices: list[Notice]) -> int:
    """Send notices through the configured channels; returns how many could not be sent.

    Telegram can send without polling, so a CLI process opens the channel just for this.
    """
    if not notices:
        return 0
    channel = None
    if hub.settings.telegram_bot_token is not None and any(
            n.channel == "telegram" for n in notices):
        from bot.channels.telegram import TelegramChannel

        channel = TelegramChannel(hub)  # registers itself as the core's Telegram sender
        await channel.application.initialize()
    messenger = None
    if hub.settings.messenger_enabled and any(n.channel == "messenger" for n in notices):
        from bot.channels.messenger import MessengerChannel

        messenger = MessengerChannel(hub)
    untold = 0
    try:
        for notice in notices:
            sender = hub.core.senders.get(notice.channel)
            if sender is None:
                untold += 1
                continue
            try:
                await sender.send(notice.chat_id, notice.replies, notice.thread_id,
                                  kind=notice.kind)
            except Exception:  # noqa: BLE001 — one failure must not stop the others
                log.exception("could not deliver a notice on %s", notice.channel)
                untold += 1
    finally:
        if channel is not None:
            await channel.application.shutdown()
        if messenger is not None:
            await messenger.stop()
    return untold
