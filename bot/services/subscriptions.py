"""The rules of announcement subscriptions: subscribing takes every topic, the last topic
cannot be turned off (that is unsubscribing), each change is kept at once."""

from __future__ import annotations

from enum import Enum

from bot.services.announcements import SUBSCRIPTION_TOPICS
from storage.models_outbox import Subscription
from storage.repos.outbox import OutboxRepo
from storage.repos.subscriptions import SubscriptionRepo
from storage.uow import UnitOfWork


class Kept(Enum):
    """What became of a change to a subscription."""

    SAVED = "saved"
    GONE = "gone"  # the person is no longer subscribed (an old panel's button)
    LAST_TOPIC = "last_topic"  # refused: at least one topic stays on


async def current(uow: UnitOfWork, person_id: int) -> Subscription | None:
    """The person's subscription, if any."""
    return await uow.repo(SubscriptionRepo).get(person_id)


async def subscribe(uow: UnitOfWork, person_id: int) -> Subscription:
    """Subscribe to every topic (an existing subscription stays as it is); a person who
    subscribes can be reached again."""
    repo = uow.repo(SubscriptionRepo)
    row = await repo.get(person_id)
    if row is None:
        row = Subscription(person_id=person_id, topics=list(SUBSCRIPTION_TOPICS))
        repo.save(row)
    await uow.repo(OutboxRepo).clear_unreachable(person_id)
    return row


async def set_topics(uow: UnitOfWork, person_id: int, topics: list[str]) -> Kept:
    """Keep the ticked topics; none at all is refused."""
    repo = uow.repo(SubscriptionRepo)
    row = await repo.get(person_id)
    if row is None:
        return Kept.GONE
    if not topics:
        return Kept.LAST_TOPIC
    row.topics = topics
    repo.save(row)
    return Kept.SAVED


async def set_municipality(uow: UnitOfWork, person_id: int, municipality: str | None) -> Kept:
    """Keep one municipality (None: all of Imereti)."""
    repo = uow.repo(SubscriptionRepo)
    row = await repo.get(person_id)
    if row is None:
        return Kept.GONE
    row.municipality = municipality
    repo.save(row)
    return Kept.SAVED


async def unsubscribe(uow: UnitOfWork, person_id: int) -> None:
    """Stop every announcement (nothing to do when not subscribed)."""
    repo = uow.repo(SubscriptionRepo)
    row = await repo.get(person_id)
    if row is not None:
        await repo.remove(row)
