"""/announce in the staff chat: a form on the engine — audience (municipality), preview, Send.

The announcement row is written at /announce as a draft; the form chooses its audience, shows
how many people it will reach, and queues it on Send. Every choice can be typed ("all",
"Funding", "Kutaisi", the number in the list); Back and Cancel come with the engine.
"""

from __future__ import annotations

from typing import Any

from bot.core.form_steps import CHOICE, REVIEW, Option, Step
from bot.core.forms import Form
from bot.core.router import Router
from bot.core.turn import Turn
from bot.i18n import N_
from bot.places import MUNICIPALITIES
from bot.services import announcement_drafts
from bot.services.announcements import MAX_TEXT, SUBSCRIPTION_TOPICS, local_moment
from bot.services.event_text import event_title
from handlers.staff import register_staff_form
from storage.models_outbox import Announcement

FLOW = "staff_announce"
BY_MUNICIPALITY = "municipality"
EVENTS_KEY = "_events"  # upcoming events offered as audiences: [[id, title], ...]
COUNT_KEY = "_count"  # how many people the chosen audience reaches


async def announce(turn: Turn) -> None:
    """Start an announcement from the command's text (or the message it replies to)."""
    turn.reply_in_staff_language()
    _ = turn._
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
    announcement, events = await announcement_drafts.start(
        turn.uow, text=text, author=turn.person.display_name,
        source_chat_id=turn.event.chat_id if source else None, source_message_id=source)
    language = turn.staff_language
    await turn.finish()
    await FORM.start(turn, {"number": announcement.id, "text": text,
                            EVENTS_KEY: [[e.id, event_title(e, language)] for e in events]})


def _audiences(_turn: Turn, data: dict[str, Any]) -> list[Option]:
    options = [Option("all:-", N_("📣 All subscribers"), also=(N_("all"),))]
    options += [Option(f"topic:{key}", label) for key, label in SUBSCRIPTION_TOPICS.items()]
    options.append(Option(BY_MUNICIPALITY, N_("📍 By municipality")))
    options += [Option(f"event:{event_id}", "📅 " + title[:40], also=(title,))
                for event_id, title in data.get(EVENTS_KEY) or []]
    return options


def _audience_prompt(turn: Turn, data: dict[str, Any]) -> str:
    return turn._(N_("Who should receive announcement #{number}?")).format(number=data["number"])


def _municipalities(_turn: Turn, _data: dict[str, Any]) -> list[Option]:
    return [Option(f"municipality:{key}", name) for key, name in MUNICIPALITIES.items()
            if key != "other"]


def _audience(data: dict[str, Any]) -> dict[str, str]:
    chosen = data.get("place") or data["audience"]
    kind, _sep, value = chosen.partition(":")
    return {"kind": kind, "value": value}


async def _counted(turn: Turn, data: dict[str, Any], value: str) -> bool:
    """Count the people an audience reaches, for the preview (the municipality comes first)."""
    if value == BY_MUNICIPALITY:
        return True
    kind, _sep, rest = value.partition(":")
    data[COUNT_KEY] = await turn.services.announcements.count(turn.uow, {"kind": kind,
                                                                         "value": rest})
    return True


def _preview(turn: Turn, data: dict[str, Any]) -> str:
    _ = turn._
    preview = _(N_("Announcement #{number} will reach {count} people:")).format(
        number=data["number"], count=data.get(COUNT_KEY, 0))
    return preview + "\n\n" + (data.get("text") or _(N_("(the attached message)")))


STEPS = (
    Step("audience", CHOICE, _audience_prompt, options=_audiences, check=_counted),
    Step("place", CHOICE, N_("Which municipality?"), options=_municipalities, columns=3,
         check=_counted, when=lambda data: data.get("audience") == BY_MUNICIPALITY),
    Step("send", REVIEW, "", summary=_preview, submit_label=N_("📨 Send"),
         submit_short=N_("Send")),
)


async def _draft(turn: Turn, data: dict[str, Any]) -> Announcement | None:
    """The announcement the form is about, while it is still a draft (else it says so)."""
    announcement = await announcement_drafts.draft(turn.uow, int(data["number"]))
    if announcement is None:
        turn.say(turn._(N_("Announcement #{number} is no longer a draft.")).format(
            number=data["number"]))
        return None
    return announcement


async def _send(turn: Turn, data: dict[str, Any]) -> None:
    await FORM.discard(turn)
    announcement = await _draft(turn, data)
    if announcement is None:
        return
    announcement_drafts.address(turn.uow, announcement, _audience(data))
    number = announcement.id or 0
    announcements = turn.services.announcements
    turn.after_commit.append(lambda: announcements.queue(number))
    settings = turn.services.settings
    held = announcements.quiet_until()
    if held is not None:
        turn.say(turn._(N_("Announcement #{number} is queued; quiet hours hold it back until "
                           "{time}, then it goes out and progress follows here.")).format(
            number=number, time=local_moment(held, settings.staff_language, settings.tz)))
        return
    turn.say(turn._(N_("Sending announcement #{number}; progress follows here.")).format(
        number=number))


async def _cancelled(turn: Turn, data: dict[str, Any]) -> None:
    if not data.get("number"):
        return
    announcement = await _draft(turn, data)
    if announcement is None:
        return
    announcement_drafts.cancel(turn.uow, announcement)
    turn.say(turn._(N_("Announcement #{number} cancelled; nothing was sent.")).format(
        number=announcement.id))


FORM = Form(FLOW, "an", STEPS, on_complete=_send, drafts=False, on_cancel=_cancelled,
            paused="", cancelled="", draft_offer="")


def register(router: Router) -> None:
    """Wire /announce into the staff chat."""
    router.staff_command("announce", announce, N_("send an announcement to subscribers"))
    register_staff_form(router, FORM)  # every choice can be typed: an audience's name, number
