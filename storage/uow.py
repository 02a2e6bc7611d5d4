"""One unit of work per incoming event: a session, its repositories, an explicit commit."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self, TypeVar

from storage.engine import Database
from storage.repos.conversations import ConversationRepo
from storage.repos.processed_updates import ProcessedEventRepo
from storage.repos.faq import FaqRepo
from storage.repos.payloads import ButtonPayloadRepo
from storage.repos.people import PeopleRepo

R = TypeVar("R")


class UnitOfWork:
    """Opens a session; nothing is written unless `commit()` is called."""

    def __init__(self, database: Database, *, urgent: bool = False, brief: bool = False) -> None:
        self._database = database
        self._urgent = urgent  # someone waits for it (a person's turn): goes before background
        # A few small indexed statements (a person's turn): on SQLite they run in the event
        # loop's thread, cheaper than aiosqlite's hand-overs (storage/engine.py).
        self._brief = brief

    async def __aenter__(self) -> Self:
        if self._database.write_lock is not None:
            await self._database.write_lock.acquire(urgent=self._urgent)
        factory = self._database.turn_sessions if self._brief else self._database.sessions
        self.session = factory()
        self.people = PeopleRepo(self.session)
        self.conversations = ConversationRepo(self.session)
        self.processed = ProcessedEventRepo(self.session)
        self.payloads = ButtonPayloadRepo(self.session)
        self.faq = FaqRepo(self.session)
        self._repos: dict[type[Any], Any] = {}
        return self

    def repo(self, repo_class: type[R]) -> R:
        """A feature's repository on this unit of work's session (one instance per class)."""
        if repo_class not in self._repos:
            self._repos[repo_class] = repo_class(self.session)  # type: ignore[call-arg]
        return self._repos[repo_class]  # type: ignore[no-any-return]

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted and detaches objects without expiring them.
        try:
            await self.session.close()
        finally:
            if self._database.write_lock is not None:
                self._database.write_lock.release()

    @property
    def queued_outbox(self) -> bool:
        """True when this unit of work queued outbox rows (the worker should look now)."""
        return bool(self.session.info.get("outbox_queued"))

    async def commit(self) -> None:
        """Make the work of this event durable."""
        await self.session.commit()

    async def flush(self) -> None:
        """Send pending changes (to get ids) without committing."""
        await self.session.flush()
