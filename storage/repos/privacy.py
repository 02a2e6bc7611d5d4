"""Erasing a person's personal data everywhere it is kept (`/forget`)."""

from __future__ import annotations

from sqlalchemy import delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, FaqFeedback, FaqQuestion, Person, utcnow
from storage.models_attendance import EventAttendance, EventFeedback
from storage.models_events import EventRegistration
from storage.models_hotline import Ticket, TicketMessage
from storage.models_orgs import Organisation
from storage.models_outbox import OutboxMessage, Subscription, UnreachablePerson
from storage.repos.tickets import ERASED

ERASED_CHAT = ""  # an erased person's chat id: nothing is ever sent there


class PrivacyRepo:
    """One place that knows every table holding a person's data."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def erase_person(self, person: Person) -> list[Ticket]:
        """Erase the person's data; returns their tickets (to clear them from the staff chat).

        The person row stays as an empty shell (its id keeps tickets and registrations
        counted), with its platform ids replaced: their next message starts afresh."""
        assert person.id is not None
        now = utcnow()
        tickets = list((await self.session.exec(
            select(Ticket).where(Ticket.person_id == person.id))).all())
        ids = [t.id for t in tickets]
        if ids:
            await self.session.exec(update(Ticket).where(col(Ticket.id).in_(ids)).values(  # type: ignore[call-overload]
                question=ERASED, phone=None, requester_name="", erased_at=now))
            await self.session.exec(update(TicketMessage).where(  # type: ignore[call-overload]
                col(TicketMessage.ticket_id).in_(ids)).values(
                text=ERASED, source_chat_id=None, source_message_id=None, file_id=None))
        await self.session.exec(delete(FaqQuestion).where(  # type: ignore[call-overload]
            col(FaqQuestion.person_id) == person.id))
        await self.session.exec(update(FaqFeedback).where(  # type: ignore[call-overload]
            col(FaqFeedback.person_id) == person.id).values(comment=None))
        # the organisation stays (it is the organisation's record) but loses its personal
        # contact details and leaves the public directory until someone registers it again
        await self.session.exec(update(Organisation).where(  # type: ignore[call-overload]
            col(Organisation.person_id) == person.id).values(
            contact_name=ERASED, phone="", email="", consent_public_at=None, person_id=None))
        await self.session.exec(update(EventRegistration).where(  # type: ignore[call-overload]
            col(EventRegistration.person_id) == person.id).values(names=[]))
        # they stay counted as present and their rating in the averages; their words go
        await self.session.exec(update(EventAttendance).where(  # type: ignore[call-overload]
            col(EventAttendance.person_id) == person.id).values(organisation_name=None))
        await self.session.exec(update(EventFeedback).where(  # type: ignore[call-overload]
            col(EventFeedback.person_id) == person.id).values(comment=None, will_apply=None))
        # messages queued for them or about them, sent or not, with their errors
        await self.session.exec(delete(OutboxMessage).where(  # type: ignore[call-overload]
            or_(col(OutboxMessage.person_id) == person.id,
                (col(OutboxMessage.channel) == person.channel)
                & (col(OutboxMessage.chat_id) == person.chat_id))))
        for table in (Subscription, UnreachablePerson, Conversation):
            await self.session.exec(delete(table).where(  # type: ignore[call-overload]
                col(table.person_id) == person.id))  # type: ignore[attr-defined]
        person.display_name = ""
        person.phone = None
        person.active_ticket_id = None
        person.external_id = f"erased:{person.id}"
        person.chat_id = ERASED_CHAT
        person.consent_data_at = person.consent_public_at = None
        self.session.add(person)
        return tickets
