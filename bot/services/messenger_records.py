"""What the Messenger channel reads and records: when a person last wrote, and a staff alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.i18n import N_, translator
from bot.settings import Settings
from storage.engine import Database
from storage.models import utcnow
from storage.repos.outbox import OutboxRepo
from storage.repos.people import PeopleRepo
from storage.uow import UnitOfWork

CHANNEL = "messenger"


@dataclass
class MessengerRecords:
    """The Messenger channel's `MessengerStore` (bot/channels/messenger.py) on the database."""

    database: Database
    settings: Settings

    async def last_inbound(self, psid: str) -> datetime | None:
        """When the person with this page-scoped id last wrote (None: never)."""
        async with self.database.sessions() as session:
            return await PeopleRepo(session).last_inbound(channel=CHANNEL, external_id=psid)

    async def alert_bad_token(self) -> bool:
        """Queue one alert an hour for staff that the page token is refused; False when there
        is no staff chat to tell."""
        settings = self.settings
        if settings.staff_chat_id is None:
            return False
        _ = translator(settings.staff_language)
        text = _(N_("🚨 Messenger refuses the page token (MESSENGER_PAGE_TOKEN): nothing reaches "
                    "people on Messenger until it is replaced."))
        async with UnitOfWork(self.database) as uow:
            await uow.repo(OutboxRepo).enqueue([{
                "dedupe_key": f"staff:messenger-token:{utcnow():%Y%m%d%H}",
                "kind": "staff_alert", "channel": "telegram",
                "chat_id": str(settings.staff_chat_id),
                "payload": {"replies": [{"text": text, "buttons": []}]}}])
            await uow.commit()
        return True
