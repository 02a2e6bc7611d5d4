"""Staff replies written before the bot has recorded where a new ticket is in the staff chat.

Telegram shows a new ticket's topic (or, in a staff chat without topics, its card) to staff the
moment it is made; the bot learns its id a moment later, when Telegram answers, and records it.
A staff member quick enough to write in that topic, or to reply to that card, in between, writes
about a ticket the bot cannot name yet. Such a message is not dropped: it waits behind the
staff-chat work of each ticket still being set up (that ticket's order key, so it runs once the
topic and card are recorded) and is then read as any staff message is (its topic, or the message
it replies to). The ticket it turns out to belong to answers the person with it; for the others
it was not theirs. A message that belongs to no ticket was staff talking among themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from bot.core.delivery import Rejected
from bot.core.messages import Attachment, Incoming, is_small_id
from bot.services import ticket_texts as texts
from bot.services.hotline import TICKET_ORDER
from bot.services.tickets import Change, Tickets
from storage.models_outbox import OutboxMessage
from storage.repos.outbox import OutboxRepo
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork

KIND = "early_staff_reply"


@dataclass
class EarlyReplies:
    """Holds staff messages that name no ticket yet until the tickets being set up are."""

    tickets: Tickets

    async def hold(self, uow: UnitOfWork, event: Incoming, author: str) -> bool:
        """Queue a staff message written in a topic or as a reply, that names no ticket, behind
        every ticket still being set up in the staff chat; False when there is none (then it
        was staff among themselves) or the message is neither in a topic nor a reply."""
        hotline = self.tickets.hotline
        if not hotline.enabled or not (event.thread_id or event.reply_to_ref):
            return False
        waiting = await uow.repo(TicketRepo).being_set_up(TICKET_ORDER)
        if not waiting:
            return False
        message = {**asdict(event), "attachments": [asdict(a) for a in event.attachments]}
        await uow.repo(OutboxRepo).enqueue([{
            "dedupe_key": f"{KIND}:{ticket_id}:{uuid.uuid4().hex}", "kind": KIND,
            "channel": hotline.staff_channel, "chat_id": str(hotline.settings.staff_chat_id),
            "order_key": f"{TICKET_ORDER}{ticket_id}",
            "payload": {"ticket_id": ticket_id, "author": author, "message": message}}
            for ticket_id in waiting], known=set())  # fresh keys: nothing to look up
        return True

    async def run(self, row: OutboxMessage) -> None:
        """The outbox worker's action: once its ticket is set up, the held message is that
        ticket's answer to the person if it was written in its topic (or replies to its card);
        staff are told, as for any reply, when the ticket is closed or nobody can receive it."""
        payload: dict[str, Any] = row.payload
        raw = dict(payload["message"])
        event = Incoming(**{**raw, "attachments": tuple(
            Attachment(**a) for a in raw.get("attachments") or ())})
        hotline = self.tickets.hotline
        async with UnitOfWork(hotline.database) as uow:
            repo = uow.repo(TicketRepo)
            ticket = await self.tickets.about(uow, event)
            if ticket is None or ticket.id != payload["ticket_id"]:
                return  # another ticket's, or staff among themselves
            if event.message_ref and is_small_id(event.message_ref) and \
                    await repo.by_staff_message(int(event.message_ref)) is not None:
                return  # answered already (this row ran, then failed to record it)
            outcome = await self.tickets.answer(uow, ticket, author=str(payload["author"]),
                                                event=event)
            await uow.commit()
        if outcome.change is Change.REFUSED:
            await self._tell_staff(event, texts.closed_to_staff(hotline.staff_language,
                                                                payload["ticket_id"]))
        elif outcome.person is None:
            await self._tell_staff(event, texts.not_delivered(hotline.staff_language))

    async def _tell_staff(self, event: Incoming, text: str) -> None:
        """Say `text` where the held message was written (its topic, or under it)."""
        desk = self.tickets.hotline.desk
        if desk is None:
            raise Rejected("no staff chat in this process")
        thread = int(event.thread_id) if event.thread_id and is_small_id(event.thread_id) \
            else None
        reply_to = int(event.message_ref) if thread is None and event.message_ref and \
            is_small_id(event.message_ref) else None
        await desk.post(text, thread_id=thread, reply_to=reply_to)
