"""Hotline tickets and their messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_hotline import Ticket, TicketMessage

ERASED = "[erased]"


class TicketRepo:
    """Creates, finds and updates tickets; keeps their messages."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, ticket: Ticket) -> Ticket:
        """Store a new ticket and give it its number."""
        self.session.add(ticket)
        await self.session.flush()
        return ticket

    async def get(self, ticket_id: int, *, lock: bool = False) -> Ticket | None:
        """A ticket; `lock` holds its row until commit (PostgreSQL; SQLite writers are serial)."""
        statement = select(Ticket).where(Ticket.id == ticket_id)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.exec(statement)).first()

    async def by_thread(self, thread_id: int) -> Ticket | None:
        """The ticket whose staff topic this is."""
        statement = select(Ticket).where(Ticket.staff_thread_id == thread_id).order_by(
            col(Ticket.id).desc())
        return (await self.session.exec(statement)).first()

    async def by_staff_message(self, message_id: int) -> Ticket | None:
        """The ticket a staff-chat message belongs to (its card or a relayed message)."""
        card = (await self.session.exec(
            select(Ticket).where(Ticket.staff_card_message_id == message_id))).first()
        if card is not None:
            return card
        row = (await self.session.exec(
            select(TicketMessage.ticket_id).where(TicketMessage.staff_message_id == message_id)
        )).first()
        return await self.get(row) if row is not None else None

    async def add_message(self, message: TicketMessage) -> TicketMessage:
        """Keep one relayed message (or note) with its ticket."""
        self.session.add(message)
        await self.session.flush()
        return message

    async def messages(self, ticket_id: int) -> list[TicketMessage]:
        """A ticket's messages, oldest first."""
        return list((await self.session.exec(
            select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
            .order_by(col(TicketMessage.id)))).all())

    async def open_tickets(self) -> list[Ticket]:
        """Open tickets, oldest first."""
        return list((await self.session.exec(
            select(Ticket).where(Ticket.status == "open").order_by(col(Ticket.id)))).all())

    async def all_tickets(self) -> list[Ticket]:
        """Every ticket (for statistics)."""
        return list((await self.session.exec(select(Ticket))).all())

    async def set_fields(self, ticket_id: int, **values: Any) -> None:
        """Record what the staff chat answered (topic, card) without loading the ticket."""
        await self.session.exec(update(Ticket).where(  # type: ignore[call-overload]
            col(Ticket.id) == ticket_id).values(**values))

    async def set_staff_message(self, message_id: int, staff_message_id: int | None) -> None:
        """Record (or clear) a message's copy in the staff chat."""
        await self.session.exec(update(TicketMessage).where(  # type: ignore[call-overload]
            col(TicketMessage.id) == message_id).values(staff_message_id=staff_message_id))

    async def forget_staff_chat(self, ticket_id: int) -> None:
        """The topic was deleted: nothing of the ticket is in the staff chat any more."""
        await self.set_fields(ticket_id, staff_thread_id=None, staff_card_message_id=None)
        await self.session.exec(update(TicketMessage).where(  # type: ignore[call-overload]
            col(TicketMessage.ticket_id) == ticket_id,
            col(TicketMessage.direction) != "note").values(staff_message_id=None))
