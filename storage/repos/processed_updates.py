"""Which incoming updates were already handled (redeliveries are ignored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedEvent, utcnow
from storage.one_trip import Prepared

# Runs for every update: one statement per dialect, one trip each (storage/one_trip.py); a
# row comes back only when this claim inserted it.
_TABLE = ProcessedEvent.__table__  # type: ignore[attr-defined]
_CLAIM = {
    "postgresql": Prepared(pg_insert(_TABLE).on_conflict_do_nothing()
                           .returning(_TABLE.c.event_key)),
    "sqlite": Prepared(sqlite_insert(_TABLE).on_conflict_do_nothing()
                       .returning(_TABLE.c.event_key)),
}


class ProcessedEventRepo:
    """Claims an event key once; a second claim of the same key fails."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, channel: str, event_key: str) -> bool:
        """Record the event in one statement; False when it was handled before."""
        assert self.session.bind is not None
        claimed = await _CLAIM[self.session.bind.dialect.name].rows(
            self.session, {"channel": channel, "event_key": event_key, "received_at": utcnow()})
        return bool(claimed)

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than `moment`; returns how many."""
        result = await self.session.exec(  # type: ignore[call-overload]
            delete(ProcessedEvent).where(ProcessedEvent.received_at < moment)
        )
        return result.rowcount or 0
