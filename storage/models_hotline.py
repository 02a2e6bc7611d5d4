"""Hotline tickets and every message relayed for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.models import utcnow

VIA_CONSOLE = "console"  # TicketMessage.via of a staff message written in the web console


class Ticket(SQLModel, table=True):
    """A question put to the hub's hotline, and its staff topic."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status", "status"),
        Index("ix_ticket_thread", "staff_thread_id"),
        Index("ix_ticket_card", "staff_card_message_id"),  # staff replies to a card
        Index("ix_ticket_person", "person_id"),  # erasure, a person's tickets
        Index("ix_ticket_created", "created_at"),  # the daily digest, the SLA check
        Index("ix_ticket_retention", "erased_at", "closed_at"),  # closed long ago, not erased
        Index("ix_ticket_activity", "last_activity_at"),  # the console's inbox, newest first
        Index("ix_ticket_inbox", "status", "last_activity_at"),  # …filtered open or closed
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    channel: str = Field(max_length=16)
    language: str = Field(max_length=8)
    topic: str = Field(max_length=32)
    municipality: str = Field(max_length=32)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer_via: str = Field(default="chat", max_length=8)  # chat | phone
    phone: str | None = Field(default=None, max_length=32)
    requester_name: str = Field(default="", max_length=128)
    consent_at: datetime | None = None
    status: str = Field(default="open", max_length=8)  # open | closed
    assignee: str | None = Field(default=None, max_length=128)
    staff_thread_id: int | None = None  # forum topic in the staff chat
    staff_card_message_id: int | None = None  # the summary card (reply threading without topics)
    topic_requested_at: datetime | None = None  # recorded before asking for the topic
    created_at: datetime = Field(default_factory=utcnow)
    first_staff_reply_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    erased_at: datetime | None = None
    # Kept with every message (TicketRepo.add_message) so the inbox sorts and filters by index.
    last_activity_at: datetime = Field(default_factory=utcnow)
    waiting_for_staff: bool = True  # the person wrote last (or nobody has answered yet)


class TicketMessage(SQLModel, table=True):
    """One message of a ticket: from the person, from staff, or a staff-only note."""

    __tablename__ = "ticket_message"
    __table_args__ = (Index("ix_ticket_message_staff_ref", "staff_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE", index=True)
    direction: str = Field(max_length=8)  # in | out | note
    author: str = Field(default="", max_length=128)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    attachment_kind: str | None = Field(default=None, max_length=16)
    source_chat_id: str | None = Field(default=None, max_length=64)
    source_message_id: str | None = Field(default=None, max_length=64)
    staff_message_id: int | None = None  # its copy (or original) in the staff chat
    file_id: str | None = Field(default=None, sa_column=Column(Text))  # the platform's file
    via: str | None = Field(default=None, max_length=16)  # "console": written in the web console
    created_at: datetime = Field(default_factory=utcnow)
