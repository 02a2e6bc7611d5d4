"""What registrants are told when staff change an event: a new time, new details, a cancellation,
or seats freed for them; each in the person's own language, with the calendar file."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.core.messages import Notice
from bot.i18n import N_, translator
from bot.services.event_text import event_place, event_title, event_when, ics_document
from bot.services.events import Promotion
from bot.services.staff_notices import notice_for
from storage.models import Person
from storage.models_events import Event, EventRegistration

Registrants = Sequence[tuple[EventRegistration, Person]]


def moved_text(event: Event, language: str, tz: ZoneInfo) -> str:
    """The event has a new time."""
    return translator(language)(N_(
        "{title} has a new time: {when}. Your registration still stands; the calendar file "
        "below updates your calendar.")).format(title=event_title(event, language),
                                                when=event_when(event, language, tz))


def cancelled_text(event: Event, language: str) -> str:
    """The event is cancelled."""
    return translator(language)(N_(
        "We are sorry: {title} has been cancelled. Your registration for it no longer "
        "applies.")).format(title=event_title(event, language))


def details_text(event: Event, language: str, tz: ZoneInfo) -> str:
    """The event's title or place changed."""
    _ = translator(language)
    place = event_place(event, language)
    return _(N_("{title}: the details have changed. When: {when}. Where: {place}. Your "
                "registration still stands.")).format(
        title=event_title(event, language), when=event_when(event, language, tz),
        place=place or "—")


def promoted_text(event: Event, participants: int, language: str) -> str:
    """Seats freed up for a wait-listed registration."""
    return translator(language)(N_(
        "Good news: seats freed up for {title}, and your registration ({count} "
        "participant(s)) is now confirmed. The calendar file below adds it to your "
        "calendar.")).format(title=event_title(event, language), count=participants)


def change_notices(event: Event, registrants: Registrants, tz: ZoneInfo, *,
                   cancelled: bool) -> list[Notice]:
    """One message per registrant about a move (with the new calendar file) or a cancellation."""
    notices = []
    for _registration, person in registrants:
        language = person.language
        if cancelled:
            text = cancelled_text(event, language)
        else:
            text = moved_text(event, language, tz)
        notices.append(notice_for(person, text, ics_document(event, language),
                                  kind="event_update"))
    return notices


def details_notices(event: Event, registrants: Registrants, tz: ZoneInfo) -> list[Notice]:
    """One message per registrant about a new title or place (with the calendar file)."""
    return [notice_for(person, details_text(event, person.language, tz),
                       ics_document(event, person.language), kind="event_update")
            for _registration, person in registrants]


def promotion_notices(event: Event, promotions: Sequence[Promotion]) -> list[Notice]:
    """One message per wait-listed registration that got its seats."""
    return [notice_for(p.person, promoted_text(event, p.registration.participants,
                                               p.person.language),
                       ics_document(event, p.person.language), kind="event_update")
            for p in promotions]
