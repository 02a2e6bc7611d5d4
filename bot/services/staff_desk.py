"""What the hotline needs from the staff chat, whatever carries it (a Telegram supergroup)."""

from __future__ import annotations

from typing import Protocol

from bot.core.messages import Button, MessageRef


class TopicGone(Exception):
    """The staff topic was deleted; create a new one and post again."""


class StaffDesk(Protocol):
    """The staff chat: topics per ticket (or reply threads when it has no topics).

    Failures raise the core's delivery errors (bot/core/delivery.py) or `TopicGone`."""

    chat_id: int
    is_forum: bool | None

    async def open_topic(self, title: str) -> int | None:
        """A new topic's thread id, or None when the chat has no topics."""

    async def post(self, text: str, *, thread_id: int | None, reply_to: int | None = None,
                   buttons: list[list[Button]] | None = None) -> int:
        """Post text; returns the message id. Raises TopicGone."""

    async def post_file(self, kind: str, filename: str, content: bytes, caption: str) -> int:
        """Post a photo ("photo") or a document with a caption; returns the message id."""

    async def edit(self, message_id: int, text: str) -> None:
        """Change the text of a message the bot posted (a progress report)."""

    async def copy_in(self, source: MessageRef, *, thread_id: int | None,
                      reply_to: int | None = None) -> int:
        """Copy a person's message (photo, document…) into the staff chat. Raises TopicGone."""

    async def delete(self, message_id: int) -> None:
        """Delete a message from the staff chat."""

    async def delete_topic(self, thread_id: int) -> None:
        """Delete a topic with every message in it (one already gone is not an error).
        Raises `Rejected` when the bot may not (it needs the right to delete messages)."""

    async def rename_topic(self, thread_id: int, title: str) -> None:
        """Give a topic a new name."""

    async def set_topic_closed(self, thread_id: int, closed: bool) -> None:
        """Close or reopen a topic."""
