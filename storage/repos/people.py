"""People who write to the bot."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, utcnow


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
    ) -> tuple[Person, bool]:
        """Return the person (created with `language` if new) and whether they are new."""
        person = await self.find(channel=channel, external_id=external_id)
        now = utcnow()
        created = person is None
        if person is None:
            person = Person(channel=channel, external_id=external_id, chat_id=chat_id,
                            display_name=display_name[:128], language=language,
                            first_seen=now)
        person.last_seen = now
        person.last_inbound_at = now
        person.chat_id = chat_id
        if display_name:
            person.display_name = display_name[:128]
        self.session.add(person)
        await self.session.flush()
        return person, created
