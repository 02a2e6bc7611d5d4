"""The FAQ content's home in the database: seeded from `content/*.yaml` when the tables are
empty, loaded at start, and reloaded by every running process within seconds of a change.

`ContentWatch` reads the one-row version (a primary-key lookup) every `interval` seconds; when
it moved, it reads the content, builds the matcher's index in a worker thread (the event loop
keeps answering meanwhile) and swaps the FAQ service's content and the canned answers at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bot.faq.content import FaqContent
from bot.faq.document import (
    Document,
    canned_answers,
    from_content_dir,
    offtopic_examples,
    to_content,
)
from bot.faq.matcher import FaqMatcher
from bot.services.faq import FaqService
from bot.services.tickets import Tickets
from storage.engine import Database
from storage.models_faq_content import FaqChange
from storage.repos.faq_content import FaqContentRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SEEDED_BY = "content files"
CHECK_EVERY = 2.0  # seconds; a change is answered within this plus the reload


async def seed_if_empty(database: Database, content_dir: Path) -> bool:
    """Fill empty tables from the content files (first start); True when it did.

    The version row is locked first, so two processes starting together seed once."""
    async with UnitOfWork(database) as uow:
        repo = uow.repo(FaqContentRepo)
        await repo.version(lock=True)
        if not await repo.is_empty():
            return False
        document = from_content_dir(content_dir)  # ContentError when the files are broken
        await repo.replace_all(document)
        version = await repo.add_change(FaqChange(
            who=SEEDED_BY, action="seed", scope="all", summary=f"seeded from {content_dir.name}/",
            before=None, after=None))
        await repo.bump(version)
        await uow.commit()
    log.info("FAQ content seeded from %s: %d topics", content_dir, len(document["topics"]))
    return True


async def load(database: Database) -> tuple[int, Document]:
    """The content's version and the content, read together."""
    async with UnitOfWork(database) as uow:
        repo = uow.repo(FaqContentRepo)
        version = await repo.version()
        return version, await repo.document()


async def current_version(database: Database) -> int:
    """The content's version (one primary-key read)."""
    async with database.sessions() as session:
        return await FaqContentRepo(session).version()


@dataclass(frozen=True)
class Index:
    """What a document becomes for answering."""

    version: int
    content: FaqContent
    matcher: FaqMatcher
    canned: dict[str, dict[str, str]]


def build_index(version: int, document: Document, threshold: float) -> Index:
    """Content, matcher and canned answers from a document (CPU only: run it off the loop)."""
    content = to_content(document)
    matcher = FaqMatcher(content, threshold=threshold, offtopic=offtopic_examples(document))
    return Index(version=version, content=content, matcher=matcher,
                 canned=canned_answers(document))


class ContentWatch:
    """Keeps one process's FAQ and canned answers at the database's version."""

    def __init__(self, database: Database, faq: FaqService, tickets: Tickets, *,
                 version: int, interval: float = CHECK_EVERY) -> None:
        self.database = database
        self.faq = faq
        self.tickets = tickets
        self.version = version
        self.interval = interval
        self.last_reload_seconds = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="faq content watch")

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def check(self) -> bool:
        """Reload when the version moved; True when it did."""
        if await current_version(self.database) == self.version:
            return False
        version, document = await load(self.database)
        started = time.perf_counter()
        index = await asyncio.to_thread(build_index, version, document,
                                        self.faq.matcher.threshold)
        self.last_reload_seconds = time.perf_counter() - started
        self.apply(index)
        log.info("FAQ content reloaded: version %d, %d topics, index built in %.0f ms",
                 version, len(document["topics"]), self.last_reload_seconds * 1000)
        return True

    def apply(self, index: Index) -> None:
        """Swap in a new index (no await in here: every turn sees one version or the other)."""
        self.faq.replace(index.content, index.matcher)
        self.tickets.canned = index.canned
        self.version = index.version

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — a database hiccup: keep what we have
                log.warning("FAQ content check failed (%s); trying again", type(exc).__name__)
