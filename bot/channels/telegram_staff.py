"""The staff chat on Telegram: its updates as neutral staff events, and the StaffDesk calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from telegram import Bot, InputFile, Update
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram_convert import CHANNEL, attachments_of, reply_markup
from bot.channels.telegram_errors import delivery_error
from bot.core.clean_text import cleaned
from bot.core.messages import Button, Incoming, MessageRef, Reply
from bot.services.staff_desk import TopicGone

_GONE = ("message thread not found", "topic_deleted", "topic not found", "thread not found")
_NOT_FORUM = ("not a forum", "chat_not_forum", "forum is disabled")
_ALREADY = ("not modified", "topic_not_modified", "message to delete not found")


@contextmanager
def _desk_errors(thread_id: int | None = None, *, harmless: tuple[str, ...] = ()) -> Iterator[None]:
    """Telegram errors as delivery outcomes; a deleted topic raises `TopicGone` (the hotline
    then recreates it); errors that mean "already so" (`harmless`) are not errors."""
    try:
        yield
    except BadRequest as exc:
        if harmless and _mentions(exc, harmless):
            return
        if thread_id is not None and _mentions(exc, _GONE):
            raise TopicGone(str(exc)) from exc
        raise delivery_error(exc) from exc
    except TelegramError as exc:
        raise delivery_error(exc) from exc


def staff_incoming(update: Update, staff_chat_id: int) -> Incoming | None:
    """A message or button press in the staff chat, or None for anything else."""
    event = _staff_event(update, staff_chat_id)
    return cleaned(event) if event is not None else None


def _staff_event(update: Update, staff_chat_id: int) -> Incoming | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot or chat is None or chat.id != staff_chat_id:
        return None
    common = {"channel": CHANNEL, "user_id": str(user.id), "chat_id": str(chat.id),
              "event_key": str(update.update_id), "display_name": user.full_name,
              "language_hint": user.language_code, "chat_kind": "staff"}
    query = update.callback_query
    if query is not None:
        message = query.message
        thread = getattr(message, "message_thread_id", None) if message else None
        return Incoming(payload=query.data or "", thread_id=str(thread) if thread else None,
                        **common)
    message = update.message
    if message is None:
        return None
    text = message.text or message.caption
    attachments = attachments_of(message)
    if not text and not attachments:
        return None  # topic created/closed and other service messages
    reply_to = message.reply_to_message
    # In a forum every message "replies" to the topic's first message; only real replies count.
    replying = reply_to is not None and not (
        message.is_topic_message and reply_to.message_id == message.message_thread_id)
    return Incoming(text=text, attachments=attachments, message_ref=str(message.message_id),
                    thread_id=str(message.message_thread_id) if message.is_topic_message else None,
                    reply_to_ref=str(reply_to.message_id) if replying and reply_to else None,
                    **common)


def _mentions(error: Exception, needles: tuple[str, ...]) -> bool:
    text = str(error).lower()
    return any(needle in text for needle in needles)


class TelegramStaffDesk:
    """The StaffDesk on a Telegram supergroup (topics when it is a forum).

    Every call raises the core's delivery errors (or `TopicGone`), so the outbox worker that
    runs the hotline's staff-chat work decides what to do about each."""

    def __init__(self, bot: Bot, staff_chat_id: int) -> None:
        self.bot = bot
        self.chat_id = staff_chat_id
        self.is_forum: bool | None = None  # learnt on the first topic we try to open

    async def open_topic(self, title: str) -> int | None:
        """A new forum topic, or None when the staff chat has no topics."""
        if self.is_forum is False:
            return None
        try:
            topic = await self.bot.create_forum_topic(self.chat_id, title)
        except BadRequest as exc:
            if _mentions(exc, _NOT_FORUM):
                self.is_forum = False
                return None
            raise delivery_error(exc) from exc
        except TelegramError as exc:
            raise delivery_error(exc) from exc
        self.is_forum = True
        return topic.message_thread_id

    async def post(self, text: str, *, thread_id: int | None, reply_to: int | None = None,
                   buttons: list[list[Button]] | None = None) -> int:
        """Post plain text (nothing is parsed, so a question's `<b>` stays `<b>`)."""
        with _desk_errors(thread_id):
            message = await self.bot.send_message(
                self.chat_id, text[:4096], message_thread_id=thread_id,
                reply_to_message_id=reply_to, allow_sending_without_reply=True,
                reply_markup=reply_markup(Reply(text="", buttons=buttons or [])))
        return message.message_id

    async def post_file(self, kind: str, filename: str, content: bytes, caption: str) -> int:
        """Post a photo (`kind` "photo") or a document with its caption, at the top level."""
        upload = InputFile(content, filename=filename)
        with _desk_errors():
            if kind == "photo":
                message = await self.bot.send_photo(self.chat_id, upload, caption=caption or None)
            else:
                message = await self.bot.send_document(self.chat_id, upload,
                                                       caption=caption or None)
        return message.message_id

    async def edit(self, message_id: int, text: str) -> None:
        """Change a message the bot posted; an unchanged text is not an error."""
        with _desk_errors(harmless=("not modified",)):
            await self.bot.edit_message_text(text[:4096], self.chat_id, message_id)

    async def delete(self, message_id: int) -> None:
        """Delete a message from the staff chat (one already gone is not an error)."""
        with _desk_errors(harmless=_ALREADY):
            await self.bot.delete_message(self.chat_id, message_id)

    async def delete_topic(self, thread_id: int) -> None:
        """Delete a topic and all its messages (a topic already gone is not an error)."""
        with _desk_errors(harmless=_GONE):
            await self.bot.delete_forum_topic(self.chat_id, thread_id)

    async def rename_topic(self, thread_id: int, title: str) -> None:
        """Give a topic a new name (a deleted topic is not an error: nothing is left to rename)."""
        with _desk_errors(harmless=_ALREADY + _GONE):
            await self.bot.edit_forum_topic(self.chat_id, thread_id, name=title[:128])

    async def copy_in(self, source: MessageRef, *, thread_id: int | None,
                      reply_to: int | None = None) -> int:
        """Copy a person's message (with its photo or document) into the staff chat."""
        with _desk_errors(thread_id):
            copied = await self.bot.copy_message(
                self.chat_id, int(source.chat_id), int(source.message_id),
                message_thread_id=thread_id, reply_to_message_id=reply_to,
                allow_sending_without_reply=True)
        return copied.message_id

    async def set_topic_closed(self, thread_id: int, closed: bool) -> None:
        """Close or reopen a topic."""
        with _desk_errors(thread_id, harmless=("topic_not_modified", "not modified")):
            if closed:
                await self.bot.close_forum_topic(self.chat_id, thread_id)
            else:
                await self.bot.reopen_forum_topic(self.chat_id, thread_id)
