"""Everything sent without being asked: the outbox, subscriptions and announcements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow


class OutboxMessage(SQLModel, table=True):
    """One proactive message; its key makes queueing it twice impossible."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_key"),
        Index("ix_outbox_due", "state", "not_before"),
        Index("ix_outbox_batch", "batch_id", "state"),
        Index("ix_outbox_order", "order_key", "id"),
        Index("ix_outbox_person", "person_id"),
        Index("ix_outbox_created", "created_at", "id"),  # retention, a page at a time
        Index("ix_outbox_event", "event_id", "state"),  # an event's reminders, withdrawn at once
    )

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200)  # recipient:kind:object:occasion
    kind: str = Field(max_length=24)  # announcement | reminder | notice | staff_alert | …
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    thread_id: str | None = Field(default=None, max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="pending", max_length=8)  # pending|sending|sent|failed|skipped
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)
    not_before: datetime = Field(default_factory=utcnow)
    quiet_hours: bool = False  # wait for the end of quiet hours
    batch_id: int | None = Field(default=None)  # the announcement it belongs to
    event_id: int | None = Field(default=None)  # the event a reminder is about
    # Rows sharing an order key go out one at a time, oldest first (one person's replies,
    # one ticket's work in the staff chat); rows without one go out in any order.
    order_key: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None


class Subscription(SQLModel, table=True):
    """What announcements a person wants: topics and, optionally, one municipality."""

    __tablename__ = "subscription"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    municipality: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class Announcement(SQLModel, table=True):
    """A message staff send to many people, with its progress."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_due", "status", "send_at"),)

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    author: str = Field(default="", max_length=128)
    source_chat_id: str | None = Field(default=None, max_length=64)  # a staff photo/document
    source_message_id: str | None = Field(default=None, max_length=64)
    # draft | scheduled (waits for `send_at`) | sending | done | cancelled
    status: str = Field(default="draft", max_length=12)
    send_at: datetime | None = None  # when staff want it sent (None: at once)
    held_until: datetime | None = None  # quiet hours held it back until then
    total: int = 0
    progress_chat_id: str | None = Field(default=None, max_length=64)
    progress_message_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class AnnouncementFile(SQLModel, table=True):
    """A photo or document staff uploaded with an announcement (from the console).

    Kept until it is sent: then it is posted once to the staff chat and copied from there to
    each person, as a staff message replied to with /announce is."""

    __tablename__ = "announcement_file"

    announcement_id: int = Field(foreign_key="announcement.id", primary_key=True,
                                 ondelete="CASCADE")
    kind: str = Field(max_length=12)  # photo | document
    filename: str = Field(max_length=200)
    mime_type: str = Field(max_length=100)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class UnreachablePerson(SQLModel, table=True):
    """People who blocked the bot or deleted their account: no more proactive messages."""

    __tablename__ = "unreachable_person"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    reason: str = Field(default="", max_length=200)
    since: datetime = Field(default_factory=utcnow)
