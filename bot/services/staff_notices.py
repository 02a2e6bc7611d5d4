"""Telling people about a staff decision made outside a chat turn (the console): outbox rows
written in the same unit of work as the decision, so the change and the message to the person
are committed together or not at all; the running bot's outbox worker sends them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from bot.core.delivery import notice_row
from bot.core.messages import Document, Notice, Reply
from storage.models import Person
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork


def notice_for(person: Person, text: str, document: Document | None = None,
               kind: str | None = None) -> Notice:
    """A message for one person on the channel they wrote from."""
    return Notice(channel=person.channel, chat_id=person.chat_id,
                  replies=[Reply(text=text, document=document)], person_id=person.id, kind=kind)


async def queue_notices(uow: UnitOfWork, notices: Sequence[Notice], *, origin: str = "") -> int:
    """Queue the notices in the caller's unit of work; returns how many were queued.

    `origin` names the decision (e.g. "org.approve:7"); each row's key is unique to this call,
    so what a second, unchanged decision does not ask for is never sent twice by mistake.
    """
    if not notices:
        return 0
    tag = f"{origin}:{uuid.uuid4().hex}"
    return await uow.repo(OutboxRepo).enqueue([
        notice_row(notice, f"{notice.channel}:{notice.chat_id}:staff:{tag}:{i}")
        for i, notice in enumerate(notices)])
