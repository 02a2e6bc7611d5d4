"""How a channel tells the core that a message could not be delivered, and replies as JSON."""

from __future__ import annotations

import base64
from typing import Any

from bot.core.messages import Button, Document, Notice, Reply


class DeliveryError(Exception):
    """A message was not delivered."""


class Unreachable(DeliveryError):
    """The person blocked the bot or no longer exists: stop sending to them."""


class RateLimited(DeliveryError):
    """The platform asks us to wait."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after}s")
        self.retry_after = retry_after


class Transient(DeliveryError):
    """A timeout or server error: try again later."""


class Rejected(DeliveryError):
    """The platform refused the message itself: retrying will not help."""


class OutsideWindow(Rejected):
    """The channel allows no message of this kind now (Messenger's 24-hour window)."""


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """A reply as plain JSON (a small document, such as an .ics, travels as base64)."""
    data: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[{"label": b.label, "payload": b.payload, "short": b.short, "url": b.url}
                     for b in row] for row in reply.buttons]}
    if reply.document is not None:
        data["document"] = {"filename": reply.document.filename,
                            "mime_type": reply.document.mime_type,
                            "content": base64.b64encode(reply.document.content).decode()}
    return data


def reply_from_dict(data: dict[str, Any]) -> Reply:
    """The reply stored by `reply_to_dict`."""
    document = data.get("document")
    return Reply(text=data["text"],
                 buttons=[[Button(**b) for b in row] for row in data.get("buttons", [])],
                 document=Document(filename=document["filename"], mime_type=document["mime_type"],
                                   content=base64.b64decode(document["content"]))
                 if document else None)


def notice_row(notice: Notice, key: str, replies: list[Reply] | None = None) -> dict[str, Any]:
    """The outbox row for a notice (`replies` when their payloads were fitted to the channel)."""
    return {"dedupe_key": key, "kind": notice.kind or "notice", "person_id": notice.person_id,
            "channel": notice.channel, "chat_id": notice.chat_id, "thread_id": notice.thread_id,
            "payload": {"replies": [reply_to_dict(r) for r in (replies or notice.replies)]}}
