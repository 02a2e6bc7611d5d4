"""People who write to the bot."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver import columns, driver_sql
from storage.models import Conversation, Person, utcnow

# last_seen is precise to this; a burst of messages writes the person row once.
SEEN_PRECISION = timedelta(seconds=60)
_PERSON_COLUMNS = len(Person.__table__.columns)  # type: ignore[attr-defined]
# Runs for every message, so at the driver level: the person and their conversation at once.
_SEEN = (f"SELECT {columns(Person, 'p')}, {columns(Conversation, 'c')} FROM person p "
         "LEFT OUTER JOIN conversation c ON c.person_id = p.id "
         "WHERE p.channel = ? AND p.external_id = ?")


class PeopleRepo:
    """Finds and records people by (channel, external id)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, person_id: int) -> Person | None:
        """The person with this id."""
        return await self.session.get(Person, person_id)

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
        sql = driver_sql(self.session)
        rows = await sql.fetch(_SEEN, channel, external_id)
        now = utcnow()
        display_name = display_name[:128]
        if not rows:
            person = Person(channel=channel, external_id=external_id, chat_id=chat_id,
                            display_name=display_name, language=language, first_seen=now,
                            last_seen=now, last_inbound_at=now)
            self.session.add(person)
            await self.session.flush()
            return person, None, True
        person = sql.adopt(Person, rows[0][:_PERSON_COLUMNS])
        held = rows[0][_PERSON_COLUMNS:]
        conversation = sql.adopt(Conversation, held) if held[0] is not None else None
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
