"""Neutral incoming events and outgoing replies; adapters translate to and from these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SMALL_ID = re.compile(r"[0-9]{1,9}")


def is_small_id(text: str) -> bool:
    """True for a plain decimal id that fits every database's integer column (a payload part)."""
    return bool(_SMALL_ID.fullmatch(text))


def small_number(text: str) -> int | None:
    """The number `text` spells when it is a small id (1–9 ASCII digits), else None: the one
    rule for numbers read from people, buttons, forms and URLs. Never an error: "²" and "፩"
    are digits to `str.isdigit` and `int()` refuses them; a longer number fits no column."""
    return int(text) if is_small_id(text) else None


@dataclass(frozen=True, slots=True)
class Attachment:
    """Something other than text that came with a message."""

    kind: str  # photo, document, voice, video, audio, sticker, location, contact, other
    file_id: str | None = None
    file_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did: sent text, pressed a button, or sent an attachment.

    Adapters build it through `bot.core.clean_text.cleaned`: its texts can always be stored."""

    channel: str
    user_id: str
    chat_id: str
    event_key: str | None = None  # unique per delivery (update_id, mid): redeliveries are dropped
    display_name: str = ""
    language_hint: str | None = None
    text: str | None = None
    payload: str | None = None
    attachments: tuple[Attachment, ...] = ()
    message_ref: str | None = None  # the platform's id of the message, for copying it later
    chat_kind: str = "private"  # "private", or "staff" for the hub's staff chat
    thread_id: str | None = None  # staff chat: the forum topic the message was written in
    reply_to_ref: str | None = None  # staff chat: the message this one replies to

    @property
    def command(self) -> tuple[str, str] | None:
        """(`name`, `args`) when the text is a slash command, else None."""
        if not self.text or not self.text.startswith("/") or len(self.text) < 2:
            return None
        head, _, args = self.text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return (name, args.strip()) if name.isascii() and name.replace("_", "").isalnum() else None


@dataclass(frozen=True, slots=True)
class Button:
    """A button: a payload sent back when pressed, a link, or a share-my-phone request."""

    label: str
    payload: str | None = None
    short: str | None = None  # ≤ 20 characters, whole words, for channels with short labels
    url: str | None = None
    request_phone: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A file sent to the person."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message that already exists on a channel (to copy it, attachments included)."""

    channel: str
    chat_id: str
    message_id: str


@dataclass(slots=True)
class Reply:
    """One message: text, optional rows of buttons, optional document."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    document: Document | None = None
    remove_keyboard: bool = False  # the answer to a share-my-phone keyboard has come: hide it

    def payloads(self) -> list[str]:
        """Every payload carried by this reply's buttons."""
        return [b.payload for row in self.buttons for b in row if b.payload]


@dataclass(slots=True)
class Notice:
    """Replies for someone other than the sender of the current event; sent after commit."""

    channel: str
    chat_id: str
    replies: list[Reply]
    thread_id: str | None = None
    person_id: int | None = None
    kind: str | None = None  # "event_update", "staff_reply"…: decides a Messenger message tag
