"""Who came to an event (check-in) and what they thought of it afterwards (feedback).

The donor report reads these two tables: `event_attendance` (one row per person and event,
checked in through the poster's link, as a walk-in, or ticked by staff) and `event_feedback`
(one row per person and event: a 1–5 rating, an optional comment, for trainings what they
will apply in their organisation).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow

# How a person came to be counted.
VIA_LINK = "link"  # the poster's QR code or link, from their own chat
VIA_STAFF = "staff"  # ticked in the console's attendee list
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed
CODE_LENGTH = 8


def new_checkin_code() -> str:
    """A fresh, hard-to-guess check-in code (an event's poster link carries it)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class EventAttendance(SQLModel, table=True):
    """One person present at one event."""

    __tablename__ = "event_attendance"
    __table_args__ = (UniqueConstraint("event_id", "person_id", name="uq_event_attendance"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    registration_id: int | None = Field(default=None, foreign_key="event_registration.id",
                                        ondelete="SET NULL")
    walk_in: bool = False  # came without a registration
    organisation_name: str | None = Field(default=None, max_length=200)  # a walk-in's own words
    via: str = Field(default=VIA_LINK, max_length=16)
    staff_name: str | None = Field(default=None, max_length=100)  # who ticked it
    checked_in_at: datetime = Field(default_factory=utcnow, index=True)


class EventFeedback(SQLModel, table=True):
    """One attendee's answer to "how was it?" after an event."""

    __tablename__ = "event_feedback"
    __table_args__ = (UniqueConstraint("event_id", "person_id", name="uq_event_feedback"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    rating: int  # 1–5
    comment: str | None = Field(default=None, sa_column=Column(Text))
    will_apply: str | None = Field(default=None, sa_column=Column(Text))  # trainings only
    created_at: datetime = Field(default_factory=utcnow, index=True)
