"""What staff decisions on a ticket say, to staff and to the person — one wording, whether the
decision was taken in the ticket's Telegram topic or in the web console."""

from __future__ import annotations

from bot.core.messages import Button, Reply
from bot.i18n import N_, translator


def rating_request(ticket_id: int, language: str) -> Reply:
    """To the person, when their ticket is closed: the rating question with 1–5 buttons."""
    _ = translator(language)
    return Reply(text=_(N_(
        "The hub team has closed your question #{number}. How satisfied are you with the "
        "answer? (1 = not at all, 5 = very)")).format(number=ticket_id),
        buttons=[[Button(label=f"{n} ⭐", short=str(n), payload=f"hl:r:{ticket_id}:{n}")
                  for n in range(1, 6)]])


def closed_by(language: str, ticket_id: int, name: str) -> str:
    """Staff chat: the ticket was closed."""
    return translator(language)(N_("✅ #{number} closed by {name}.")).format(
        number=ticket_id, name=name or "—")


def already_closed(language: str, ticket_id: int) -> str:
    """Staff: closing a closed ticket changes nothing."""
    return translator(language)(N_("Ticket #{number} is already closed.")).format(
        number=ticket_id)


def reopened(language: str, ticket_id: int) -> str:
    """Staff chat: the ticket was reopened."""
    return translator(language)(N_("↩️ #{number} reopened.")).format(number=ticket_id)


def already_open(language: str, ticket_id: int) -> str:
    """Staff: reopening an open ticket changes nothing."""
    return translator(language)(N_("Ticket #{number} is open already.")).format(
        number=ticket_id)


def cannot_reopen(language: str, ticket_id: int) -> str:
    """Staff: an erased ticket stays closed."""
    return translator(language)(N_(
        "The person erased their data; #{number} cannot be reopened.")).format(number=ticket_id)


def taken_by(language: str, ticket_id: int, name: str | None) -> str:
    """Staff chat: who has the ticket now."""
    return translator(language)(N_("🙋 #{number} is taken by {name}.")).format(
        number=ticket_id, name=name)


def closed_to_staff(language: str, ticket_id: int) -> str:
    """Staff: a message in the topic of a closed ticket goes to nobody."""
    return translator(language)(N_(
        "Ticket #{number} is closed; send /reopen to write to the person again.")).format(
        number=ticket_id)


def not_delivered(language: str) -> str:
    """Staff: the person cannot be reached (blocked the bot, or erased their data)."""
    return translator(language)(N_(
        "⚠️ Not delivered: the person has blocked the bot or is no longer reachable."))


def signed(language: str, text: str, name: str) -> str:
    """A console reply as the person reads it: the text, signed with the staff member's name."""
    return translator(language)(N_("{text}\n\n— {name}, the hub team")).format(
        text=text, name=name)


def console_reply(language: str, name: str, text: str) -> str:
    """Staff chat: a reply written in the web console, as the ticket's topic shows it."""
    return translator(language)(N_("✍️ {name} (console): {text}")).format(name=name, text=text)


def console_note(language: str, name: str, text: str) -> str:
    """Staff chat: a note written in the web console (the person never sees it)."""
    return translator(language)(N_("📝 {name} (console), a note for staff: {text}")).format(
        name=name, text=text)
