"""Events the hub organises (forums, trainings, meetings) and registrations for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from storage.models import utcnow
from storage.models_attendance import new_checkin_code

KINDS = ("forum", "training", "meeting", "other")
AUDIENCE_ORGANISATIONS = "organisations"
AUDIENCE_ANYONE = "anyone"
AUDIENCES = (AUDIENCE_ORGANISATIONS, AUDIENCE_ANYONE)

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
MAX_PARTICIPANTS = 5


class Event(SQLModel, table=True):
    """A forum, training, meeting or other event people can register for."""

    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="other", max_length=16)
    title_ka: str = Field(max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    description_ka: str | None = Field(default=None, sa_column=Column(Text))
    description_en: str | None = Field(default=None, sa_column=Column(Text))
    starts_at: datetime = Field(index=True)
    ends_at: datetime | None = None
    municipality: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=500)
    capacity: int | None = None  # seats; None: no limit
    deadline: datetime | None = None  # registration closes at this moment
    audience: str = Field(default=AUDIENCE_ANYONE, max_length=16)
    cancelled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # the poster's link carries it: /start checkin_CODE (Telegram), ?ref=checkin_CODE (Messenger)
    checkin_code: str = Field(default_factory=new_checkin_code, max_length=16, unique=True,
                              index=True)


class EventRegistration(SQLModel, table=True):
    """One person's registration of 1–5 participants; confirmed, wait-listed or cancelled."""

    __tablename__ = "event_registration"
    __table_args__ = (
        # One active registration per person and event; cancelled ones stay as history.
        Index("uq_event_registration_active", "event_id", "person_id", unique=True,
              sqlite_where=text("status <> 'cancelled'"),
              postgresql_where=text("status <> 'cancelled'")),
        Index("ix_event_registration_created", "created_at"),  # the daily digest
        Index("ix_event_registration_updated", "updated_at"),  # incremental reminder planning
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id",
                                        ondelete="SET NULL")
    participants: int = 1
    names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=CONFIRMED, max_length=16)
    position: int | None = None  # wait-list order (lower first); None once confirmed
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None
