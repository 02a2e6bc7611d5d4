"""Which incoming updates were already handled (redeliveries are ignored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedEvent, utcnow


class ProcessedEventRepo:
    """Claims an event key once; a second claim of the same key fails."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, channel: str, event_key: str) -> bool:
        """Record the event in one statement; False when it was handled before."""
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(ProcessedEvent).values(
            channel=channel, event_key=event_key, received_at=utcnow()
        ).on_conflict_do_nothing(index_elements=["channel", "event_key"])
        result = await self.session.exec(statement)  # type: ignore[call-overload]
        return bool(result.rowcount)

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than `moment`; returns how many."""
        result = await self.session.exec(  # type: ignore[call-overload]
            delete(ProcessedEvent).where(ProcessedEvent.received_at < moment)
        )
        return result.rowcount or 0
