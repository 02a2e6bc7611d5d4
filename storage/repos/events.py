"""Which incoming updates were already handled (redeliveries are ignored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedEvent


class ProcessedEventRepo:
    """Claims an event key once; a second claim of the same key fails."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, channel: str, event_key: str) -> bool:
        """Record the event; False when it was handled before."""
        if await self.session.get(ProcessedEvent, (channel, event_key)) is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(ProcessedEvent(channel=channel, event_key=event_key))
        except IntegrityError:
            return False
        return True

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than `moment`; returns how many."""
        result = await self.session.exec(  # type: ignore[call-overload]
            delete(ProcessedEvent).where(ProcessedEvent.received_at < moment)
        )
        return result.rowcount or 0
