"""Telling people from a `hubbot` command, a process that does not poll: through the outbox."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.delivery import notice_row
from bot.core.messages import Notice
from bot.services.outbox import OutboxWorker
from bot.services.rate_limits import FloodLimits
from bot.services.staff_notices import notice_for
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import HubApp

log = logging.getLogger(__name__)

DRAIN_SECONDS = 60  # then what is left waits for the running bot

__all__ = ["deliver_notices", "notice_for"]


async def deliver_notices(hub: HubApp, notices: list[Notice]) -> int:
    """Queue notices in the outbox and send them now; returns how many are not delivered yet.

    They go through the outbox like everything else (limits, retries, unreachable people):
    this process drains its own rows through the channels it can open (Telegram sends without
    polling); what it cannot deliver now stays queued for the running bot.
    """
    if not notices:
        return 0
    origin = uuid.uuid4().hex
    keys = [f"{n.channel}:{n.chat_id}:staff-command:{origin}:{i}" for i, n in enumerate(notices)]
    async with UnitOfWork(hub.database) as uow:
        outbox = uow.repo(OutboxRepo)
        await outbox.enqueue([notice_row(n, key) for n, key in zip(notices, keys, strict=True)])
        await uow.commit()
        ids = await outbox.ids_for(keys)
    closers = await _open_senders(hub, {n.channel for n in notices})
    try:
        worker = OutboxWorker(hub.database, hub.core.senders,
                              FloodLimits(hub.settings.telegram_rate_limit), only=ids)
        deadline = asyncio.get_running_loop().time() + DRAIN_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            if await worker.drain_once():
                continue
            async with UnitOfWork(hub.database) as uow:
                states = await uow.repo(OutboxRepo).states(ids)
            if not states.get("sending"):
                break  # done, or waiting for a retry later: the running bot will do it
            await asyncio.sleep(0.1)  # a running bot is sending some of them right now
    finally:
        for close in closers:
            await close()
    async with UnitOfWork(hub.database) as uow:
        states = await uow.repo(OutboxRepo).states(ids)
    return len(ids) - states.get("sent", 0)


async def _open_senders(hub: HubApp, channels: set[str]) -> list[Callable[[], Awaitable[None]]]:
    """Open the channels this process can send on; returns how to close them."""
    closers: list[Callable[[], Awaitable[None]]] = []
    if hub.settings.telegram_bot_token is not None and "telegram" in channels:
        from bot.channels.telegram import TelegramChannel

        channel = TelegramChannel(hub)  # registers itself as the core's Telegram sender
        await channel.application.initialize()
        closers.append(channel.application.shutdown)
    if hub.settings.messenger_enabled and "messenger" in channels:
        from bot.channels.messenger import MessengerChannel

        closers.append(MessengerChannel(hub).stop)
    return closers
