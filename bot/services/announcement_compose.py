"""Announcements written outside the chat (the console): the rules of a draft, its audience, its
time, its photo or document; sending now or at the chosen time; cancelling; the figures.

The audiences are the chat's and the command line's (all subscribers, a topic, a municipality,
an event's confirmed registrants); the count and the sending are `Announcements`' own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.clean_text import clean_text
from bot.core.messages import small_number
from bot.i18n import N_, translator
from bot.places import MUNICIPALITIES
from bot.services.announcements import MAX_TEXT, SUBSCRIPTION_TOPICS, Announcements
from bot.services.event_text import event_title
from bot.settings import Settings
from storage.models import utcnow
from storage.models_outbox import Announcement, AnnouncementFile
from storage.repos.announcements import AnnouncementRepo
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork

MAX_CAPTION = 1024  # Telegram's limit for the text under a photo or document
MAX_PHOTO = 10 * 1024 * 1024  # Telegram's limit for a photo sent by a bot
MAX_DOCUMENT = 19 * 1024 * 1024  # with the form around it, within the console's 20 MB body
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
EVENTS_OFFERED = 30  # upcoming events offered as audiences
TIME_FORMAT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local">, in the hub's time zone


@dataclass(frozen=True)
class Upload:
    """A file staff chose to send with an announcement."""

    filename: str
    mime_type: str
    content: bytes

    @property
    def kind(self) -> str:
        """"photo" for a JPEG or PNG picture (people see it inline), else "document"."""
        return "photo" if self.mime_type in PHOTO_TYPES else "document"


@dataclass
class ComposeErrors(Exception):
    """What is wrong with a draft: (gettext message, its values) pairs, to show beside the form."""

    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, message: str, **values: Any) -> None:
        """One more problem."""
        self.problems.append((message, values))

    def texts(self, language: str) -> list[str]:
        """The problems in a language."""
        _ = translator(language)
        return [_(message).format(**values) for message, values in self.problems]


@dataclass(frozen=True)
class Progress:
    """An announcement's figures, as the console shows (and polls) them."""

    number: int
    status: str  # draft | scheduled | sending | done | cancelled
    total: int
    sent: int
    failed: int
    unreachable: int
    outside_window: int
    pending: int
    send_at: datetime | None
    held_until: datetime | None  # while quiet hours still hold it back

    @property
    def finished(self) -> bool:
        """Nothing more will happen to it."""
        return self.status in ("done", "cancelled")

    @property
    def all_sent(self) -> bool:
        """Done, and every person got it."""
        return self.status == "done" and self.sent == self.total


def parse_audience(key: str) -> dict[str, str] | None:
    """"topic:forums" → {"kind": "topic", "value": "forums"}; None for anything unknown."""
    kind, _sep, value = key.strip().partition(":")
    if kind == "all" and not value:
        return {"kind": "all", "value": ""}
    if kind == "topic" and value in SUBSCRIPTION_TOPICS:
        return {"kind": kind, "value": value}
    if kind == "municipality" and value in MUNICIPALITIES and value != "other":
        return {"kind": kind, "value": value}
    if kind == "event" and (small_number(value) or 0) > 0:
        return {"kind": kind, "value": value}
    return None


def audience_key(audience: dict[str, Any]) -> str:
    """The form's value of a stored audience."""
    return f"{audience.get('kind', 'all')}:{audience.get('value') or ''}".rstrip(":")


def audience_label(audience: dict[str, Any], language: str) -> str:
    """Who an audience is, in words."""
    _ = translator(language)
    kind, value = audience.get("kind", "all"), audience.get("value") or ""
    if kind == "topic" and value in SUBSCRIPTION_TOPICS:
        return _(N_("Subscribers to: {topic}")).format(topic=_(SUBSCRIPTION_TOPICS[value]))
    if kind == "municipality" and value in MUNICIPALITIES:
        return _(N_("Subscribers in {municipality}")).format(
            municipality=_(MUNICIPALITIES[value]))
    if kind == "event":
        return _(N_("Confirmed registrants of event #{number}")).format(number=value)
    return _(N_("All subscribers"))


async def audience_groups(uow: UnitOfWork, language: str
                          ) -> list[tuple[str, list[tuple[str, str]]]]:
    """The audiences staff may choose, grouped: (group title, [(key, label)])."""
    _ = translator(language)
    events, _count = await uow.repo(EventCalendarRepo).upcoming(utcnow(), limit=EVENTS_OFFERED)
    groups = [
        (_(N_("Everyone")), [("all", _(N_("All subscribers")))]),
        (_(N_("Subscribers to a topic")),
         [(f"topic:{key}", _(label)) for key, label in SUBSCRIPTION_TOPICS.items()]),
        (_(N_("Subscribers in a municipality")),
         [(f"municipality:{key}", _(label)) for key, label in MUNICIPALITIES.items()
          if key != "other"]),
    ]
    if events:
        groups.append((_(N_("Confirmed registrants of an event")),
                       [(f"event:{e.id}", f"#{e.id} {event_title(e, language)}") for e in events]))
    return groups


def parse_time(value: str, settings: Settings) -> datetime | None:
    """A datetime-local value in the hub's time zone, as an aware moment; None if malformed."""
    try:
        return datetime.strptime(value.strip(), TIME_FORMAT).replace(tzinfo=settings.tz)
    except ValueError:
        return None


async def compose(uow: UnitOfWork, settings: Settings, *, text: str, audience: str,
                  send_at: str = "", upload: Upload | None = None, author: str,
                  staff_chat: bool) -> Announcement:
    """A new draft, or `ComposeErrors` saying everything that is wrong with it.

    `send_at` empty means "at once"; a photo or document needs the staff chat, which carries it
    (it is posted there once and copied to each person)."""
    errors = ComposeErrors()
    text = clean_text(text).strip()
    limit = MAX_TEXT if upload is None else MAX_CAPTION
    if not text:
        errors.add(N_("Write the announcement's text."))
    elif len(text) > limit:
        errors.add(N_("The text is {count} characters long; at most {limit} fit.")
                   if upload is None else
                   N_("The text is {count} characters long; under a photo or document at most "
                      "{limit} fit."), count=len(text), limit=limit)
    chosen = parse_audience(audience)
    if chosen is None:
        errors.add(N_("Choose who should receive it."))
    elif chosen["kind"] == "event" and await _no_event(uow, int(chosen["value"])):
        errors.add(N_("There is no upcoming event #{number}."), number=chosen["value"])
    when = None
    if send_at.strip():
        when = parse_time(send_at, settings)
        if when is None:
            errors.add(N_("Give the time as a date and an hour, e.g. 2026-12-24 10:00."))
        elif when <= utcnow():
            errors.add(N_("That time has passed; choose a later one, or send it now."))
    if upload is not None:
        _check_upload(upload, errors, staff_chat)
    if errors.problems:
        raise errors
    repo = uow.repo(AnnouncementRepo)
    announcement = await repo.add(Announcement(text=text, audience=chosen or {},
                                               author=author[:128], send_at=when))
    if upload is not None:
        repo.add_attachment(AnnouncementFile(
            announcement_id=announcement.id, kind=upload.kind,
            filename=clean_text(upload.filename)[-200:] or "file",
            mime_type=upload.mime_type[:100], content=upload.content))
    return announcement


async def _no_event(uow: UnitOfWork, event_id: int) -> bool:
    event = await uow.repo(EventCalendarRepo).get(event_id)
    return event is None or event.cancelled_at is not None or event.starts_at <= utcnow()


def _check_upload(upload: Upload, errors: ComposeErrors, staff_chat: bool) -> None:
    if not staff_chat:
        errors.add(N_("A photo or document goes out through the staff chat, and no staff chat "
                      "is set (STAFF_CHAT_ID). Send the text alone, or set the staff chat."))
    limit = MAX_PHOTO if upload.kind == "photo" else MAX_DOCUMENT
    if not upload.content:
        errors.add(N_("The file is empty."))
    elif len(upload.content) > limit:
        errors.add(N_("The file is {size} MB; at most {limit} MB can be sent."),
                   size=round(len(upload.content) / 2**20, 1), limit=limit // 2**20)


async def count(uow: UnitOfWork, announcements: Announcements, announcement: Announcement) -> int:
    """How many people it would reach now (the chat's and the CLI's own count), in SQL."""
    return await announcements.count(uow, announcement.audience)


async def approve(uow: UnitOfWork, announcement_id: int) -> Announcement | None:
    """Staff said Send: the draft is scheduled for its time (or now, when it has none or that
    time has passed). None when it is no longer a draft (a second click, another staff member).

    Sending starts from the stored row (`Announcements.start`, now or by the scheduler's look
    for due announcements), so a restart between this commit and the start loses nothing."""
    now = utcnow()
    repo = uow.repo(AnnouncementRepo)
    stored = await repo.get(announcement_id)
    if stored is None or stored.status != "draft":
        return None
    send_at = stored.send_at if stored.send_at is not None and stored.send_at > now else now
    return await repo.schedule(announcement_id, send_at)


async def cancel(uow: UnitOfWork, announcement_id: int) -> bool:
    """Withdraw a draft or a scheduled announcement not yet begun (its upload is dropped);
    False if it had begun."""
    repo = uow.repo(AnnouncementRepo)
    if not await repo.set_status(announcement_id, "cancelled", was=("draft", "scheduled")):
        return False
    await repo.drop_attachment(announcement_id)
    return True


async def progress(uow: UnitOfWork, announcement: Announcement) -> Progress:
    """The figures of one announcement (one grouped query on the outbox)."""
    assert announcement.id is not None
    counts = (await uow.repo(AnnouncementRepo).figures([announcement.id]))[announcement.id]
    return figures_of(announcement, counts)


def figures_of(announcement: Announcement, counts: dict[str, int]) -> Progress:
    """`Progress` from an announcement and its outbox counts."""
    assert announcement.id is not None
    pending = counts.get("pending", 0) + counts.get("sending", 0)
    finished = announcement.status in ("done", "cancelled")
    return Progress(
        number=announcement.id, status=announcement.status, total=announcement.total,
        sent=counts.get("sent", 0), failed=counts.get("failed", 0),
        unreachable=counts.get("unreachable", 0), outside_window=counts.get("outside window", 0),
        pending=pending, send_at=announcement.send_at,
        held_until=Announcements.held_until(announcement, finished))
