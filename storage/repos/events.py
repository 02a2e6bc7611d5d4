"""Which incoming updates were already handled (redeliveries are ignored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedEvent, utcnow


# Runs for every update: a plain statement (SQLite ≥ 3.24 and PostgreSQL both speak it) skips
# building and compiling an ORM insert each time.
_CLAIM = text(
    "INSERT INTO processed_event (channel, event_key, received_at) "
    "VALUES (:channel, :event_key, :received_at) ON CONFLICT DO NOTHING"
).bindparams(bindparam("received_at", type_=ProcessedEvent.__table__.c.received_at.type))


class ProcessedEventRepo:
    """Claims an event key once; a second claim of the same key fails."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, channel: str, event_key: str) -> bool:
        """Record the event in one statement; False when it was handled before."""
        result = await self.session.exec(_CLAIM, params={
            "channel": channel, "event_key": event_key, "received_at": utcnow()})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than `moment`; returns how many."""
        result = await self.session.exec(  # type: ignore[call-overload]
            delete(ProcessedEvent).where(ProcessedEvent.received_at < moment)
        )
        return result.rowcount or 0
