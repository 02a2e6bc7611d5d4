"""Telegram ⇄ neutral: updates become `Incoming`, replies become Bot API call arguments."""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.core.clean_text import cleaned
from bot.core.messages import Attachment, Incoming, Reply

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
BUTTONS_PER_ROW = 8


def incoming_from_update(update: Update) -> Incoming | None:
    """The neutral event for an update from a private chat, or None if it is not for the core."""
    event = _incoming(update)
    return cleaned(event) if event is not None else None


def _incoming(update: Update) -> Incoming | None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return None
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "event_key": str(update.update_id),
        "display_name": user.full_name,
        "language_hint": user.language_code,
    }
    query = update.callback_query
    if query is not None:
        chat_id = chat.id if chat is not None else user.id
        if chat is not None and chat.type != "private":
            return None
        return Incoming(chat_id=str(chat_id), payload=query.data or "", **common)
    message = update.message
    if message is None or chat is None or chat.type != "private":
        return None  # edited messages, channel posts, groups: not for the private core
    text = message.text or message.caption
    attachments = attachments_of(message)
    if not text and not attachments:
        return None  # service messages (pins, timers, backgrounds) need no answer
    return Incoming(chat_id=str(chat.id), text=text, attachments=attachments,
                    message_ref=str(message.message_id), **common)


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    """What the message carries besides text."""
    found: list[Attachment] = []
    if message.photo:
        found.append(Attachment("photo", file_id=message.photo[-1].file_id))
    if message.document:
        found.append(Attachment("document", file_id=message.document.file_id,
                                file_name=message.document.file_name))
    for kind in ("voice", "audio", "video", "video_note", "sticker", "animation"):
        media = getattr(message, kind, None)
        if media is not None:
            found.append(Attachment(kind, file_id=media.file_id))
    if message.contact:
        found.append(Attachment("contact", phone=message.contact.phone_number))
    if message.location:
        found.append(Attachment("location"))
    return tuple(found)


def reply_markup(reply: Reply
                 ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """Inline keyboard for payload and link buttons; a reply keyboard when asking for a phone."""
    if any(b.request_phone for row in reply.buttons for b in row):
        rows = [[KeyboardButton(b.label, request_contact=b.request_phone) for b in row]
                for row in reply.buttons]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    rows = []
    for row in reply.buttons:
        buttons = [InlineKeyboardButton(b.label, url=b.url) if b.url
                   else InlineKeyboardButton(b.label, callback_data=b.payload)
                   for b in row if b.url or b.payload]
        rows += [buttons[i:i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    if rows:
        return InlineKeyboardMarkup(rows)
    return ReplyKeyboardRemove() if reply.remove_keyboard else None
