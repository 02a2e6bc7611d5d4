"""Example content a fresh database gets: which rows are examples, and that it was ever added."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models import utcnow

# What `kind` names: a row of the table of that name (`record_id` is its id), or ADDED, the
# marker that examples were added once (kept when they are removed, so they never come back).
PERSON, ORGANISATION, EVENT, TICKET = "person", "organisation", "event", "ticket"
ADDED = "added"


class ExampleRecord(SQLModel, table=True):
    """One row of example content (or the marker that example content was added)."""

    __tablename__ = "example_record"
    __table_args__ = (UniqueConstraint("kind", "record_id", name="uq_example_record"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    record_id: int = 0
    created_at: datetime = Field(default_factory=utcnow)
