"""Staff's announcement drafts (`/announce` in the staff chat): written first, then given an
audience and sent, or cancelled. Only a draft can be sent or cancelled, once."""

from __future__ import annotations

from collections.abc import Sequence

from storage.models import utcnow
from storage.models_events import Event
from storage.models_outbox import Announcement
from storage.repos.announcements import AnnouncementRepo
from storage.repos.events_calendar import EventCalendarRepo
from storage.uow import UnitOfWork

EVENTS_OFFERED = 5  # upcoming events offered as audiences


async def start(uow: UnitOfWork, *, text: str, author: str, source_chat_id: str | None,
                source_message_id: str | None) -> tuple[Announcement, Sequence[Event]]:
    """A new draft (numbered), and the upcoming events whose registrants it could go to."""
    announcement = await uow.repo(AnnouncementRepo).add(Announcement(
        text=text, author=author, source_chat_id=source_chat_id,
        source_message_id=source_message_id))
    events, _total = await uow.repo(EventCalendarRepo).upcoming(utcnow(), limit=EVENTS_OFFERED)
    return announcement, events


async def draft(uow: UnitOfWork, number: int) -> Announcement | None:
    """The announcement while it is still a draft; None once sent, cancelled or gone."""
    announcement = await uow.repo(AnnouncementRepo).get(number)
    return announcement if announcement is not None and announcement.status == "draft" else None


def address(uow: UnitOfWork, announcement: Announcement, audience: dict[str, str]) -> None:
    """Give the draft its audience (the announcements service queues it after commit)."""
    announcement.audience = audience
    uow.repo(AnnouncementRepo).save(announcement)


def cancel(uow: UnitOfWork, announcement: Announcement) -> None:
    """Cancel the draft: nothing is sent."""
    announcement.status = "cancelled"
    uow.repo(AnnouncementRepo).save(announcement)
