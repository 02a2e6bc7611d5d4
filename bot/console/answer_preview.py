"""An FAQ answer as people would see it: placeholders filled (or their lines left out), split into
Telegram and Messenger messages with the "Did this help?" buttons, as the channels send it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.messenger_convert import render as messenger_messages
from bot.channels.telegram_convert import TEXT_LIMIT as TELEGRAM_LIMIT
from bot.channels.text_split import split_text
from bot.core.messages import Button, Reply
from bot.faq.render import fill
from bot.i18n import N_, translator
from bot.services.faq import FaqService


@dataclass(frozen=True)
class Bubble:
    """One message as a channel shows it: its text and the titles of its buttons."""

    text: str
    buttons: tuple[str, ...]


@dataclass(frozen=True)
class AnswerPreview:
    """One answer in one language, as Telegram and Messenger would show it."""

    language: str
    characters: int  # of the filled answer
    telegram: tuple[Bubble, ...]
    messenger: tuple[Bubble, ...]


def _buttons(language: str) -> list[list[Button]]:
    _ = translator(language)
    return [[Button(label=_(N_("👍 Helpful")), short=_(N_("Helpful")), payload="fb:y"),
             Button(label=_(N_("👎 Not helpful")), short=_(N_("Not helpful")), payload="fb:n")],
            [Button(label=_(N_("⬅️ Main menu")), short=_(N_("Menu")), payload="menu")]]


def preview(faq: FaqService, answer: str, language: str) -> AnswerPreview:
    """`answer` (with its placeholders) as the bot would send it in `language`."""
    filled = fill(answer, faq.placeholder_values())
    text = filled + "\n\n" + translator(language)(N_("Did this help?"))
    rows = _buttons(language)
    parts = split_text(text, TELEGRAM_LIMIT)
    labels = tuple(b.label for row in rows for b in row)
    telegram = tuple(Bubble(part, labels if i == len(parts) - 1 else ())
                     for i, part in enumerate(parts))
    messenger = []
    for message in messenger_messages(Reply(text=text, buttons=rows)):
        payload = message.get("attachment", {}).get("payload", {})
        titles = [q["title"] for q in message.get("quick_replies", [])]
        titles += [b["title"] for b in payload.get("buttons", [])]
        messenger.append(Bubble(message.get("text") or payload.get("text", ""), tuple(titles)))
    return AnswerPreview(language, len(filled), telegram, tuple(messenger))
