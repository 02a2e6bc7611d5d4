"""The console's inbox: tickets filtered, counted and paged in SQL, newest activity first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models_hotline import Ticket, TicketMessage

# Which tickets a state shows (`mine` also needs the staff member's name).
STATES = ("open", "waiting", "mine", "unassigned", "closed", "all")


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox is filtered by; None means any."""

    state: str = "open"
    topic: str | None = None
    municipality: str | None = None
    channel: str | None = None
    text: str | None = None
    number: int | None = None  # the ticket the search text names ("#12" or "12"), if any
    staff_name: str | None = None  # whose tickets "mine" are


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox (no message texts: only what the list shows)."""

    number: int
    topic: str
    municipality: str
    channel: str
    status: str
    assignee: str | None
    requester_name: str
    created_at: datetime
    last_activity_at: datetime
    waiting_for_staff: bool
    erased: bool


_ROW = (Ticket.id, Ticket.topic, Ticket.municipality, Ticket.channel, Ticket.status,
        Ticket.assignee, Ticket.requester_name, Ticket.created_at, Ticket.last_activity_at,
        Ticket.waiting_for_staff, Ticket.erased_at)


class InboxRepo:
    """Reads tickets for the console's inbox and a ticket's page."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, query: InboxQuery, *, offset: int, limit: int) -> tuple[list[InboxRow], int]:
        """One page of matching tickets, newest activity first, and how many match in all."""
        where = _conditions(query)
        total = (await self.session.exec(
            select(func.count()).select_from(Ticket).where(*where))).one()
        rows = (await self.session.exec(
            select(*_ROW).where(*where)  # type: ignore[call-overload]
            .order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
            .offset(offset).limit(limit))).all()
        return [InboxRow(number=r[0], topic=r[1], municipality=r[2], channel=r[3], status=r[4],
                         assignee=r[5], requester_name=r[6], created_at=r[7],
                         last_activity_at=r[8], waiting_for_staff=bool(r[9]),
                         erased=r[10] is not None) for r in rows], int(total)

    async def message(self, ticket_id: int, message_id: int) -> TicketMessage | None:
        """One message of a ticket (None when it belongs to another ticket)."""
        return (await self.session.exec(select(TicketMessage).where(
            TicketMessage.id == message_id, TicketMessage.ticket_id == ticket_id))).first()


def _conditions(query: InboxQuery) -> list[ColumnElement[bool]]:
    where: list[Any] = []
    state = query.state
    if state in ("open", "waiting", "mine", "unassigned"):
        where.append(col(Ticket.status) == "open")
    elif state == "closed":
        where.append(col(Ticket.status) == "closed")
    if state == "waiting":
        where.append(col(Ticket.waiting_for_staff).is_(True))
    elif state == "mine":
        where.append(col(Ticket.assignee) == (query.staff_name or ""))
    elif state == "unassigned":
        where.append(or_(col(Ticket.assignee).is_(None), col(Ticket.assignee) == ""))
    if query.topic:
        where.append(col(Ticket.topic) == query.topic)
    if query.municipality:
        where.append(col(Ticket.municipality) == query.municipality)
    if query.channel:
        where.append(col(Ticket.channel) == query.channel)
    if query.text:
        where.append(_text_matches(query.text, query.number))
    return where


def _text_matches(text: str, number: int | None) -> ColumnElement[bool]:
    """The words in the question, the person's name, any message of the ticket, or the
    ticket `number`."""
    needle = text.strip()
    found: list[Any] = [
        col(Ticket.question).icontains(needle, autoescape=True),
        col(Ticket.requester_name).icontains(needle, autoescape=True),
        # one pass over the messages (a correlated EXISTS per ticket is 8× slower on SQLite)
        col(Ticket.id).in_(select(TicketMessage.ticket_id).where(
            col(TicketMessage.text).icontains(needle, autoescape=True)))]
    if number is not None:
        found.append(col(Ticket.id) == number)
    return or_(*found)
