"""Queries of the staff console's own tables: sign-in links, sessions, the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_console import AuditEntry, ConsoleLink, ConsoleSession


class ConsoleRepo:
    """Links, sessions and audit entries (tokens only as hashes)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_link(self, link: ConsoleLink) -> None:
        """Store a new sign-in link."""
        self.session.add(link)
        await self.session.flush()

    async def link(self, token_hash: str, *, lock: bool = True) -> ConsoleLink | None:
        """The link with this token hash (locked for the caller's unit of work by default)."""
        query = select(ConsoleLink).where(ConsoleLink.token_hash == token_hash)
        if lock:
            query = query.with_for_update()
        return (await self.session.exec(query)).first()

    async def use_link(self, link_id: int, at: datetime) -> bool:
        """Mark a link used; False when another request used it first."""
        result = await self.session.exec(update(ConsoleLink).where(  # type: ignore[call-overload]
            col(ConsoleLink.id) == link_id, col(ConsoleLink.used_at).is_(None)).values(used_at=at))
        return bool(result.rowcount)

    async def add_session(self, row: ConsoleSession) -> ConsoleSession:
        """Store a new session."""
        self.session.add(row)
        await self.session.flush()
        return row

    async def session_by_hash(self, token_hash: str) -> ConsoleSession | None:
        """The session with this token hash, revoked or not."""
        query = select(ConsoleSession).where(ConsoleSession.token_hash == token_hash)
        return (await self.session.exec(query)).first()

    async def touch(self, session_id: int, at: datetime, language: str | None = None) -> None:
        """Remember when a session was last used (and its language, if given)."""
        values: dict[str, object] = {"last_seen": at}
        if language is not None:
            values["language"] = language
        await self.session.exec(update(ConsoleSession).where(  # type: ignore[call-overload]
            col(ConsoleSession.id) == session_id).values(**values))

    async def revoke(self, session_id: int, at: datetime) -> bool:
        """Revoke one session; False when it was revoked already."""
        result = await self.session.exec(update(ConsoleSession).where(  # type: ignore[call-overload]
            col(ConsoleSession.id) == session_id,
            col(ConsoleSession.revoked_at).is_(None)).values(revoked_at=at))
        return bool(result.rowcount)

    async def revoke_all(self, at: datetime) -> int:
        """Revoke every live session; returns how many there were."""
        result = await self.session.exec(update(ConsoleSession).where(  # type: ignore[call-overload]
            col(ConsoleSession.revoked_at).is_(None)).values(revoked_at=at))
        return result.rowcount or 0

    async def add_audit(self, entry: AuditEntry) -> None:
        """Add an audit row to the caller's unit of work."""
        self.session.add(entry)

    async def audit_page(self, offset: int, limit: int) -> list[AuditEntry]:
        """Audit entries, newest first."""
        query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()) \
            .offset(offset).limit(limit)
        return list((await self.session.exec(query)).all())

    async def audit_count(self) -> int:
        """How many audit entries there are."""
        return int((await self.session.exec(select(func.count()).select_from(AuditEntry))).one())
