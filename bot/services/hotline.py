"""The hotline's staff-chat side: each ticket's topic, card and relayed messages, durably.

Everything the staff chat owes a ticket is an outbox row of kind "ticket" (order key
`ticket:N`, so one ticket's work goes out in order, one step at a time, whatever the number
of processes), queued in the same unit of work that decided it. The outbox worker runs the
row through `run_job`, which reads the ticket in one short unit of work, talks to the staff
chat with no transaction open, and records each step (topic, card, each copied message) in
another. A step that fails is retried from where it stood: the ticket reaches staff at least
once. Before asking for a topic the request is recorded, so if its answer is lost the next
card says that an empty twin may exist rather than silently leaving one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.core.delivery import (
    Rejected,
    Transient,
    Unknown,
    reply_order_key,
    reply_to_dict,
)
from bot.core.messages import Button, MessageRef, Reply
from bot.i18n import N_, translator
from bot.places import MUNICIPALITIES
from bot.services import ticket_texts as texts
from bot.services.files import FileSource
from bot.services.staff_desk import StaffDesk, TopicGone
from bot.settings import Settings
from storage.engine import Database
from storage.models import Person, utcnow
from storage.models_hotline import VIA_CONSOLE, Ticket, TicketMessage
from storage.models_outbox import OutboxMessage
from storage.repos.organisations import OrganisationRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.tickets import ERASED, TicketRepo
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
QUESTION_ON_CARD = 3000  # the card stays one Telegram message; the rest follows in pieces
JOB_KIND = "ticket"
TICKET_ORDER = "ticket:"  # + the ticket's number: the order key of its staff-chat work
STAFF_REPLY_KIND = "staff_reply"
NOT_DELIVERED = {
    "unreachable": N_("⚠️ Not delivered: the person has blocked the bot or is no longer "
                      "reachable."),
    "outside_window": N_("⚠️ Not delivered: on Messenger staff can answer only within 7 days of "
                         "the person's last message."),
    "failed": N_("⚠️ Not delivered: the channel refused the message. Please try again later."),
}


@dataclass
class _Snapshot:
    ticket: Ticket
    messages: list[TicketMessage]
    organisation: str | None


@dataclass
class Hotline:
    """Queues and runs the staff-chat work of tickets; relays staff answers to people."""

    database: Database
    settings: Settings
    desk: StaffDesk | None = None  # set by the channel that carries the staff chat
    staff_channel: str = "telegram"  # the platform the staff chat lives on
    # Where the files people sent can be fetched again, by channel (set by the channels).
    files: dict[str, FileSource] = field(default_factory=dict)

    @property
    def staff_language(self) -> str:
        """The language of texts written into the staff chat."""
        return self.settings.staff_language

    @property
    def enabled(self) -> bool:
        """True when tickets have a staff chat to go to."""
        return self.settings.staff_chat_id is not None

    # ------------------------------------------------------------------ queueing (in a turn)

    async def queue(self, uow: UnitOfWork, ticket_id: int, op: str, **data: Any) -> None:
        """Queue staff-chat work for a ticket, committed with the caller's unit of work.

        `op`: "sync" (topic, card and every message not yet in the staff chat), "post"
        (`text` into the topic), "close", "reopen", "erase"."""
        await self.queue_many(uow, [ticket_id], op, **data)

    async def queue_many(self, uow: UnitOfWork, ticket_ids: list[int], op: str,
                         **data: Any) -> None:
        """The same work for several tickets, in one statement (retention erases a slice)."""
        if not self.enabled:
            if op == "sync":
                log.warning("tickets %s kept, but no staff chat is configured (STAFF_CHAT_ID)",
                            ", ".join(f"#{t}" for t in ticket_ids))
            return
        await uow.repo(OutboxRepo).enqueue([{
            "dedupe_key": f"ticket:{ticket_id}:{op}:{uuid.uuid4().hex}", "kind": JOB_KIND,
            "channel": self.staff_channel, "chat_id": str(self.settings.staff_chat_id),
            "order_key": f"{TICKET_ORDER}{ticket_id}",
            "payload": {"op": op, "ticket_id": ticket_id, **data}} for ticket_id in ticket_ids],
            known=set())  # fresh keys: nothing to look up

    async def queue_staff_reply(self, uow: UnitOfWork, ticket: Ticket, person: Person,
                                text: str, staff_message_id: int | None) -> None:
        """A staff answer to the person: a copy on the staff chat's platform (attachments
        kept, no "forwarded from"), else its text; sent at least once."""
        assert ticket.id is not None
        payload: dict[str, Any] = {"replies": [reply_to_dict(Reply(text=text))],
                                   "ticket_id": ticket.id}
        if person.channel == self.staff_channel and staff_message_id is not None:
            payload["copy"] = {"chat_id": str(self.settings.staff_chat_id),
                               "message_id": str(staff_message_id)}
        await uow.repo(OutboxRepo).enqueue([{
            "dedupe_key": f"{person.channel}:{person.chat_id}:staff-reply:{uuid.uuid4().hex}",
            "kind": STAFF_REPLY_KIND, "person_id": person.id, "channel": person.channel,
            "chat_id": person.chat_id, "order_key": reply_order_key(person.channel,
                                                                    person.chat_id),
            "payload": payload}], known=set())  # a fresh key: nothing to look up

    async def on_final(self, row: OutboxMessage, outcome: str, error: str | None) -> None:
        """A staff answer that could not be delivered: say so in the ticket's topic, once."""
        ticket_id = row.payload.get("ticket_id")
        if row.kind != STAFF_REPLY_KIND or not isinstance(ticket_id, int):
            return
        _ = translator(self.staff_language)
        text = _(NOT_DELIVERED.get(outcome, NOT_DELIVERED["failed"]))
        async with UnitOfWork(self.database) as uow:
            await self.queue(uow, ticket_id, "post", text=text)
            await uow.commit()

    # ------------------------------------------------------------------ texts

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
        question = ticket.question
        if len(question) > QUESTION_ON_CARD:
            question = question[:QUESTION_ON_CARD] + " …"
        lines += ["", question]
        return "\n".join(lines)

    def topic_title(self, ticket: Ticket) -> str:
        """'#N · topic · municipality · name', within Telegram's 128 characters."""
        _ = translator(self.staff_language)
        topic = _(TOPICS[ticket.topic]).split(" ", 1)[-1]
        title = f"#{ticket.id} · {topic} · {_(MUNICIPALITIES[ticket.municipality])}"
        if ticket.requester_name:
            title += f" · {ticket.requester_name}"
        return title[:TOPIC_TITLE_LIMIT]

    def erased_title(self, ticket_id: int) -> str:
        """What an erased ticket's topic and card say instead of the person's data."""
        _ = translator(self.staff_language)
        return _(N_("#{number} · erased")).format(number=ticket_id)

    def staff_buttons(self, ticket: Ticket) -> list[list[Button]]:
        """Take / Close buttons under a card."""
        _ = translator(self.staff_language)
        return [[Button(label=_(N_("🙋 Take")), payload=f"tk:take:{ticket.id}"),
                 Button(label=_(N_("✅ Close")), payload=f"tk:close:{ticket.id}")]]

    # ------------------------------------------------------------------ running (worker)

    async def run_job(self, row: OutboxMessage) -> None:
        """Do one queued piece of staff-chat work (the outbox worker's action for tickets)."""
        desk = self.desk
        if desk is None:
            raise Rejected("no staff chat in this process")
        op, ticket_id = row.payload.get("op"), row.payload.get("ticket_id")
        if not isinstance(ticket_id, int):
            raise Rejected("a ticket job without a ticket")
        try:
            await self._run(desk, op, ticket_id, row.payload)
        except TopicGone:  # deleted by someone: a new topic with everything, then the work
            await self._forget_topic(ticket_id)
            await self._run(desk, op, ticket_id, row.payload, recreated=True)

    async def _run(self, desk: StaffDesk, op: object, ticket_id: int, payload: dict[str, Any],
                   *, recreated: bool = False) -> None:
        if op == "erase":
            await self._erase(desk, ticket_id)
            return
        snapshot = await self._snapshot(ticket_id)
        if snapshot is None:
            return
        ticket = snapshot.ticket
        if op in ("close", "reopen"):  # a decision taken in the console says so in the topic
            notice = str(payload.get("text") or "")
            if notice and op == "close":
                await desk.post(notice, thread_id=ticket.staff_thread_id,
                                reply_to=_reply_anchor(ticket))
            if ticket.staff_thread_id is not None:
                await desk.set_topic_closed(ticket.staff_thread_id, op == "close")
            if notice and op == "reopen":
                await desk.post(notice, thread_id=ticket.staff_thread_id,
                                reply_to=_reply_anchor(ticket))
            return
        if ticket.erased_at is None:  # an erased ticket never gets a topic or card again;
            await self._sync(desk, snapshot, recreated=recreated)  # its notes go to General
        if op == "post":
            await desk.post(str(payload.get("text", "")), thread_id=ticket.staff_thread_id,
                            reply_to=_reply_anchor(ticket))

    async def _sync(self, desk: StaffDesk, snapshot: _Snapshot, *, recreated: bool) -> None:
        """Topic, card, then every message not yet in the staff chat, each step recorded."""
        ticket = snapshot.ticket
        assert ticket.id is not None
        _ = translator(self.staff_language)
        if ticket.staff_card_message_id is None:
            notes = []
            if recreated:
                notes.append(_(N_("(The previous topic was deleted; the ticket continues here.)")))
            if ticket.staff_thread_id is None and desk.is_forum is not False:
                if ticket.topic_requested_at is not None:
                    notes.append(_(N_("(An earlier attempt to open this topic got no answer; if "
                                      "an empty topic with the same name exists, delete it.)")))
                await self._record(ticket.id, topic_requested_at=utcnow())
                try:
                    ticket.staff_thread_id = await desk.open_topic(self.topic_title(ticket))
                except Unknown:
                    raise  # it may exist: the next attempt says so on its card
                except Transient:
                    await self._record(ticket.id, topic_requested_at=None)  # surely not made
                    raise
                await self._record(ticket.id, staff_thread_id=ticket.staff_thread_id)
            card = "\n\n".join([*notes, self.card(ticket, snapshot.organisation)])
            ticket.staff_card_message_id = await desk.post(
                card, thread_id=ticket.staff_thread_id, buttons=self.staff_buttons(ticket))
            await self._record(ticket.id, staff_card_message_id=ticket.staff_card_message_id)
        anchor = _reply_anchor(ticket)
        for message in snapshot.messages:
            if message.staff_message_id is not None or message.direction == "note":
                continue
            if message.direction == "in":
                copied = await self._copy_in(desk, ticket, message, anchor)
            else:
                copied = await desk.post(self._staff_answer(message),
                                         thread_id=ticket.staff_thread_id, reply_to=anchor)
            await self._record_message(message, copied)

    def _staff_answer(self, message: TicketMessage) -> str:
        """A staff answer as the topic shows it when it was not written there."""
        if message.via == VIA_CONSOLE:
            return texts.console_reply(self.staff_language, message.author, message.text)
        _ = translator(self.staff_language)
        return _(N_("Staff answered: {text}")).format(text=message.text)

    async def _copy_in(self, desk: StaffDesk, ticket: Ticket, message: TicketMessage,
                       anchor: int | None) -> int:
        if (message.source_message_id and message.source_chat_id
                and ticket.channel == self.staff_channel):
            return await desk.copy_in(
                MessageRef(ticket.channel, message.source_chat_id, message.source_message_id),
                thread_id=ticket.staff_thread_id, reply_to=anchor)
        return await desk.post(message.text or f"[{message.attachment_kind}]",
                               thread_id=ticket.staff_thread_id, reply_to=anchor)

    async def _erase(self, desk: StaffDesk, ticket_id: int) -> None:
        """The person erased their data (or retention did): nothing of them stays in the staff
        chat. A ticket's topic is deleted with everything in it — the card, copies of the
        person's messages, staff answers and notes, which may name them too; later notices of
        the ticket go to the chat's general topic. Without topics, or without the right to
        delete them, the card and topic name say "erased" and the copies are deleted."""
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(TicketRepo)
            ticket = await repo.get(ticket_id)
            copies = [m for m in await repo.messages(ticket_id)
                      if m.direction == "in" and m.staff_message_id is not None]
        if ticket is None:
            return
        if ticket.staff_thread_id is not None:
            try:
                await desk.delete_topic(ticket.staff_thread_id)
            except Rejected:
                log.warning("the topic of ticket #%s could not be deleted (the bot needs the "
                            "right to delete messages): renamed and blanked instead", ticket_id)
            else:
                await self._forget_topic(ticket_id)
                return
        title = self.erased_title(ticket_id)
        if ticket.staff_thread_id is not None:
            await desk.rename_topic(ticket.staff_thread_id, title)
        if ticket.staff_card_message_id is not None:
            await desk.edit(ticket.staff_card_message_id, title)
        for message in copies:
            assert message.staff_message_id is not None
            try:
                await desk.delete(message.staff_message_id)
            except Rejected:  # too old to delete (Telegram: 48 h): blank it instead
                try:
                    await desk.edit(message.staff_message_id, ERASED)
                except Rejected:
                    log.warning("a copy of ticket #%s in the staff chat could not be erased "
                                "(a photo or file older than 48 h): staff should delete it",
                                ticket_id)
            await self._record_message(message, None)

    # ------------------------------------------------------------------ short units of work

    async def _snapshot(self, ticket_id: int) -> _Snapshot | None:
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(TicketRepo)
            ticket = await repo.get(ticket_id)
            if ticket is None:
                return None
            organisation = (await uow.repo(OrganisationRepo).for_person(ticket.person_id)
                            if ticket.person_id else None)
            return _Snapshot(ticket, await repo.messages(ticket_id),
                             organisation.name_ka if organisation else None)

    async def _record(self, ticket_id: int, **values: Any) -> None:
        async with UnitOfWork(self.database) as uow:
            await uow.repo(TicketRepo).set_fields(ticket_id, **values)
            await uow.commit()

    async def _record_message(self, message: TicketMessage, staff_message_id: int | None) -> None:
        assert message.id is not None
        message.staff_message_id = staff_message_id
        async with UnitOfWork(self.database) as uow:
            await uow.repo(TicketRepo).set_staff_message(message.id, staff_message_id)
            await uow.commit()

    async def _forget_topic(self, ticket_id: int) -> None:
        async with UnitOfWork(self.database) as uow:
            await uow.repo(TicketRepo).forget_staff_chat(ticket_id)
            await uow.commit()


def _reply_anchor(ticket: Ticket) -> int | None:
    """Without topics, everything of a ticket is threaded under its card."""
    return ticket.staff_card_message_id if ticket.staff_thread_id is None else None
