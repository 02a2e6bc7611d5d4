"""How an event reads: its title, time and place in a language; its calendar (.ics) file."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from bot.core.messages import Document
from bot.i18n import N_, translator
from bot.services.events import free_seats, registration_closes
from bot.services.org_catalog import municipality_label
from storage.models import utcnow
from storage.models_events import Event

KIND_LABELS = {"forum": N_("Forum"), "training": N_("Training"), "meeting": N_("Meeting"),
               "other": N_("Event")}
DEFAULT_LENGTH = timedelta(hours=2)  # for calendars, when staff gave no end


def event_title(event: Event, language: str) -> str:
    """The title in `language` (Georgian when there is no English one)."""
    return event.title_en if language == "en" and event.title_en else event.title_ka


def event_description(event: Event, language: str) -> str:
    """The description in `language`, if any."""
    if language == "en" and event.description_en:
        return event.description_en
    return event.description_ka or ""


def moment(value: datetime, language: str, tz: ZoneInfo) -> str:
    """A moment as people read it: "Saturday, 5 December 2026, 10:00"."""
    return format_datetime(value, "EEEE, d MMMM y, HH:mm", tzinfo=tz, locale=language)


def event_when(event: Event, language: str, tz: ZoneInfo) -> str:
    """Start, and the end time when it ends the same day."""
    text = moment(event.starts_at, language, tz)
    if event.ends_at is not None:
        same_day = event.ends_at.astimezone(tz).date() == event.starts_at.astimezone(tz).date()
        end = (format_datetime(event.ends_at, "HH:mm", tzinfo=tz, locale=language) if same_day
               else moment(event.ends_at, language, tz))
        text += f" – {end}"
    return text


def event_place(event: Event, language: str) -> str:
    """The address (or municipality) and the online link, whichever there are."""
    _ = translator(language)
    parts = []
    if event.address:
        parts.append(event.address)
    elif event.municipality:
        parts.append(_(municipality_label(event.municipality)))
    if event.online_url:
        parts.append(_(N_("online: {url}")).format(url=event.online_url))
    return "; ".join(parts)


def event_text(event: Event, language: str, tz: ZoneInfo, *, taken: int | None = None,
               details: bool = True) -> str:
    """The event in a few lines: kind and title, when, where, seats, deadline, description."""
    _ = translator(language)
    lines = [f"📅 {_(KIND_LABELS.get(event.kind, KIND_LABELS['other']))}: "
             f"{event_title(event, language)}",
             f"🕙 {event_when(event, language, tz)}"]
    place = event_place(event, language)
    if place:
        lines.append(f"📍 {place}")
    if taken is not None:
        free = free_seats(event, taken)
        if free == 0:
            lines.append(_(N_("All seats are taken: new registrations go on the wait list.")))
        elif free is not None:
            lines.append(_(N_("Seats left: {count}")).format(count=free))
    if event.deadline is not None:
        lines.append(_(N_("Register by: {moment}")).format(
            moment=moment(registration_closes(event), language, tz)))
    description = event_description(event, language)
    if details and description:
        lines.append(description)
    return "\n".join(lines)


def ics_document(event: Event, language: str) -> Document:
    """A calendar file for the event (a cancelled one cancels the entry)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Imereti Regional Hub//hubbot//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if event.cancelled_at else "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@imereti-hub.bot")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at or event.starts_at + DEFAULT_LENGTH)
    # Calendars replace an entry with a higher SEQUENCE: every change counts up.
    entry.add("sequence", int(event.updated_at.timestamp()) - int(event.created_at.timestamp()))
    entry.add("summary", event_title(event, language))
    place = event_place(event, language)
    if place:
        entry.add("location", place)
    description = event_description(event, language)
    if description:
        entry.add("description", description)
    if event.online_url:
        entry.add("url", event.online_url)
    entry.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
    calendar.add_component(entry)
    return Document(filename=f"event-{event.id}.ics", content=calendar.to_ical(),
                    mime_type="text/calendar")
