"""Who an announcement reaches: subscribers (by topic, municipality) or an event's registrants."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person
from storage.models_events import CONFIRMED, EventRegistration
from storage.models_outbox import Subscription, UnreachablePerson
from storage.repos.privacy import ERASED_CHAT


class Recipient(NamedTuple):
    """One person an announcement may go to, with what their subscription asks for."""

    person_id: int
    channel: str
    chat_id: str
    language: str
    topics: list[str] | None  # None: not a subscriber (an event's registrant)

    def wants(self, audience: dict[str, str]) -> bool:
        """True unless the audience is a topic this subscriber did not choose."""
        if audience.get("kind") != "topic":
            return True
        return self.topics is not None and audience.get("value") in self.topics


class AudienceRepo:
    """Pages of an audience in person-id order, without those who blocked the bot."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, audience: dict[str, str], *, after: int = 0,
                   limit: int = 500) -> list[Recipient]:
        """Up to `limit` recipients with person id above `after`, by id.

        A topic is checked by the caller (`Recipient.wants`: topics are a JSON list), so a page
        may hold people the topic leaves out; paging goes by the last id of the page."""
        rows = (await self.session.exec(
            _audience(audience).where(col(Person.id) > after)
            .order_by(col(Person.id)).limit(limit))).all()
        event = audience.get("kind") == "event"
        return [Recipient(person_id, channel, chat_id, language, None if event else extra)
                for person_id, channel, chat_id, language, extra in rows]

    async def count(self, audience: dict[str, str]) -> int:
        """How many people the audience reaches: one count in SQL; a topic (a JSON list) is
        checked a page of topic lists at a time."""
        if audience.get("kind") != "topic":
            return int((await self.session.exec(
                select(func.count()).select_from(_audience(audience).subquery()))).one())
        counted, after = 0, 0
        while True:
            rows = (await self.session.exec(
                select(Person.id, Subscription.topics)
                .join(Subscription, col(Subscription.person_id) == Person.id)
                .where(col(Person.id) > after, *_reachable())
                .order_by(col(Person.id)).limit(COUNT_PAGE))).all()
            counted += sum(1 for _id, topics in rows if audience.get("value") in topics)
            if len(rows) < COUNT_PAGE:
                return counted
            after = rows[-1][0]


COUNT_PAGE = 5_000


def _reachable() -> tuple[Any, ...]:
    """Conditions on Person: not erased, not blocked."""
    blocked = exists().where(UnreachablePerson.person_id == Person.id)
    return (Person.chat_id != ERASED_CHAT, ~blocked)


def _audience(audience: dict[str, str]) -> Any:
    """The audience's rows: person id, channel, chat, language, and topics or status."""
    columns: tuple[Any, ...] = (Person.id, Person.channel, Person.chat_id, Person.language)
    if audience.get("kind") == "event":
        statement = (select(*columns, EventRegistration.status)
                     .join(EventRegistration, col(EventRegistration.person_id) == Person.id)
                     .where(EventRegistration.event_id == int(audience["value"]),
                            EventRegistration.status == CONFIRMED))
    else:
        statement = (select(*columns, Subscription.topics)
                     .join(Subscription, col(Subscription.person_id) == Person.id))
        if audience.get("kind") == "municipality":
            statement = statement.where(or_(col(Subscription.municipality).is_(None),
                                            Subscription.municipality == audience["value"]))
    return statement.where(*_reachable())
