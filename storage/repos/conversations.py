"""Conversation state rows: the step a person is at, and the small data of that flow."""

from __future__ import annotations

from typing import Any

from storage.models import Conversation, utcnow
from sqlmodel.ext.asyncio.session import AsyncSession


class ConversationRepo:
    """Reads and writes one person's conversation state."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, person_id: int) -> Conversation | None:
        """The person's current flow, if any."""
        return await self.session.get(Conversation, person_id)

    async def set(self, person_id: int, *, flow: str, step: str, data: dict[str, Any]) -> None:
        """Put the person at `step` of `flow`, keeping `data`."""
        row = await self.session.get(Conversation, person_id)
        if row is None:
            row = Conversation(person_id=person_id, flow=flow, step=step, data=dict(data))
        else:
            row.flow, row.step, row.data = flow, step, dict(data)
            row.updated_at = utcnow()
        self.session.add(row)

    async def clear(self, person_id: int) -> None:
        """Leave any flow."""
        row = await self.session.get(Conversation, person_id)
        if row is not None:
            await self.session.delete(row)
