"""Hotline tickets and their messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, case, cast, exists, func, literal, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import utcnow
from storage.models_hotline import Ticket, TicketMessage
from storage.models_outbox import OutboxMessage

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

    def save(self, ticket: Ticket) -> None:
        """Store a changed ticket (written at commit)."""
        self.session.add(ticket)

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
        """Keep one relayed message (or note) with its ticket; the ticket's last activity
        follows, and whether it waits for staff (the person wrote last)."""
        self.session.add(message)
        await self.session.flush()
        values: dict[str, Any] = {"last_activity_at": message.created_at}
        if message.direction in ("in", "out"):
            values["waiting_for_staff"] = message.direction == "in"
        await self.session.exec(update(Ticket).where(  # type: ignore[call-overload]
            col(Ticket.id) == message.ticket_id).values(**values))
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

    async def overdue(self, older_than: datetime, *, unless_key: str, after: int = 0,
                      limit: int = 200) -> list[Ticket]:
        """Open tickets with no staff reply created before `older_than`, by id after `after`,
        leaving out those with an outbox row keyed `unless_key` + id (already raised)."""
        raised = exists().where(OutboxMessage.dedupe_key == literal(unless_key)
                                + cast(Ticket.id, String))
        return list((await self.session.exec(select(Ticket).where(
            Ticket.status == "open", col(Ticket.first_staff_reply_at).is_(None),
            col(Ticket.created_at) < older_than, col(Ticket.id) > after, ~raised)
            .order_by(col(Ticket.id)).limit(limit))).all())

    async def being_set_up(self, order_key_prefix: str, *, limit: int = 20) -> list[int]:
        """Ids of tickets not yet shown in the staff chat (no card recorded, not erased) whose
        staff-chat work is queued or under way (an outbox row keyed `order_key_prefix` + id)."""
        working = exists().where(
            OutboxMessage.order_key == literal(order_key_prefix) + cast(Ticket.id, String),
            col(OutboxMessage.state).in_(("pending", "sending")))
        return list((await self.session.exec(select(Ticket.id).where(
            col(Ticket.staff_card_message_id).is_(None), col(Ticket.erased_at).is_(None),
            working).order_by(col(Ticket.id)).limit(limit))).all())

    async def created_since(self, since: datetime) -> int:
        """Tickets opened since `since` (the digest)."""
        return int((await self.session.exec(select(func.count()).select_from(Ticket).where(
            col(Ticket.created_at) >= since))).one())

    async def closed_unerased(self, closed_before: datetime, *, limit: int = 100) -> list[int]:
        """Ids of closed tickets, closed before `closed_before`, whose content is still kept."""
        return list((await self.session.exec(select(Ticket.id).where(
            col(Ticket.erased_at).is_(None), col(Ticket.closed_at) < closed_before,
            Ticket.status == "closed").order_by(col(Ticket.closed_at)).limit(limit))).all())  # type: ignore[arg-type]

    async def erase_content(self, ticket_ids: list[int]) -> None:
        """Blank the personal content of these tickets and of their messages."""
        await self.session.exec(update(Ticket).where(  # type: ignore[call-overload]
            col(Ticket.id).in_(ticket_ids)).values(
            question=ERASED, phone=None, requester_name="", erased_at=utcnow()))
        await self.session.exec(update(TicketMessage).where(  # type: ignore[call-overload]
            col(TicketMessage.ticket_id).in_(ticket_ids)).values(
            text=ERASED, source_chat_id=None, source_message_id=None, file_id=None))

    async def totals(self) -> tuple[int, int]:
        """(tickets, open tickets)."""
        total, open_ = (await self.session.exec(select(
            func.count(), func.count(case((Ticket.status == "open", 1)))).select_from(Ticket))).one()
        return int(total), int(open_)

    async def counts_by(self, column: str) -> list[tuple[str, int]]:
        """Tickets per value of `column` ("topic" or "municipality"), most first."""
        field = getattr(Ticket, column)
        return [(value, int(count)) for value, count in (await self.session.exec(
            select(field, func.count()).group_by(field)
            .order_by(func.count().desc(), field))).all()]

    async def first_reply_hours(self) -> list[float]:
        """Hours from each ticket's opening to the first staff reply (answered tickets)."""
        rows = (await self.session.exec(select(Ticket.created_at, Ticket.first_staff_reply_at)
                                        .where(col(Ticket.first_staff_reply_at).is_not(None)))).all()
        return [(replied - created).total_seconds() / 3600 for created, replied in rows]

    async def rating_summary(self) -> tuple[float | None, int]:
        """(average rating, ratings given)."""
        average, count = (await self.session.exec(select(
            func.avg(Ticket.rating), func.count(Ticket.rating)).where(
            col(Ticket.rating) > 0))).one()
        return (float(average) if average is not None else None), int(count)

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
