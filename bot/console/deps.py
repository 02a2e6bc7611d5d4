"""What the console's pages reach: settings, the database, the services (stored on the app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.services.container import Services
from bot.services.faq_editor import FaqEditor
from bot.settings import Settings
from storage.engine import Database

if TYPE_CHECKING:
    from bot.app import HubApp


@dataclass
class ConsoleDeps:
    """The running bot's parts the console uses (the same services as the chat and the CLI)."""

    settings: Settings
    database: Database
    services: Services
    hub: HubApp | None = None

    def wake_outbox(self) -> None:
        """Tell this process's outbox worker that rows were queued (after the commit)."""
        if self.hub is not None and self.hub.core.on_queued is not None:
            self.hub.core.on_queued()

    def faq_editor(self) -> FaqEditor:
        """The running bot's FAQ editor (its changes wake this process's content watch)."""
        return self.services.faq_editor or FaqEditor(self.database)

    async def content_changed(self) -> None:
        """Answer with the FAQ content just changed in this process now (the others follow
        within seconds, see `bot/services/faq_store.py`)."""
        if self.hub is not None and self.hub.content_watch is not None:
            await self.hub.content_watch.check()

    @classmethod
    def of(cls, hub: HubApp) -> ConsoleDeps:
        """The dependencies of a running bot."""
        return cls(settings=hub.settings, database=hub.database, services=hub.services, hub=hub)


DEPS = web.AppKey("console_deps", ConsoleDeps)


def deps(request: web.Request) -> ConsoleDeps:
    """The console's dependencies, from any console request."""
    return request.config_dict[DEPS]
