"""The hotline: tickets, their staff topics, and relaying messages both ways.

Work with the staff chat happens after the unit of work that decided it has committed, each
step in a unit of work of its own that locks the ticket row, so two quick messages, a retry
or a second process never open a second topic for one ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.delivery import DeliveryError, OutsideWindow, Unreachable
from bot.core.engine import Sender
from bot.core.messages import Button, MessageRef, Reply
from bot.i18n import N_, translator
from bot.places import MUNICIPALITIES
from bot.services.staff_desk import PersonUnreachable, StaffDesk, TopicGone
from bot.settings import Settings
from storage.engine import Database
from storage.models import Person
from storage.models_hotline import Ticket, TicketMessage
from storage.repos.organisations import OrganisationRepo
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

TOPICS: dict[str, str] = {
    "legal": N_("⚖️ Legal help"),
    "consultation": N_("💬 Consultation"),
    "project_writing": N_("📝 Project writing"),
    "financial_management": N_("📊 Financial management"),
    "public_communication": N_("📣 Public communication"),
    "other": N_("❔ Something else"),
}
TOPIC_TITLE_LIMIT = 128


@dataclass
class Hotline:
    """Publishes tickets to the staff chat and relays messages between staff and people."""

    database: Database
    settings: Settings
    senders: Mapping[str, Sender]
    desk: StaffDesk | None = None
    staff_channel: str = "telegram"  # the platform the staff chat lives on

    @property
    def staff_language(self) -> str:
        """The language of texts written into the staff chat."""
        return self.settings.staff_language

    def card(self, ticket: Ticket, organisation: str | None = None) -> str:
        """The summary card that opens a ticket's topic (plain text: nothing is parsed)."""
        _ = translator(self.staff_language)
        lines = [f"#{ticket.id} · {_(TOPICS[ticket.topic])} · {_(MUNICIPALITIES[ticket.municipality])}",
                 _(N_("From: {name} ({channel}, {language})")).format(
                     name=ticket.requester_name or "—", channel=ticket.channel,
                     language=ticket.language)]
        if organisation:
            lines.append(_(N_("Organisation: {name}")).format(name=organisation))
        if ticket.answer_via == "phone" and ticket.phone:
            lines.append(_(N_("Wants a phone call: {phone}")).format(phone=ticket.phone))
        else:
            lines.append(_(N_("Wants the answer here in the chat.")))
        lines += ["", ticket.question]
        return "\n".join(lines)

    def topic_title(self, ticket: Ticket) -> str:
        """'#N · topic · municipality · name', within Telegram's 128 characters."""
        _ = translator(self.staff_language)
        topic = _(TOPICS[ticket.topic]).split(" ", 1)[-1]
        title = f"#{ticket.id} · {topic} · {_(MUNICIPALITIES[ticket.municipality])}"
        if ticket.requester_name:
            title += f" · {ticket.requester_name}"
        return title[:TOPIC_TITLE_LIMIT]

    async def publish(self, ticket_id: int) -> None:
        """Give the ticket its topic with the summary card and attachments (once)."""
        if self.desk is None:
            log.warning("ticket #%s kept, but no staff chat is configured (STAFF_CHAT_ID)",
                        ticket_id)
            return
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(TicketRepo)
            ticket = await repo.get(ticket_id, lock=True)
            if ticket is None or self._published(ticket):
                return
            await self._open_topic(repo, ticket)
            await uow.commit()

    async def relay_in(self, ticket_id: int, message_id: int) -> None:
        """Bring a person's message (text or attachment) into the ticket's topic."""
        if self.desk is None:
            return
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(TicketRepo)
            ticket = await repo.get(ticket_id, lock=True)
            message = await uow.session.get(TicketMessage, message_id)
            if ticket is None or message is None:
                return
            if not self._published(ticket):
                await self._open_topic(repo, ticket)
            else:
                try:
                    message.staff_message_id = await self._copy_in(ticket, message)
                except TopicGone:
                    await self._open_topic(repo, ticket, recreate=True)
            uow.session.add(message)
            await uow.commit()

    async def relay_out(self, ticket_id: int, staff_message_id: int, text: str) -> None:
        """Bring a staff message to the person: a copy on the same platform, else its text."""
        async with UnitOfWork(self.database) as uow:
            ticket = await uow.repo(TicketRepo).get(ticket_id)
            person = await uow.people.get(ticket.person_id) if ticket and ticket.person_id else None
        if ticket is None:
            return
        try:
            if person is None:
                raise PersonUnreachable("the person erased their data")
            if person.channel == self.staff_channel and self.desk is not None:
                await self.desk.copy_out(staff_message_id, person.chat_id)
            else:
                await self._send(person, [Reply(text=text)], kind="staff_reply")
        except (PersonUnreachable, Unreachable):
            _ = translator(self.staff_language)
            await self.post(ticket_id, _(N_(
                "⚠️ Not delivered: the person has blocked the bot or is no longer reachable.")))
        except OutsideWindow:
            _ = translator(self.staff_language)
            await self.post(ticket_id, _(N_(
                "⚠️ Not delivered: on Messenger staff can answer only within 7 days of the "
                "person's last message.")))
        except DeliveryError:
            log.exception("a staff reply of ticket #%s could not be delivered", ticket_id)
            _ = translator(self.staff_language)
            await self.post(ticket_id, _(N_("⚠️ Not delivered: the channel refused the message. "
                                            "Please try again later.")))

    async def post(self, ticket_id: int, text: str,
                   buttons: list[list[Button]] | None = None) -> None:
        """Write into the ticket's topic (recreating it if it was deleted)."""
        if self.desk is None:
            return
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(TicketRepo)
            ticket = await repo.get(ticket_id, lock=True)
            if ticket is None:
                return
            if not self._published(ticket):
                await self._open_topic(repo, ticket)
            try:
                await self.desk.post(text, thread_id=ticket.staff_thread_id,
                                     reply_to=self._reply_anchor(ticket), buttons=buttons)
            except TopicGone:
                await self._open_topic(repo, ticket, recreate=True)
                await self.desk.post(text, thread_id=ticket.staff_thread_id, buttons=buttons)
            await uow.commit()

    async def set_closed(self, ticket_id: int, closed: bool) -> None:
        """Close or reopen the ticket's topic, if it has one."""
        if self.desk is None:
            return
        async with UnitOfWork(self.database) as uow:
            ticket = await uow.repo(TicketRepo).get(ticket_id)
        if ticket is not None and ticket.staff_thread_id is not None:
            try:
                await self.desk.set_topic_closed(ticket.staff_thread_id, closed)
            except TopicGone:
                log.info("topic of ticket #%s is gone; nothing to close", ticket_id)

    def staff_buttons(self, ticket: Ticket) -> list[list[Button]]:
        """Take / Close buttons under a card."""
        _ = translator(self.staff_language)
        return [[Button(label=_(N_("🙋 Take")), payload=f"tk:take:{ticket.id}"),
                 Button(label=_(N_("✅ Close")), payload=f"tk:close:{ticket.id}")]]

    @staticmethod
    def _published(ticket: Ticket) -> bool:
        return ticket.staff_thread_id is not None or ticket.staff_card_message_id is not None

    @staticmethod
    def _reply_anchor(ticket: Ticket) -> int | None:
        """Without topics, everything of a ticket is threaded under its card."""
        return ticket.staff_card_message_id if ticket.staff_thread_id is None else None

    async def _open_topic(self, repo: TicketRepo, ticket: Ticket, *, recreate: bool = False) -> None:
        """Create the topic, post the card and copy every message of the ticket into it."""
        assert self.desk is not None and ticket.id is not None
        ticket.staff_thread_id = await self.desk.open_topic(self.topic_title(ticket))
        organisation = (await OrganisationRepo(repo.session).for_person(ticket.person_id)
                        if ticket.person_id else None)
        card = self.card(ticket, organisation.name_ka if organisation else None)
        if recreate:
            _ = translator(self.staff_language)
            card = _(N_("(The previous topic was deleted; the ticket continues here.)")) + "\n\n" + card
        ticket.staff_card_message_id = await self.desk.post(
            card, thread_id=ticket.staff_thread_id, buttons=self.staff_buttons(ticket))
        repo.session.add(ticket)
        for message in await repo.messages(ticket.id):
            if message.direction == "in" and (message.attachment_kind or recreate):
                message.staff_message_id = await self._copy_in(ticket, message)
                repo.session.add(message)
            elif message.direction == "out" and recreate:
                _ = translator(self.staff_language)
                await self.desk.post(_(N_("Staff answered: {text}")).format(text=message.text),
                                     thread_id=ticket.staff_thread_id)

    async def _copy_in(self, ticket: Ticket, message: TicketMessage) -> int:
        assert self.desk is not None
        anchor = self._reply_anchor(ticket)
        if (message.source_message_id and message.source_chat_id
                and ticket.channel == self.staff_channel):
            return await self.desk.copy_in(
                MessageRef(ticket.channel, message.source_chat_id, message.source_message_id),
                thread_id=ticket.staff_thread_id, reply_to=anchor)
        return await self.desk.post(message.text or f"[{message.attachment_kind}]",
                                    thread_id=ticket.staff_thread_id, reply_to=anchor)

    async def _send(self, person: Person, replies: list[Reply], *, kind: str | None = None
                    ) -> None:
        sender = self.senders.get(person.channel)
        if sender is None:
            raise PersonUnreachable(f"no sender for {person.channel}")
        await sender.send(person.chat_id, replies, kind=kind)
