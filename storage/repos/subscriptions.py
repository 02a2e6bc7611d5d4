"""A person's announcement subscription: topics and an optional municipality."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_outbox import Subscription


class SubscriptionRepo:
    """Finds, keeps and removes subscription rows (one per person)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, person_id: int) -> Subscription | None:
        """The person's subscription, if they have one."""
        return await self.session.get(Subscription, person_id)

    def save(self, row: Subscription) -> None:
        """Store a new or changed subscription (written at commit)."""
        self.session.add(row)

    async def remove(self, row: Subscription) -> None:
        """Delete the subscription."""
        await self.session.delete(row)
