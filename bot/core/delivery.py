"""How a channel tells the core that a message could not be delivered, and replies as JSON."""

from __future__ import annotations

import base64
from collections.abc import Awaitable
from typing import Any, Protocol

from bot.core.messages import Button, Document, Notice, Reply


class Sender(Protocol):
    """What a channel offers the core for messages nobody is waiting for a reply to."""

    payload_limit: int | None

    def send(self, chat_id: str, replies: list[Reply], thread_id: str | None = None, *,
             kind: str | None = None) -> Awaitable[None]:
        """Deliver replies to a chat (and topic); `kind` (the outbox's) may decide how.

        A failure raises a `DeliveryError` whose `sent` counts the replies that went out."""


class DeliveryError(Exception):
    """A message was not delivered.

    `sent` counts the replies of the call that went out before the failure, so whoever
    retries sends only the rest."""

    sent: int = 0


class Unreachable(DeliveryError):
    """The person blocked the bot or no longer exists: stop sending to them."""


class RateLimited(DeliveryError):
    """The platform asks us to wait."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after}s")
        self.retry_after = retry_after


class Transient(DeliveryError):
    """The platform answered with a server error (or could not be reached): not sent, try again."""


class Unknown(Transient):
    """No answer came (a timeout after the request went out): it may or may not have arrived.

    Kinds where a duplicate would reach a person are not sent again; kinds where a loss hurts
    are (see `AT_LEAST_ONCE` in bot/services/outbox.py)."""


class ChatMoved(DeliveryError):
    """The group became a supergroup with a new id (`migrate_to_chat_id`): send there instead."""

    def __init__(self, new_chat_id: str, message: str = "") -> None:
        super().__init__(message or f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Rejected(DeliveryError):
    """The platform refused the message itself: retrying will not help."""


class OutsideWindow(Rejected):
    """The channel allows no message of this kind now (Messenger's 24-hour window)."""


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """A reply as plain JSON (a small document, such as an .ics, travels as base64)."""
    data: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[{"label": b.label, "payload": b.payload, "short": b.short, "url": b.url,
                      "request_phone": b.request_phone}
                     for b in row] for row in reply.buttons]}
    if reply.remove_keyboard:
        data["remove_keyboard"] = True
    if reply.document is not None:
        data["document"] = {"filename": reply.document.filename,
                            "mime_type": reply.document.mime_type,
                            "content": base64.b64encode(reply.document.content).decode()}
    return data


def reply_from_dict(data: dict[str, Any]) -> Reply:
    """The reply stored by `reply_to_dict`."""
    document = data.get("document")
    return Reply(text=data["text"], remove_keyboard=bool(data.get("remove_keyboard")),
                 buttons=[[Button(**b) for b in row] for row in data.get("buttons", [])],
                 document=Document(filename=document["filename"], mime_type=document["mime_type"],
                                   content=base64.b64decode(document["content"]))
                 if document else None)


def reply_order_key(channel: str, chat_id: str) -> str:
    """The outbox order key of one person's chat: what waits for them goes out in order."""
    return f"chat:{channel}:{chat_id}"


def notice_row(notice: Notice, key: str, replies: list[Reply] | None = None) -> dict[str, Any]:
    """The outbox row for a notice (`replies` when their payloads were fitted to the channel)."""
    return {"dedupe_key": key, "kind": notice.kind or "notice", "person_id": notice.person_id,
            "channel": notice.channel, "chat_id": notice.chat_id, "thread_id": notice.thread_id,
            "order_key": reply_order_key(notice.channel, notice.chat_id)
            if notice.person_id is not None else None,
            "payload": {"replies": [reply_to_dict(r) for r in (replies or notice.replies)]}}
