"""Organisations registered through the bot, reviewed by staff, listed in the directory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)


class Organisation(SQLModel, table=True):
    """A civil-society organisation (or informal group) and its contact details."""

    __tablename__ = "organisation"
    # Unique when present; informal groups have none (NULLs never collide).
    __table_args__ = (
        UniqueConstraint("id_code", name="uq_organisation_id_code"),
        # the directory: listed organisations of a municipality, by name, a page at a time
        Index("ix_organisation_listing", "status", "municipality", "name_ka"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name_ka: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    legal_form: str = Field(max_length=32)
    id_code: str | None = Field(default=None, max_length=9)
    municipality: str = Field(max_length=32, index=True)
    areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contact_name: str = Field(max_length=128)
    phone: str = Field(max_length=16)  # E.164
    email: str = Field(max_length=254)
    website: str | None = Field(default=None, max_length=300)
    description: str = Field(sa_column=Column(Text, nullable=False))  # ≤ 500, checked on input
    consent_store_at: datetime
    consent_public_at: datetime | None = None
    status: str = Field(default=PENDING, max_length=16, index=True)
    reject_reason: str | None = Field(default=None, sa_column=Column(Text))
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL",
                                  index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    reviewed_at: datetime | None = None

    @property
    def is_public(self) -> bool:
        """Approved and agreed to be listed: shown in the directory and the booklet."""
        return self.status == APPROVED and self.consent_public_at is not None
