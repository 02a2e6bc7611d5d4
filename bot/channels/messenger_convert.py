"""Messenger ⇄ neutral: webhook events become `Incoming`, replies become Send API messages."""

from __future__ import annotations

import hashlib
from typing import Any

from bot.channels.text_split import split_text
from bot.core.clean_text import cleaned
from bot.core.messages import Attachment, Button, Incoming, Reply
from storage.limits import max_length
from storage.models import Person, ProcessedEvent

CHANNEL = "messenger"
TEXT_LIMIT = 2000
TEMPLATE_TEXT_LIMIT = 640
QUICK_REPLIES = 13
TEMPLATE_BUTTONS = 3
TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000
CONTINUED = "…"  # text of a button template that only carries more buttons
PSID_LIMIT = max_length(Person, "external_id") or 64
EVENT_KEY_LIMIT = max_length(ProcessedEvent, "event_key") or 128

# Messenger has no slash commands to tap: these words typed alone act as the command.
TEXT_COMMANDS = {"forget": "/forget", "get started": "/start", "start": "/start"}
ATTACHMENT_KINDS = {"image": "photo", "file": "document", "audio": "audio", "video": "video",
                    "location": "location"}


REF_LIMIT = 64  # our own refs are short: checkin_CODE


class MalformedEvent(ValueError):
    """A signed webhook part not shaped as Messenger sends it; the message names the part."""


def events_of(body: dict[str, Any]) -> tuple[list[Incoming], list[str]]:
    """The neutral events of one webhook body, and what was skipped as malformed (and why)."""
    events: list[Incoming] = []
    problems: list[str] = []
    entries = body.get("entry")
    if not isinstance(entries, list | None):
        return [], ["entry is not a list"]
    for entry in entries or []:
        if not isinstance(entry, dict):
            problems.append("an entry is not an object")
            continue
        messaging = entry.get("messaging")
        if not isinstance(messaging, list | None):
            problems.append("messaging is not a list")
            continue
        for raw in messaging or []:
            try:
                event = incoming_from_event(raw)
            except MalformedEvent as exc:
                problems.append(str(exc))
                continue
            if event is not None:
                events.append(event)
    return events, problems


def incoming_from_event(raw: object) -> Incoming | None:
    """The neutral event for one webhook messaging event, or None when it needs no answer.

    Raises `MalformedEvent` when the event is not shaped as Messenger sends it."""
    event = _incoming(_object(raw, "a messaging event"))
    return cleaned(event) if event is not None else None


def _incoming(event: dict[str, Any]) -> Incoming | None:
    psid = _text((_object(event.get("sender"), "sender", optional=True) or {}).get("id"),
                 "sender.id")
    if not psid:
        return None
    if len(psid) > PSID_LIMIT:
        raise MalformedEvent("sender.id is too long")
    common: dict[str, Any] = {"channel": CHANNEL, "user_id": psid, "chat_id": psid}
    postback = _object(event.get("postback"), "postback", optional=True)
    # An m.me link with ?ref= (an event's check-in poster): a new conversation brings it on
    # the Get Started postback, an existing one as a referral event; either is /start REF.
    referral = _object((postback or event).get("referral"), "referral", optional=True)
    ref = _text((referral or {}).get("ref"), "referral.ref")
    if ref and len(ref) <= REF_LIMIT and ref.isascii() and ref.replace("_", "").isalnum():
        key = _key(_text((postback or {}).get("mid"), "postback.mid")
                   or f"ref:{psid}:{_text(event.get('timestamp'), 'timestamp')}")
        return Incoming(event_key=key, text=f"/start {ref}", **common)
    if postback is not None:
        payload = _text(postback.get("payload"), "postback.payload") or ""
        key = _key(_text(postback.get("mid"), "postback.mid")
                   or f"pb:{psid}:{_text(event.get('timestamp'), 'timestamp')}")
        if payload.startswith("/"):  # menu items and Get Started carry commands
            return Incoming(event_key=key, text=payload, **common)
        return Incoming(event_key=key, payload=payload, **common)
    message = _object(event.get("message"), "message", optional=True)
    if message is None or message.get("is_echo"):
        return None  # deliveries, reads, reactions, our own echoes
    mid = _text(message.get("mid"), "message.mid")
    key = _key(mid) if mid else None
    text = _text(message.get("text"), "message.text")
    quick_reply = _object(message.get("quick_reply"), "message.quick_reply", optional=True)
    quick = _text((quick_reply or {}).get("payload"), "quick_reply.payload")
    if quick and quick != text:  # a tapped quick reply (a shared phone number equals the text)
        return Incoming(event_key=key, payload=quick, **common)
    found = message.get("attachments")
    if not isinstance(found, list | None):
        raise MalformedEvent("message.attachments is not a list")
    attachments = []
    for item in found or []:
        attachment = _object(item, "an attachment")
        data = _object(attachment.get("payload"), "attachment.payload", optional=True) or {}
        attachments.append(Attachment(
            ATTACHMENT_KINDS.get(_text(attachment.get("type"), "attachment.type") or "", "other"),
            file_id=_text(data.get("url"), "attachment.payload.url")))
    if text and text.strip().lower() in TEXT_COMMANDS:
        text = TEXT_COMMANDS[text.strip().lower()]
    if not text and not attachments:
        return None
    # No message_ref: a Messenger message cannot be copied into Telegram (and mids run ~90
    # characters, longer than the stored references).
    return Incoming(event_key=key, text=text, attachments=tuple(attachments), **common)


def _object(value: object, what: str, *, optional: bool = False) -> dict[str, Any] | None:
    """The value when it is a JSON object (or absent, if `optional`)."""
    if isinstance(value, dict) or (optional and value is None):
        return value
    raise MalformedEvent(f"{what} is not an object")


def _text(value: object, what: str) -> str | None:
    """A JSON string (ids may come as numbers); None when absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise MalformedEvent(f"{what} is not a string")


def _key(key: str) -> str:
    """The redelivery key within its column: a longer one is replaced by its digest."""
    if len(key) <= EVENT_KEY_LIMIT:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def short_title(button: Button) -> str:
    """A title within 20 characters: the short label, else the label cut after a whole word."""
    for candidate in (button.short, button.label):
        if candidate and len(candidate) <= TITLE_LIMIT:
            return candidate
    words, title = (button.short or button.label).split(), ""
    for word in words:
        longer = f"{title} {word}".strip()
        if len(longer) > TITLE_LIMIT - 1:
            break
        title = longer
    return (title or (button.short or button.label)[:TITLE_LIMIT - 1]) + "…"


def render(reply: Reply) -> list[dict[str, Any]]:
    """Send API `message` objects for one reply, in order (documents are sent separately)."""
    buttons = [b for row in reply.buttons for b in row if b.url or b.payload or b.request_phone]
    use_template = any(b.url for b in buttons) or sum(
        1 for b in buttons if not b.request_phone) > QUICK_REPLIES
    text = reply.text.strip() or (CONTINUED if buttons else "")
    messages: list[dict[str, Any]] = []
    if not use_template:
        parts = split_text(text, TEXT_LIMIT) if text else []
        messages = [{"text": part} for part in parts]
        quick = [_quick_reply(b) for b in buttons]
        if quick and messages:
            messages[-1]["quick_replies"] = quick
        return messages
    buttons = [b for b in buttons if not b.request_phone]  # templates cannot ask for a phone
    groups = [buttons[i:i + TEMPLATE_BUTTONS] for i in range(0, len(buttons), TEMPLATE_BUTTONS)]
    if len(text) > TEMPLATE_TEXT_LIMIT or not groups:
        messages += [{"text": part} for part in split_text(text, TEXT_LIMIT)]
        text = CONTINUED
    for i, group in enumerate(groups):
        messages.append({"attachment": {"type": "template", "payload": {
            "template_type": "button", "text": text if i == 0 else CONTINUED,
            "buttons": [_template_button(b) for b in group]}}})
    return messages


def _quick_reply(button: Button) -> dict[str, Any]:
    if button.request_phone:
        return {"content_type": "user_phone_number"}
    return {"content_type": "text", "title": short_title(button), "payload": button.payload}


def _template_button(button: Button) -> dict[str, Any]:
    if button.url:
        return {"type": "web_url", "title": short_title(button), "url": button.url}
    return {"type": "postback", "title": short_title(button), "payload": button.payload}
