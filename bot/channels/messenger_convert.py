"""Messenger ⇄ neutral: webhook events become `Incoming`, replies become Send API messages."""

from __future__ import annotations

from typing import Any

from bot.channels.text_split import split_text
from bot.core.messages import Attachment, Button, Incoming, Reply

CHANNEL = "messenger"
TEXT_LIMIT = 2000
TEMPLATE_TEXT_LIMIT = 640
QUICK_REPLIES = 13
TEMPLATE_BUTTONS = 3
TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000
CONTINUED = "…"  # text of a button template that only carries more buttons

# Messenger has no slash commands to tap: these words typed alone act as the command.
TEXT_COMMANDS = {"forget": "/forget", "get started": "/start", "start": "/start"}
ATTACHMENT_KINDS = {"image": "photo", "file": "document", "audio": "audio", "video": "video",
                    "location": "location"}


def incoming_from_event(event: dict[str, Any]) -> Incoming | None:
    """The neutral event for one webhook messaging event, or None when it needs no answer."""
    psid = str((event.get("sender") or {}).get("id") or "")
    if not psid:
        return None
    common: dict[str, Any] = {"channel": CHANNEL, "user_id": psid, "chat_id": psid}
    postback = event.get("postback")
    if postback is not None:
        payload = str(postback.get("payload") or "")
        key = postback.get("mid") or f"pb:{psid}:{event.get('timestamp')}"
        if payload.startswith("/"):  # menu items and Get Started carry commands
            return Incoming(event_key=key, text=payload, **common)
        return Incoming(event_key=key, payload=payload, **common)
    message = event.get("message")
    if message is None or message.get("is_echo"):
        return None  # deliveries, reads, reactions, our own echoes
    key = message.get("mid")
    text = message.get("text")
    quick = (message.get("quick_reply") or {}).get("payload")
    if quick and quick != text:  # a tapped quick reply (a shared phone number equals the text)
        return Incoming(event_key=key, payload=str(quick), **common)
    attachments = tuple(
        Attachment(ATTACHMENT_KINDS.get(a.get("type", ""), "other"),
                   file_id=(a.get("payload") or {}).get("url"))
        for a in message.get("attachments") or [])
    if text and text.strip().lower() in TEXT_COMMANDS:
        text = TEXT_COMMANDS[text.strip().lower()]
    if not text and not attachments:
        return None
    # No message_ref: a Messenger message cannot be copied into Telegram (and mids run ~90
    # characters, longer than the stored references).
    return Incoming(event_key=key, text=text, attachments=attachments, **common)


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
