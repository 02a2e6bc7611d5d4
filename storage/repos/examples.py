"""Example content: whether a database holds real data, and the rows that are examples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, Person, utcnow
from storage.models_events import Event, EventRegistration
from storage.models_examples import (
    ADDED,
    EVENT,
    ORGANISATION,
    PERSON,
    TICKET,
    ExampleRecord,
)
from storage.models_hotline import Ticket, TicketMessage
from storage.models_orgs import Organisation

# What counts as real data: any row of these tables that is not an example.
KINDS: dict[str, type[SQLModel]] = {PERSON: Person, ORGANISATION: Organisation, EVENT: Event,
                                    TICKET: Ticket}


class ExampleRepo:
    """Marks rows as examples, finds real data, removes the examples."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *rows: SQLModel) -> None:
        """Store new example rows (or changes to them) and give them their ids."""
        self.session.add_all(rows)
        await self.session.flush()

    async def has_real_data(self) -> bool:
        """True when any person, organisation, event or ticket is not an example.

        Each check stops at its first row (the primary key, and the example rows' unique index)."""
        for kind, table in KINDS.items():
            key: Any = table.id  # type: ignore[attr-defined]
            marked = exists().where(ExampleRecord.kind == kind, ExampleRecord.record_id == key)
            if (await self.session.exec(select(key).where(~marked).limit(1))).first() is not None:
                return True
        return False

    async def ever_added(self) -> bool:
        """True once example content was added (also after it was removed)."""
        return (await self.session.exec(select(ExampleRecord.id).where(
            ExampleRecord.kind == ADDED).limit(1))).first() is not None

    async def present(self) -> bool:
        """True while example rows are in the database."""
        return (await self.session.exec(select(ExampleRecord.id).where(
            ExampleRecord.kind != ADDED).limit(1))).first() is not None

    async def mark(self, kind: str, record_ids: Sequence[int]) -> None:
        """Record these rows of `kind` as examples."""
        now = utcnow()
        await self.session.exec(insert(ExampleRecord), params=[  # type: ignore[call-overload]
            {"kind": kind, "record_id": record_id, "created_at": now} for record_id in record_ids])

    async def mark_added(self) -> None:
        """Remember that examples were added (or deliberately not), so it happens only once."""
        if not await self.ever_added():
            await self.mark(ADDED, [0])

    async def ids(self, kind: str) -> list[int]:
        """The example rows of one kind."""
        return list((await self.session.exec(select(ExampleRecord.record_id).where(
            ExampleRecord.kind == kind).order_by(col(ExampleRecord.record_id)))).all())

    async def remove(self) -> dict[str, int]:
        """Delete every example row (with what hangs on it); the ADDED marker stays.

        Returns how many rows of each kind went."""
        ids = {kind: await self.ids(kind) for kind in KINDS}
        steps: list[tuple[Any, Any]] = [
            (TicketMessage, col(TicketMessage.ticket_id).in_(ids[TICKET])),
            (Ticket, col(Ticket.id).in_(ids[TICKET])),
            # also registrations real people made for an example event
            (EventRegistration, col(EventRegistration.event_id).in_(ids[EVENT])),
            (EventRegistration, col(EventRegistration.person_id).in_(ids[PERSON])),
            (Event, col(Event.id).in_(ids[EVENT])),
            (Organisation, col(Organisation.id).in_(ids[ORGANISATION])),
            (Conversation, col(Conversation.person_id).in_(ids[PERSON])),
            (Person, col(Person.id).in_(ids[PERSON])),
        ]
        for table, where in steps:
            await self.session.exec(delete(table).where(where))  # type: ignore[call-overload]
        await self.session.exec(delete(ExampleRecord).where(  # type: ignore[call-overload]
            ExampleRecord.kind != ADDED))
        return {kind: len(found) for kind, found in ids.items()}
