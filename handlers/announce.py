"""/announce in the staff chat: audience, preview with the number of people, Send or Cancel."""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.messages import is_small_id
from bot.core.messages import Button
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_, Translate, translator
from bot.places import MUNICIPALITIES
from bot.services.announcements import SUBSCRIPTION_TOPICS
from bot.services.event_text import event_title
from storage.models import utcnow
from storage.models_events import Event
from storage.models_outbox import Announcement

MAX_TEXT = 3500


def _staff(turn: Turn) -> Translate:
    return translator(turn.services.settings.staff_language)


async def announce(turn: Turn) -> None:
    """Start an announcement from the command's text (or the message it replies to)."""
    _ = _staff(turn)
    text = (turn.event.command[1] if turn.event.command else "").strip()
    source = turn.event.reply_to_ref  # a staff message with a photo or document
    if not text and not source:
        turn.say(_(N_("Write /announce followed by the text, or reply with /announce to a "
                      "message with a photo or document.")))
        return
    if len(text) > MAX_TEXT:
        turn.say(_(N_("The text is {count} characters long; keep it under {limit}.")).format(
            count=len(text), limit=MAX_TEXT))
        return
    announcement = Announcement(text=text, author=turn.person.display_name,
                                source_chat_id=turn.event.chat_id if source else None,
                                source_message_id=source)
    turn.uow.session.add(announcement)
    await turn.uow.flush()
    await _audiences(turn, announcement)


async def _audiences(turn: Turn, announcement: Announcement) -> None:
    _ = _staff(turn)
    n = announcement.id
    rows = [[Button(label=_(N_("📣 All subscribers")), payload=f"an:a:{n}:all:-")]]
    rows += [[Button(label=_(label), payload=f"an:a:{n}:topic:{key}")]
             for key, label in SUBSCRIPTION_TOPICS.items()]
    rows.append([Button(label=_(N_("📍 By municipality")), payload=f"an:m:{n}")])
    events = (await turn.uow.session.exec(select(Event).where(
        col(Event.starts_at) > utcnow(), col(Event.cancelled_at).is_(None))
        .order_by(col(Event.starts_at)).limit(5))).all()
    rows += [[Button(label="📅 " + event_title(e, turn.services.settings.staff_language)[:40],
                     payload=f"an:a:{n}:event:{e.id}")] for e in events]
    rows.append([Button(label=_(N_("✖️ Cancel")), payload=f"an:x:{n}")])
    turn.say(_(N_("Who should receive announcement #{number}?")).format(number=n), rows)


async def pressed(turn: Turn, rest: str) -> None:
    """Audience, preview, Send and Cancel buttons (staff chat only)."""
    parts = rest.split(":")
    if turn.event.chat_kind != "staff" or len(parts) < 2 or not is_small_id(parts[1]):
        await turn.stale_button()
        return
    kind, number = parts[0], int(parts[1])
    announcement = await turn.uow.session.get(Announcement, number)
    _ = _staff(turn)
    if announcement is None or announcement.status != "draft":
        turn.say(_(N_("Announcement #{number} is no longer a draft.")).format(number=number))
        return
    if kind == "m":
        buttons = [Button(label=_(name), payload=f"an:a:{number}:municipality:{key}")
                   for key, name in MUNICIPALITIES.items() if key != "other"]
        turn.say(_(N_("Which municipality?")), [buttons[i:i + 3] for i in range(0, 12, 3)])
    elif kind == "a" and len(parts) == 4:
        announcement.audience = {"kind": parts[2], "value": parts[3]}
        turn.uow.session.add(announcement)
        people = await turn.services.announcements.recipients(turn.uow, announcement.audience)
        preview = _(N_("Announcement #{number} will reach {count} people:")).format(
            number=number, count=len(people))
        turn.say(preview + "\n\n" + (announcement.text or _(N_("(the attached message)"))), [[
            Button(label=_(N_("📨 Send")), payload=f"an:s:{number}"),
            Button(label=_(N_("✖️ Cancel")), payload=f"an:x:{number}")]])
    elif kind == "s" and announcement.audience:
        announcements = turn.services.announcements
        turn.after_commit.append(lambda: announcements.queue(number))
        turn.say(_(N_("Sending announcement #{number}; progress follows here.")).format(
            number=number))
    elif kind == "x":
        announcement.status = "cancelled"
        turn.uow.session.add(announcement)
        turn.say(_(N_("Announcement #{number} cancelled; nothing was sent.")).format(
            number=number))
    else:
        await turn.stale_button()


def register(router: Router) -> None:
    """Wire /announce into the staff chat."""
    router.staff_command("announce", announce, N_("send an announcement to subscribers"))
    router.button("an", pressed)
