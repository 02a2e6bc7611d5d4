"""People who write to the bot."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, Person, utcnow

# last_seen is precise to this; a burst of messages writes the person row once.
SEEN_PRECISION = timedelta(seconds=60)
# Runs for every message: the person and their conversation in one query, built once.
_SEEN = (select(Person, Conversation)
         .outerjoin(Conversation, Conversation.person_id == Person.id)  # type: ignore[arg-type]
         .where(Person.channel == bindparam("channel"),
                Person.external_id == bindparam("external_id")))


class PeopleRepo:
    """Finds and records people by (channel, external id)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, person_id: int) -> Person | None:
        """The person with this id."""
        return await self.session.get(Person, person_id)

    def save(self, person: Person) -> None:
        """Store a changed person (written at commit)."""
        self.session.add(person)

    async def last_inbound(self, *, channel: str, external_id: str) -> datetime | None:
        """When the person known on this channel under this id last wrote (None: never)."""
        return (await self.session.exec(select(Person.last_inbound_at).where(
            Person.channel == channel, Person.external_id == external_id))).first()

    async def find(self, *, channel: str, external_id: str) -> Person | None:
        """The person known on this channel under this id."""
        result = await self.session.exec(
            select(Person).where(Person.channel == channel, Person.external_id == external_id)
        )
        return result.first()

    async def seen(
        self, *, channel: str, external_id: str, chat_id: str, display_name: str, language: str
    ) -> tuple[Person, Conversation | None, bool]:
        """The person (created with `language` if new), their conversation, and whether new.

        One query loads both; the person row is only rewritten when something changed.
        """
        found = (await self.session.exec(
            _SEEN, params={"channel": channel, "external_id": external_id})).first()
        now = utcnow()
        display_name = display_name[:128]
        if found is None:
            person = Person(channel=channel, external_id=external_id, chat_id=chat_id,
                            display_name=display_name, language=language, first_seen=now,
                            last_seen=now, last_inbound_at=now)
            self.session.add(person)
            await self.session.flush()  # callers need the id
            return person, None, True
        person, conversation = found
        changed = person.chat_id != chat_id or (display_name and person.display_name != display_name)
        if changed or person.last_inbound_at is None or now - person.last_inbound_at > SEEN_PRECISION:
            person.last_seen = person.last_inbound_at = now
            person.chat_id = chat_id
            person.display_name = display_name or person.display_name
            self.session.add(person)
        return person, conversation, False

    async def move_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> int:
        """A group chat got a new id (`migrate_to_chat_id`): people reached there follow it."""
        result = await self.session.exec(update(Person).where(  # type: ignore[call-overload]
            Person.channel == channel, Person.chat_id == old_chat_id).values(chat_id=new_chat_id))
        return result.rowcount or 0
