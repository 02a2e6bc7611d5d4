"""The hotline's rules: opening a ticket, follow-ups, and for staff which ticket a message is
about, replies, notes, take, close, reopen, canned answers; erasing a person's tickets. Handlers phrase what these decide; every query is a
repository's."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml

from bot.core.messages import Incoming, is_small_id
from bot.services import ticket_texts as texts
from bot.services.hotline import QUESTION_ON_CARD, Hotline
from storage.models import Person, utcnow
from storage.models_hotline import VIA_CONSOLE, Ticket, TicketMessage
from storage.repos.privacy import PrivacyRepo
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork

STAFF_MESSAGE_LIMIT = 4000  # a piece of a long question, within Telegram's 4096 characters


@dataclass(frozen=True)
class Attached:
    """A file a person sent with their question (copied to staff, or linked from Messenger)."""

    kind: str
    caption: str
    message_ref: str | None
    link: str | None  # where staff can open it when it cannot be copied across platforms
    file_id: str | None = None  # the platform's reference to the file (the console shows it)


@dataclass(frozen=True)
class Question:
    """What the /ask form gathered."""

    topic: str
    municipality: str
    text: str
    phone: str | None
    files: tuple[Attached, ...] = ()


def _with_link(text: str, link: str | None) -> str:
    return f"{text}\n{link}".strip() if link else text


def _notice(text: str | None) -> dict[str, str]:
    """A staff-chat job's text to post in the topic, if any."""
    return {"text": text} if text else {}


class Change(Enum):
    """What a staff decision did."""

    DONE = "done"
    ALREADY = "already"  # nothing changed, nobody is told again
    REFUSED = "refused"  # not allowed (e.g. reopening an erased ticket)


@dataclass(frozen=True)
class Outcome:
    """A staff decision's result, and the person concerned (None once they erased their data)."""

    change: Change
    person: Person | None = None


def load_canned(path: Path) -> dict[str, dict[str, str]]:
    """Canned answers by name: {"ka": …, "en": …} (staff edit content/canned.yaml)."""
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): {lang: str(v[lang]).strip() for lang in ("ka", "en") if v.get(lang)}
            for k, v in raw.items() if isinstance(v, dict) and v.get("ka")}


@dataclass
class Tickets:
    """Staff decisions on tickets, in the caller's unit of work; staff-chat work is queued."""

    hotline: Hotline
    canned: dict[str, dict[str, str]]  # the database's; replaced when the content changes

    async def open(self, uow: UnitOfWork, person: Person, language: str,
                   question: Question) -> Ticket:
        """A new ticket, kept whole however long; its staff-chat work is queued with it."""
        assert person.id is not None
        repo = uow.repo(TicketRepo)
        ticket = await repo.add(Ticket(
            person_id=person.id, channel=person.channel, language=language,
            topic=question.topic, municipality=question.municipality, question=question.text,
            answer_via="phone" if question.phone else "chat", phone=question.phone,
            requester_name=person.display_name, consent_at=utcnow()))
        assert ticket.id is not None
        # The card shows the start of a long question; the rest follows in pieces staff can read.
        rest = question.text[QUESTION_ON_CARD:]
        for start_at in range(0, len(rest), STAFF_MESSAGE_LIMIT):
            await repo.add_message(TicketMessage(
                ticket_id=ticket.id, direction="in",
                text="… " + rest[start_at:start_at + STAFF_MESSAGE_LIMIT]))
        for file in question.files:  # files follow the card as copies
            await repo.add_message(TicketMessage(
                ticket_id=ticket.id, direction="in", text=_with_link(file.caption, file.link),
                attachment_kind=file.kind, source_chat_id=person.chat_id,
                source_message_id=file.message_ref, file_id=file.file_id))
        person.active_ticket_id = ticket.id
        if question.phone:
            person.phone = question.phone
        person.consent_data_at = person.consent_data_at or utcnow()
        uow.people.save(person)
        await self.hotline.queue(uow, ticket.id, "sync")
        return ticket

    async def follow_up(self, uow: UnitOfWork, person: Person, text: str,
                        message_ref: str | None, file: Attached | None) -> int | None:
        """A person's later message (`message_ref`: to copy it) into their open ticket; None when
        they have none open (they leave the open-ticket mode then)."""
        ticket_id = person.active_ticket_id
        if ticket_id is None:
            return None
        repo = uow.repo(TicketRepo)
        ticket = await repo.get(ticket_id)
        if ticket is None or ticket.status != "open":
            self.leave(uow, person)
            return None
        await repo.add_message(TicketMessage(
            ticket_id=ticket_id, direction="in",
            text=_with_link(text, file.link if file else None),
            attachment_kind=file.kind if file else None, source_chat_id=person.chat_id,
            source_message_id=message_ref, file_id=file.file_id if file else None))
        await self.hotline.queue(uow, ticket_id, "sync")
        return ticket_id

    @staticmethod
    def leave(uow: UnitOfWork, person: Person) -> None:
        """The person's messages go to the bot again (the ticket stays open for staff)."""
        if person.active_ticket_id is not None:
            person.active_ticket_id = None
            uow.people.save(person)

    async def rate(self, uow: UnitOfWork, person: Person, ticket_id: int, stars: int) -> bool:
        """The person's rating of their closed ticket; False when it is not theirs to rate."""
        ticket = await uow.repo(TicketRepo).get(ticket_id)
        if ticket is None or ticket.person_id != person.id or ticket.status != "closed" \
                or not 1 <= stars <= 5:
            return False
        ticket.rating = stars
        uow.repo(TicketRepo).save(ticket)
        return True

    async def about(self, uow: UnitOfWork, event: Incoming) -> Ticket | None:
        """The ticket a staff message is about: `#N` / `N` after a command, its topic, or the
        message it replies to."""
        repo = uow.repo(TicketRepo)
        command = event.command
        argument = command[1].split(" ", 1)[0].lstrip("#") if command else ""
        if argument and is_small_id(argument):
            return await repo.get(int(argument))
        if event.thread_id and is_small_id(event.thread_id):
            found = await repo.by_thread(int(event.thread_id))
            if found is not None:
                return found
        if event.reply_to_ref and is_small_id(event.reply_to_ref):
            return await repo.by_staff_message(int(event.reply_to_ref))
        return None

    async def answer(self, uow: UnitOfWork, ticket: Ticket, *, author: str,
                     event: Incoming) -> Outcome:
        """A staff message in a ticket's topic (or a reply to it) answers the person: REFUSED
        while the ticket is closed; DONE, without a person when nobody can receive it."""
        if ticket.status != "open":
            return Outcome(Change.REFUSED)
        person = await self.reply(
            uow, ticket, author=author, text=event.text or "",
            attachment=event.attachments[0].kind if event.attachments else None, event=event)
        return Outcome(Change.DONE, person)

    async def reply(self, uow: UnitOfWork, ticket: Ticket, *, author: str, text: str,
                    attachment: str | None, event: Incoming) -> Person | None:
        """A staff answer: kept with the ticket and queued to the person (None: erased)."""
        assert ticket.id is not None
        staff_message = int(event.message_ref) if event.message_ref and is_small_id(
            event.message_ref) else None
        await uow.repo(TicketRepo).add_message(TicketMessage(
            ticket_id=ticket.id, direction="out", author=author, text=text,
            attachment_kind=attachment, source_chat_id=event.chat_id,
            source_message_id=event.message_ref, staff_message_id=staff_message))
        copy_of = staff_message if event.command is None else None  # /reply sends text
        return await self._to_person(uow, ticket, text, copy_of)

    async def reply_from_console(self, uow: UnitOfWork, ticket: Ticket, *, author: str,
                                 text: str) -> Outcome:
        """A staff answer written in the web console: the same rules as one typed in the
        ticket's topic (a closed ticket is refused), sent to the person signed with `author`'s
        name, and copied into the topic so staff answering in Telegram see it."""
        assert ticket.id is not None
        if ticket.status != "open":
            return Outcome(Change.REFUSED)
        await uow.repo(TicketRepo).add_message(TicketMessage(
            ticket_id=ticket.id, direction="out", author=author, text=text, via=VIA_CONSOLE))
        await self.hotline.queue(uow, ticket.id, "sync")  # the topic shows it
        person = await uow.people.get(ticket.person_id) if ticket.person_id else None
        language = person.language if person is not None else ticket.language
        person = await self._to_person(uow, ticket, texts.signed(language, text, author), None)
        return Outcome(Change.DONE, person)

    async def _to_person(self, uow: UnitOfWork, ticket: Ticket, text: str,
                         copy_of: int | None) -> Person | None:
        """Queue a staff answer to the ticket's person (None: erased or unreachable)."""
        if ticket.first_staff_reply_at is None:
            ticket.first_staff_reply_at = utcnow()
            uow.repo(TicketRepo).save(ticket)
        person = await uow.people.get(ticket.person_id) if ticket.person_id else None
        if person is None or not person.chat_id:
            return None
        if person.active_ticket_id != ticket.id:  # their next messages answer staff
            person.active_ticket_id = ticket.id
            uow.people.save(person)
        await self.hotline.queue_staff_reply(uow, ticket, person, text, copy_of)
        return person

    def canned_text(self, name: str, language: str) -> str | None:
        """A canned answer in `language` (Georgian when it has no such translation)."""
        answer = self.canned.get(name.strip().lower())
        return (answer.get(language) or answer["ka"]) if answer else None

    async def note(self, uow: UnitOfWork, ticket: Ticket, *, author: str, text: str) -> None:
        """A note for staff only, kept with the ticket."""
        assert ticket.id is not None
        await uow.repo(TicketRepo).add_message(TicketMessage(
            ticket_id=ticket.id, direction="note", author=author, text=text))

    async def close(self, uow: UnitOfWork, ticket: Ticket, *,
                    topic_notice: str | None = None) -> Outcome:
        """Close it and its topic (`topic_notice` is posted there first: a decision taken
        outside the topic); the person (returned) is to be asked for a rating."""
        assert ticket.id is not None
        if ticket.status == "closed":
            return Outcome(Change.ALREADY)
        ticket.status, ticket.closed_at = "closed", utcnow()
        ticket.last_activity_at = ticket.closed_at
        uow.repo(TicketRepo).save(ticket)
        person = await uow.people.get(ticket.person_id) if ticket.person_id else None
        if person is not None and person.active_ticket_id == ticket.id:
            person.active_ticket_id = None
            uow.people.save(person)
        await self.hotline.queue(uow, ticket.id, "close", **_notice(topic_notice))
        return Outcome(Change.DONE, person if person is not None and person.chat_id else None)

    async def reopen(self, uow: UnitOfWork, ticket: Ticket, *,
                     topic_notice: str | None = None) -> Outcome:
        """Reopen it: the person's messages go to its topic again (`topic_notice` is posted
        there once it is open)."""
        assert ticket.id is not None
        if ticket.erased_at is not None:
            return Outcome(Change.REFUSED)
        if ticket.status == "open":
            return Outcome(Change.ALREADY)
        ticket.status, ticket.closed_at, ticket.last_activity_at = "open", None, utcnow()
        uow.repo(TicketRepo).save(ticket)
        person = await uow.people.get(ticket.person_id) if ticket.person_id else None
        if person is not None:
            person.active_ticket_id = ticket.id
            uow.people.save(person)
        await self.hotline.queue(uow, ticket.id, "reopen", **_notice(topic_notice))
        return Outcome(Change.DONE, person)

    async def forget(self, uow: UnitOfWork, person: Person, note: str) -> None:
        """Erase the person's data everywhere; their tickets leave the staff chat, open ones
        are closed with `note` (in the staff language) posted in their topic first."""
        tickets = await uow.repo(PrivacyRepo).erase_person(person)
        for ticket in tickets:
            assert ticket.id is not None
            await self.hotline.queue(uow, ticket.id, "erase")
            if ticket.status == "open":
                ticket.status, ticket.closed_at = "closed", utcnow()
                uow.repo(TicketRepo).save(ticket)
                # The topic is deleted by then (hotline.py `_erase`): the note goes to the
                # chat's general topic, so it names the ticket.
                await self.hotline.queue(uow, ticket.id, "post", text=f"#{ticket.id} · {note}")
                await self.hotline.queue(uow, ticket.id, "close")

    async def take(self, uow: UnitOfWork, ticket: Ticket, who: str) -> Outcome:
        """Assign it to `who`."""
        if ticket.assignee == who:
            return Outcome(Change.ALREADY)
        ticket.assignee = who
        uow.repo(TicketRepo).save(ticket)
        return Outcome(Change.DONE)
