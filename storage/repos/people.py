"""People who write to the bot."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, Person, utcnow
from storage.one_trip import Prepared

M = TypeVar("M", bound=SQLModel)

# last_seen is precise to this; a burst of messages writes the person row once.
SEEN_PRECISION = timedelta(seconds=60)
# Run for every message, one trip each (storage/one_trip.py): the person and their
# conversation in one query; a new person; a person seen again (or in a new chat, or renamed).
_PERSON = Person.__table__  # type: ignore[attr-defined]
_CONVERSATION = Conversation.__table__  # type: ignore[attr-defined]
_SEEN = Prepared(core_select(_PERSON, _CONVERSATION)
                 .outerjoin(_CONVERSATION, _CONVERSATION.c.person_id == _PERSON.c.id)
                 .where(_PERSON.c.channel == bindparam("channel"),
                        _PERSON.c.external_id == bindparam("external_id")))
_ADD = Prepared(insert(_PERSON).returning(_PERSON.c.id))
_SEEN_AGAIN = Prepared(update(_PERSON).where(_PERSON.c.id == bindparam("person_id"))
                       .values(chat_id=bindparam("chat_id"),
                               display_name=bindparam("display_name"),
                               last_seen=bindparam("last_seen"),
                               last_inbound_at=bindparam("last_seen"))
                       .returning(_PERSON.c.id))


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

        One query loads both; the person row is only rewritten when something changed. The
        rows join the session as if the ORM had loaded them (later changes are flushed)."""
        found = await _SEEN.rows(self.session, {"channel": channel, "external_id": external_id})
        now = utcnow()
        display_name = display_name[:128]
        if not found:
            values: dict[str, Any] = {
                "channel": channel, "external_id": external_id, "chat_id": chat_id,
                "display_name": display_name, "language": language, "language_chosen": False,
                "first_seen": now, "last_seen": now, "last_inbound_at": now}
            (person_id,), = await _ADD.rows(self.session, values)
            return self._attach(Person, {**values, "id": person_id}), None, True
        row = found[0]
        person_values = dict(zip(_PERSON.c.keys(), row[:len(_PERSON.c)]))
        conversation_values = dict(zip(_CONVERSATION.c.keys(), row[len(_PERSON.c):]))
        last = person_values["last_inbound_at"]
        changed = (person_values["chat_id"] != chat_id
                   or (display_name and person_values["display_name"] != display_name))
        if changed or last is None or now - last > SEEN_PRECISION:
            person_values.update(chat_id=chat_id, last_seen=now, last_inbound_at=now,
                                 display_name=display_name or person_values["display_name"])
            await _SEEN_AGAIN.rows(self.session, {
                "person_id": person_values["id"], "chat_id": chat_id, "last_seen": now,
                "display_name": person_values["display_name"]})
        conversation = (self._attach(Conversation, conversation_values)
                        if conversation_values["person_id"] is not None else None)
        return self._attach(Person, person_values), conversation, False

    def _attach(self, model: type[M], values: dict[str, Any]) -> M:
        """An object for a row just read or written, in the session as if loaded by it."""
        instance = model(**values)
        make_transient_to_detached(instance)
        self.session.add(instance)
        return instance

    async def move_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> int:
        """A group chat got a new id (`migrate_to_chat_id`): people reached there follow it."""
        result = await self.session.exec(update(Person).where(  # type: ignore[call-overload]
            Person.channel == channel, Person.chat_id == old_chat_id).values(chat_id=new_chat_id))
        return result.rowcount or 0
