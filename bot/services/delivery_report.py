"""Telling staff about messages the bot gave up on, once, instead of failing silently."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.i18n import N_, translator
from bot.services.hotline import Hotline
from bot.settings import Settings
from storage.engine import Database
from storage.models import utcnow
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Messages to people about their own affairs; when one is given up, staff should know.
TOLD_KINDS = frozenset({"notice", "event_update", "reminder"})
KIND_NAMES = {"notice": N_("a notice"), "event_update": N_("an event update"),
              "reminder": N_("a reminder")}


@dataclass
class DeliveryReport:
    """The outbox worker's `on_final`: the hotline's topic notes, and one alert an hour."""

    database: Database
    settings: Settings
    hotline: Hotline

    async def on_final(self, row: OutboxMessage, outcome: str, error: str | None) -> None:
        """A row ended undelivered: tell whoever should know."""
        await self.hotline.on_final(row, outcome, error)
        if outcome != "failed":
            return
        log.warning("gave up on outbox row %s (%s) after %s", row.id, row.kind,
                    self.settings.delivery_give_up)
        if row.kind not in TOLD_KINDS or self.settings.staff_chat_id is None:
            return
        _ = translator(self.settings.staff_language)
        text = _(N_("⚠️ The bot could not deliver {what} to a person and stopped trying after "
                    "{limit}. Further failures this hour are not reported.")).format(
            what=_(KIND_NAMES[row.kind]), limit=self.settings.delivery_give_up)
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).enqueue([{
                "dedupe_key": f"staff:delivery-failed:{utcnow():%Y%m%d%H}", "kind": "staff_alert",
                "channel": "telegram", "chat_id": str(self.settings.staff_chat_id),
                "payload": {"replies": [{"text": text, "buttons": []}]}}])
            await uow.commit()
