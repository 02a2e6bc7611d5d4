"""Announcement rows: drafts written by staff, then their sending status."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_outbox import Announcement


class AnnouncementRepo:
    """Stores and finds announcements."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, announcement: Announcement) -> Announcement:
        """Store a new announcement and give it its number."""
        self.session.add(announcement)
        await self.session.flush()
        return announcement

    async def get(self, announcement_id: int) -> Announcement | None:
        """One announcement."""
        return await self.session.get(Announcement, announcement_id)

    def save(self, announcement: Announcement) -> None:
        """Store a changed announcement (written at commit)."""
        self.session.add(announcement)
