"""Button payloads kept server-side when a channel cannot carry them."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ButtonPayload


class ButtonPayloadRepo:
    """Stores long payloads and gives back a short numeric key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def store(self, payload: str) -> int:
        """Key for `payload`, reusing an existing row for the same text."""
        found = (await self.session.exec(
            select(ButtonPayload.id).where(ButtonPayload.payload == payload)
        )).first()
        if found is not None:
            return found
        row = ButtonPayload(payload=payload)
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        return row.id

    async def load(self, key: int) -> str | None:
        """The payload stored under `key`, if any."""
        row = await self.session.get(ButtonPayload, key)
        return row.payload if row else None
