"""Announcement rows: drafts written by staff, their sending status, the history a page at a
time with its figures, the ones now due, and an uploaded photo or document."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_outbox import Announcement, AnnouncementFile, OutboxMessage
from storage.repos.outbox import SKIP_REASONS


class AnnouncementRepo:
    """Stores and finds announcements (`announcement`, `announcement_file`; figures from the
    outbox)."""

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

    async def schedule(self, announcement_id: int, send_at: datetime) -> Announcement | None:
        """A draft becomes scheduled for `send_at`; None when it was no longer a draft (another
        click or another staff member came first)."""
        result = await self.session.exec(update(Announcement).where(  # type: ignore[call-overload]
            col(Announcement.id) == announcement_id, Announcement.status == "draft").values(
            status="scheduled", send_at=send_at))
        if not result.rowcount:
            return None
        stored = await self.session.get(Announcement, announcement_id)
        if stored is not None:
            await self.session.refresh(stored)
        return stored

    async def history(self, *, before: int | None = None, limit: int = 20) -> list[Announcement]:
        """The newest announcements (ids below `before`), newest first: paged on the key."""
        statement = select(Announcement)
        if before is not None:
            statement = statement.where(col(Announcement.id) < before)
        return list((await self.session.exec(
            statement.order_by(col(Announcement.id).desc()).limit(limit))).all())

    async def figures(self, ids: list[int]) -> dict[int, dict[str, int]]:
        """Rows per state for each of these announcements, skips split by reason; one grouped
        query on `ix_outbox_batch`."""
        if not ids:
            return {}
        reason = case((col(OutboxMessage.last_error).in_(SKIP_REASONS), OutboxMessage.last_error),
                      else_=None)
        rows = (await self.session.exec(
            select(OutboxMessage.batch_id, OutboxMessage.state, reason, func.count())
            .where(col(OutboxMessage.batch_id).in_(ids))
            .group_by(OutboxMessage.batch_id, OutboxMessage.state, reason))).all()
        found: dict[int, dict[str, int]] = {i: {} for i in ids}
        for batch_id, state, error, count in rows:
            key = error if state == "skipped" and error in SKIP_REASONS else state
            counts = found.setdefault(batch_id, {})
            counts[key] = counts.get(key, 0) + count
        return found

    async def due(self, now: datetime, *, limit: int = 20) -> list[int]:
        """Ids of scheduled announcements whose time has come (`ix_announcement_due`)."""
        return list((await self.session.exec(
            select(Announcement.id).where(Announcement.status == "scheduled",
                                          col(Announcement.send_at) <= now)
            .order_by(col(Announcement.send_at)).limit(limit))).all())  # type: ignore[arg-type]

    async def set_status(self, announcement_id: int, new: str, *, was: tuple[str, ...]) -> bool:
        """Move an announcement from one of `was` to `new`; False when it was in none of them
        (another click or process came first)."""
        result = await self.session.exec(update(Announcement).where(  # type: ignore[call-overload]
            col(Announcement.id) == announcement_id,
            col(Announcement.status).in_(was)).values(status=new))
        return bool(result.rowcount)

    def add_attachment(self, upload: AnnouncementFile) -> None:
        """Keep an uploaded photo or document with its announcement (written at commit)."""
        self.session.add(upload)

    async def attachment(self, announcement_id: int) -> AnnouncementFile | None:
        """The uploaded photo or document, if any."""
        return await self.session.get(AnnouncementFile, announcement_id)

    async def attachment_kind(self, announcement_id: int) -> tuple[str, str] | None:
        """(kind, file name) of the upload, without loading its content."""
        row = (await self.session.exec(
            select(AnnouncementFile.kind, AnnouncementFile.filename).where(
                AnnouncementFile.announcement_id == announcement_id))).first()
        return (row[0], row[1]) if row else None

    async def drop_attachment(self, announcement_id: int) -> None:
        """Forget the upload (it lives on in the staff chat once posted there)."""
        row = await self.session.get(AnnouncementFile, announcement_id)
        if row is not None:
            await self.session.delete(row)
