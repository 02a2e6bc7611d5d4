"""The staff console's tables: one-time sign-in links, sessions and the audit log.

Tokens are never stored: only their SHA-256 hashes, so a copy of the database signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class ConsoleLink(SQLModel, table=True):
    """A one-time sign-in link, valid for a short while, bound to a staff member's name."""

    __tablename__ = "console_link"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_console_link_token"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    staff_name: str = Field(max_length=128)
    # None for links made by `hubbot console link`; Telegram user ids outgrow 32 bits
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser; revoked at sign-out or by `hubbot console logout-all`."""

    __tablename__ = "console_session"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_console_session_token"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    staff_name: str = Field(max_length=128)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    language: str = Field(default="ka", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Who changed what from the console, and when."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    staff_name: str = Field(max_length=128)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    action: str = Field(max_length=48)  # a stable key: "ticket.reply", "console.sign_in"…
    target: str = Field(default="", max_length=128)  # "ticket #12", "event 3"
    details: str = Field(default="", max_length=500)
