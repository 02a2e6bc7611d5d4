"""SQLModel tables. Times are aware UTC datetimes (SQLModel's UTCDateTime column type)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(UTC)


class Person(SQLModel, table=True):
    """Someone who wrote to the bot on one channel."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_person_channel_external"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=128)
    language: str = Field(default="ka", max_length=8)
    language_chosen: bool = False
    consent_data_at: datetime | None = None
    consent_public_at: datetime | None = None
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    last_inbound_at: datetime | None = None
    active_ticket_id: int | None = None  # an open hotline ticket that takes their messages
    phone: str | None = Field(default=None, max_length=32)


class Conversation(SQLModel, table=True):
    """Where a person stands in a multi-step flow; one row per person."""

    __tablename__ = "conversation"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """An incoming update already handled (Telegram update_id, Messenger mid)."""

    __tablename__ = "processed_event"

    channel: str = Field(max_length=16, primary_key=True)
    event_key: str = Field(max_length=128, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)


class ButtonPayload(SQLModel, table=True):
    """A button payload too long for the channel, kept server-side behind a short key."""

    __tablename__ = "button_payload"

    id: int | None = Field(default=None, primary_key=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class FaqQuestion(SQLModel, table=True):
    """A free-text question put to the FAQ and what the bot did with it."""

    __tablename__ = "faq_question"
    __table_args__ = (Index("ix_faq_question_created", "created_at"),
                      Index("ix_faq_question_person", "person_id"))  # erasure

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    language: str = Field(max_length=8)
    query: str = Field(sa_column=Column(Text, nullable=False))
    answer_id: str | None = Field(default=None, max_length=64)
    score: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)
    # The unanswered inbox: None while waiting; "dismissed", "offtopic" or "topic:<id>" after.
    review: str | None = Field(default=None, max_length=80)


class FaqFeedback(SQLModel, table=True):
    """A "did this help?" vote on an FAQ answer."""

    __tablename__ = "faq_feedback"
    __table_args__ = (UniqueConstraint("person_id", "question_id", name="uq_feedback_once"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    question_id: int | None = Field(default=None, foreign_key="faq_question.id", ondelete="SET NULL")
    topic_id: str = Field(max_length=64)
    helpful: bool
    comment: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
