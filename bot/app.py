"""The application factory: wires settings, storage, content, features and the core."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import redact
from bot.core.delivery import Sender
from bot.core.engine import ConversationCore
from bot.core.router import Router
from bot.faq.content import load_faq, load_offtopic
from bot.faq.matcher import FaqMatcher
from bot.services import faq_store
from bot.services.announcements import Announcements
from bot.services.checkin import CheckIn
from bot.services.container import Services
from bot.services.early_replies import EarlyReplies
from bot.services.faq import FaqService
from bot.services.faq_editor import FaqEditor
from bot.services.faq_store import ContentWatch
from bot.services.feedback import Feedback
from bot.services.hotline import Hotline
from bot.services.routines import Routines
from bot.services.tickets import Tickets
from bot.settings import Settings
from bot.warmup import warm_up
from handlers import FEATURES, build_router
from handlers import hotline as hotline_feature
from storage.engine import Database, open_database
from storage.migrate import upgrade
from storage.models import utcnow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PROCESSED_EVENTS_KEPT = timedelta(days=3)


@dataclass
class HubApp:
    """A wired bot, independent of any channel."""

    settings: Settings
    database: Database
    router: Router
    services: Services
    core: ConversationCore
    content_watch: ContentWatch | None = None

    def watch_content(self, interval: float | None = None) -> None:
        """Follow content changes made by other processes (long-running processes call it)."""
        if self.content_watch is not None:
            if interval is not None:
                self.content_watch.interval = interval
            self.content_watch.start()

    @property
    def engine(self) -> AsyncEngine:
        """The database engine."""
        return self.database.engine

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        """Plain sessions, for reading outside a unit of work."""
        return self.database.sessions

    async def close(self) -> None:
        """Stop watching the content; release database connections."""
        if self.content_watch is not None:
            await self.content_watch.stop()
        await self.database.dispose()


async def forget_old_events(database: Database) -> None:
    """Drop redelivery records past any redelivery window (Telegram reuses ids after a week)."""
    async with UnitOfWork(database) as uow:
        dropped = await uow.processed.forget_before(utcnow() - PROCESSED_EVENTS_KEPT)
        await uow.commit()
    if dropped:
        log.info("forgot %d old processed-event records", dropped)


def build_faq(settings: Settings, router: Router) -> FaqService:
    """Load the FAQ content and index it."""
    content = load_faq(settings.content_dir / "faq.yaml")
    offtopic = load_offtopic(settings.content_dir / "faq_offtopic.yaml")
    matcher = FaqMatcher(content, threshold=settings.faq_threshold, offtopic=offtopic)
    return FaqService(content=content, matcher=matcher, settings=settings,
                      has_command=router.has_command)


async def create_app(settings: Settings, *, migrate: bool = True,
                     features: tuple[ModuleType, ...] = FEATURES) -> HubApp:
    """Build the bot: migrate the database, seed and load the content, register features."""
    redact.remember_settings(settings)  # stored error texts are scrubbed of these too
    database = open_database(settings.database_url)
    if migrate:
        await upgrade(database.engine)
    await forget_old_events(database)
    if settings.staff_chat_id is None and hotline_feature in features:
        # Promise nothing nobody would see: no /ask, no menu item, no "Talk to a person" into it.
        features = tuple(f for f in features if f is not hotline_feature)
    router = build_router(features)
    await faq_store.seed_if_empty(database, settings.content_dir)
    version, document = await faq_store.load(database)
    index = await asyncio.to_thread(faq_store.build_index, version, document,
                                    settings.faq_threshold)
    faq = FaqService(content=index.content, matcher=index.matcher, settings=settings,
                     has_command=router.has_command)
    senders: dict[str, Sender] = {}  # filled by the channels that start
    hotline = Hotline(database=database, settings=settings)
    tickets = Tickets(hotline, index.canned)  # both follow content changes (`watch_content`)
    watch = faq_store.ContentWatch(database, faq, tickets, version=version)
    services = Services(settings=settings, faq=faq,
                        hotline=hotline,
                        announcements=Announcements(database, settings, desk_holder=hotline),
                        routines=Routines(database, settings, hotline),
                        tickets=tickets, early_replies=EarlyReplies(tickets),
                        checkin=CheckIn(settings),
                        feedback=Feedback(database, settings),
                        faq_editor=FaqEditor(database, on_change=watch.poke))
    core = ConversationCore(database, router, services, senders)
    warm_up()  # no first-use loading or full garbage collection of all this later
    log.info("bot ready: %d FAQ topics, %d commands", len(services.faq.content.topics),
             len(router.commands))
    return HubApp(settings=settings, database=database, router=router, services=services,
                  core=core, content_watch=watch)
