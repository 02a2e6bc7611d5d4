"""One unit of work per incoming event: a session, its repositories, an explicit commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repos.conversations import ConversationRepo
from storage.repos.events import ProcessedEventRepo
from storage.repos.faq import FaqRepo
from storage.repos.payloads import ButtonPayloadRepo
from storage.repos.people import PeopleRepo


class UnitOfWork:
    """Opens a session; nothing is written unless `commit()` is called."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._factory()
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
        await self.session.close()

    async def commit(self) -> None:
        """Make the work of this event durable."""
        await self.session.commit()

    async def flush(self) -> None:
        """Send pending changes (to get ids) without committing."""
        await self.session.flush()
