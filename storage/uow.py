"""One unit of work per incoming event: a session, its repositories, an explicit commit."""

from __future__ import annotations

from types import TracebackType

from storage.engine import Database
from storage.repos.conversations import ConversationRepo
from storage.repos.events import ProcessedEventRepo
from storage.repos.faq import FaqRepo
from storage.repos.payloads import ButtonPayloadRepo
from storage.repos.people import PeopleRepo


class UnitOfWork:
    """Opens a session; nothing is written unless `commit()` is called."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def __aenter__(self) -> UnitOfWork:
        if self._database.write_lock is not None:
            await self._database.write_lock.acquire()
        self.session = self._database.sessions()
        self.people = PeopleRepo(self.session)
        self.conversations = ConversationRepo(self.session)
        self.processed = ProcessedEventRepo(self.session)
        self.payloads = ButtonPayloadRepo(self.session)
        self.faq = FaqRepo(self.session)
        return self

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

    async def commit(self) -> None:
        """Make the work of this event durable."""
        await self.session.commit()

    async def flush(self) -> None:
        """Send pending changes (to get ids) without committing."""
        await self.session.flush()
