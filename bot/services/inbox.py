"""The console's inbox: the rules for reading and answering tickets from a browser.

Every decision goes through the tickets service (bot/services/tickets.py), exactly as a staff
member's message or command in the ticket's Telegram topic does; what the topic would have
shown (who took it, who closed it, the reply itself) is queued for the topic as ticket work,
and the person is told through the outbox, so both places stay in step."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core.delivery import notice_row
from bot.core.messages import Notice, small_number
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services import ticket_texts as texts
from bot.services.files import FileData
from bot.services.hotline import QUESTION_ON_CARD, TOPICS, Hotline
from bot.services.tickets import STAFF_MESSAGE_LIMIT, Change, Outcome, Tickets
from storage.models_hotline import Ticket, TicketMessage
from storage.repos.inbox import STATES, InboxQuery, InboxRepo, InboxRow
from storage.repos.outbox import OutboxRepo
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork

PAGE_SIZE = 25
CHANNELS = ("telegram", "messenger")
REPLY_LIMIT = 3500  # with the signature and the topic's prefix, within one Telegram message
NOTE_LIMIT = 2000
SEARCH_LIMIT = 200


class Refused(Exception):
    """Staff input the inbox does not take; `message` is a gettext id to show them, formatted
    with `params`."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox."""

    rows: list[InboxRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Entry:
    """One message of a conversation, as the console shows it."""

    id: int | None  # None: the question itself (kept on the ticket)
    direction: str  # in | out | note
    author: str
    text: str
    created_at: datetime
    attachment_kind: str | None
    file: str | None  # "served" (fetched through the console), a link, or None
    via: str | None


@dataclass(frozen=True)
class Conversation:
    """A ticket with its whole conversation, oldest first."""

    ticket: Ticket
    entries: list[Entry]


@dataclass
class Inbox:
    """Reading, answering and deciding tickets from the console."""

    tickets: Tickets
    hotline: Hotline

    # ------------------------------------------------------------------ reading

    def query(self, params: Mapping[str, str], staff_name: str) -> InboxQuery:
        """The filters from a query string; unknown values are dropped, never an error."""
        state = params.get("state", "open")
        topic, place, channel = (params.get(k) or None for k in ("topic", "municipality",
                                                                 "channel"))
        text = (params.get("q") or "").strip()[:SEARCH_LIMIT] or None
        return InboxQuery(state=state if state in STATES else "open",
                          topic=topic if topic in TOPICS else None,
                          municipality=place if place in MUNICIPALITIES else None,
                          channel=channel if channel in CHANNELS else None,
                          text=text, number=small_number(text.lstrip("#")) if text else None,
                          staff_name=staff_name)

    async def listing(self, uow: UnitOfWork, query: InboxQuery, page: int) -> InboxPage:
        """The `page`-th page (from 1) of matching tickets; past the end, the last page."""
        repo = uow.repo(InboxRepo)
        page = max(page, 1)
        rows, total = await repo.page(query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        if not rows and page > pages:
            page = pages
            rows, total = await repo.page(query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        return InboxPage(rows, total, page, pages)

    async def conversation(self, uow: UnitOfWork, number: int) -> Conversation | None:
        """The ticket and everything said on it: the question, the person's messages, staff
        answers (from Telegram or the console) and notes."""
        repo = uow.repo(TicketRepo)
        ticket = await repo.get(number)
        if ticket is None:
            return None
        served = ticket.channel in self.hotline.files and ticket.erased_at is None
        pieces = _question_pieces(ticket.question)
        entries = [Entry(None, "in", ticket.requester_name, ticket.question, ticket.created_at,
                         None, None, None)]
        for message in await repo.messages(number):
            if message.direction == "in" and message.attachment_kind is None \
                    and message.text in pieces:
                continue  # a piece of a long question, already shown whole above
            entries.append(Entry(message.id, message.direction, message.author, message.text,
                                 message.created_at, message.attachment_kind,
                                 _file(message, served), message.via))
        return Conversation(ticket, entries)

    def canned(self, language: str) -> list[tuple[str, str]]:
        """Canned answers (name, text in `language`), as `/reply NAME` would send them."""
        return [(name, self.tickets.canned_text(name, language) or "")
                for name in sorted(self.tickets.canned)]

    async def attachment(self, number: int, message_id: int) -> FileData | None:
        """A file the person sent with ticket `number`, fetched again from their platform
        (no transaction is open while it downloads); None when there is none to show."""
        async with UnitOfWork(self.hotline.database) as uow:
            ticket = await uow.repo(TicketRepo).get(number)
            message = await uow.repo(InboxRepo).message(number, message_id)
        if ticket is None or message is None or message.direction != "in" \
                or _file(message, ticket.erased_at is None) is None:
            return None
        source = self.hotline.files.get(ticket.channel)
        if source is None or not message.file_id:
            return None
        return await source.fetch_file(message.file_id)

    # ------------------------------------------------------------------ deciding

    async def reply(self, uow: UnitOfWork, number: int, staff_name: str, text: str) -> Outcome:
        """Send a reply to the person (signed with `staff_name`) and copy it to the topic.
        REFUSED: the ticket is closed; DONE with no person: they cannot be reached."""
        text = _required(text, REPLY_LIMIT, N_("Write a reply first."),
                         N_("The reply is too long (at most {limit} characters)."))
        ticket = await self._ticket(uow, number)
        return await self.tickets.reply_from_console(uow, ticket, author=staff_name, text=text)

    async def note(self, uow: UnitOfWork, number: int, staff_name: str, text: str) -> None:
        """A note for staff only, kept with the ticket and shown in its topic."""
        text = _required(text, NOTE_LIMIT, N_("Write the note first."),
                         N_("The note is too long (at most {limit} characters)."))
        ticket = await self._ticket(uow, number)
        assert ticket.id is not None
        await self.tickets.note(uow, ticket, author=staff_name, text=text)
        await self.hotline.queue(uow, ticket.id, "post", text=texts.console_note(
            self.hotline.staff_language, staff_name, text))

    async def take(self, uow: UnitOfWork, number: int, staff_name: str) -> Outcome:
        """Assign the ticket to `staff_name`; the topic says so (once)."""
        ticket = await self._ticket(uow, number)
        assert ticket.id is not None
        outcome = await self.tickets.take(uow, ticket, staff_name)
        if outcome.change is Change.DONE:
            await self.hotline.queue(uow, ticket.id, "post", text=texts.taken_by(
                self.hotline.staff_language, ticket.id, staff_name))
        return outcome

    async def close(self, uow: UnitOfWork, number: int, staff_name: str) -> Outcome:
        """Close it as /close does: the person is asked for a rating and the topic says who
        closed it, once; closing a closed ticket tells nobody."""
        ticket = await self._ticket(uow, number)
        assert ticket.id is not None
        outcome = await self.tickets.close(uow, ticket, topic_notice=texts.closed_by(
            self.hotline.staff_language, ticket.id, staff_name))
        if outcome.change is Change.DONE and outcome.person is not None:
            person = outcome.person
            notice = Notice(channel=person.channel, chat_id=person.chat_id, person_id=person.id,
                            replies=[texts.rating_request(ticket.id, person.language)])
            await uow.repo(OutboxRepo).enqueue([notice_row(
                notice, f"{person.channel}:{person.chat_id}:notice:console:{uuid.uuid4().hex}")])
        return outcome

    async def reopen(self, uow: UnitOfWork, number: int, staff_name: str) -> Outcome:
        """Reopen it as /reopen does (an erased ticket stays closed); the topic says so."""
        ticket = await self._ticket(uow, number)
        assert ticket.id is not None
        return await self.tickets.reopen(uow, ticket, topic_notice=texts.reopened(
            self.hotline.staff_language, ticket.id))

    @staticmethod
    async def _ticket(uow: UnitOfWork, number: int) -> Ticket:
        ticket = await uow.repo(TicketRepo).get(number, lock=True)
        if ticket is None:
            raise Refused(N_("There is no such ticket."))
        return ticket


def _required(text: str, limit: int, blank: str, too_long: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise Refused(blank)
    if len(text) > limit:
        raise Refused(too_long, limit=limit)
    return text


def _question_pieces(question: str) -> set[str]:
    """The texts the tickets service split a long question into (after the card's part)."""
    rest = question[QUESTION_ON_CARD:]
    return {"… " + rest[i:i + STAFF_MESSAGE_LIMIT] for i in range(0, len(rest), STAFF_MESSAGE_LIMIT)}


def _file(message: TicketMessage, served: bool) -> str | None:
    """How staff open a message's file: "served" through the console, a link, or not at all."""
    if not message.attachment_kind or not message.file_id:
        return None
    if served:
        return "served"
    if message.file_id.startswith("https://"):
        return message.file_id
    return None
