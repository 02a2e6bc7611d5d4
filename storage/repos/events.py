"""Which incoming updates were already handled (redeliveries are ignored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver import driver_sql
from storage.models import ProcessedEvent, utcnow


# Runs for every update, so at the driver level (SQLite ≥ 3.24 and PostgreSQL both speak it).
_CLAIM = ("INSERT INTO processed_event (channel, event_key, received_at) VALUES (?, ?, ?) "
          "ON CONFLICT DO NOTHING")


class ProcessedEventRepo:
    """Claims an event key once; a second claim of the same key fails."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, channel: str, event_key: str) -> bool:
        """Record the event in one statement; False when it was handled before."""
        sql = driver_sql(self.session)
        return await sql.execute(_CLAIM, channel, event_key, sql.when(utcnow())) > 0

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than `moment`; returns how many."""
        result = await self.session.exec(  # type: ignore[call-overload]
            delete(ProcessedEvent).where(ProcessedEvent.received_at < moment)
        )
        return result.rowcount or 0
