"""Feedback after events: who is asked (checked-in attendees, once, through the outbox), and
storing their answer (a 1–5 rating, one optional comment, for trainings what they will apply).

Planning is incremental: each run looks only at events that ended between FEEDBACK_AFTER and
FEEDBACK_AFTER + ASK_WITHIN ago; the outbox key `feedback:event{E}:person{P}` makes a second
run (or a second process) queue nothing again. The request waits for the end of QUIET_HOURS;
on Messenger it goes only inside the 24-hour window (kind `feedback` carries no message tag).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.delivery import reply_to_dict
from bot.core.messages import Button, Reply, small_number
from bot.i18n import N_, translator
from bot.services.event_text import event_title
from bot.services.routines import SLICE, after_quiet_hours
from bot.settings import Settings
from storage.engine import Database
from storage.models import Person, utcnow
from storage.models_events import Event
from storage.repos.attendance import AttendanceRepo, Attendee
from storage.repos.events_calendar import EventCalendarRepo
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

KIND = "feedback"
ASK_WITHIN = timedelta(days=3)  # events that ended longer ago are not asked about any more
ANSWER_WITHIN = timedelta(days=7)  # a typed digit counts as a rating this long after asking
MAX_COMMENT = 1000
RATINGS = range(1, 6)


def feedback_key(event_id: int, person_id: int) -> str:
    """The outbox key of one person's feedback request about one event."""
    return f"{KIND}:event{event_id}:person{person_id}"


def event_from_key(key: str) -> int | None:
    """The event id in a feedback request's key."""
    head, _sep, _rest = key.removeprefix(f"{KIND}:event").partition(":")
    return small_number(head)


def request_reply(event: Event, language: str) -> Reply:
    """The question with its five rating buttons, in the person's language."""
    _ = translator(language)
    text = _(N_("Thank you for coming to {title}! How was it? Please rate it from 1 (poor) "
                "to 5 (excellent) — tap a number or type it.")).format(
        title=event_title(event, language))
    return Reply(text=text, buttons=[[Button(label=str(n), payload=f"efb:{event.id}:{n}")
                                      for n in RATINGS]])


@dataclass
class Feedback:
    """Plans feedback requests; stores answers."""

    database: Database
    settings: Settings

    async def plan(self, now: datetime | None = None) -> str | None:
        """Queue a request to every attendee of events that ended FEEDBACK_AFTER ago (within
        ASK_WITHIN), once per person and event."""
        now = now or utcnow()
        latest = now - self.settings.feedback_delay
        async with UnitOfWork(self.database) as uow:
            events = await uow.repo(AttendanceRepo).ended_between(latest - ASK_WITHIN, latest)
        queued = 0
        for event in events:
            queued += await self._plan_event(event, now)
        return f"{queued} feedback requests queued" if queued else None

    async def _plan_event(self, event: Event, now: datetime) -> int:
        assert event.id is not None
        end = event.ends_at or event.starts_at
        not_before = after_quiet_hours(max(now, end + self.settings.feedback_delay),
                                       self.settings)
        expires = (end + self.settings.feedback_delay + ASK_WITHIN).isoformat()
        replies: dict[str, dict[str, object]] = {}
        queued, after = 0, 0
        while True:
            await asyncio.sleep(0)  # others' turn between slices
            async with UnitOfWork(self.database) as uow:
                page = await uow.repo(AttendanceRepo).attendees(event.id, after=after,
                                                                limit=SLICE)
                rows = []
                for attendee in page:
                    if attendee.language not in replies:
                        replies[attendee.language] = reply_to_dict(
                            request_reply(event, attendee.language))
                    rows.append(_row(event.id, attendee, replies[attendee.language],
                                     not_before, expires))
                queued += await uow.repo(OutboxRepo).enqueue(rows)
                await uow.commit()
            if len(page) < SLICE:
                return queued
            after = page[-1].attendance_id

    async def pending_event(self, uow: UnitOfWork, person: Person) -> int | None:
        """The event the person was last asked about and has not answered (a typed digit is
        taken as its rating), if any."""
        assert person.id is not None
        key = await uow.repo(OutboxRepo).latest_sent_key(
            person.id, KIND, utcnow() - ANSWER_WITHIN)
        event_id = event_from_key(key) if key else None
        if event_id is None or await uow.repo(AttendanceRepo).has_feedback(event_id, person.id):
            return None
        return event_id

    async def may_answer(self, uow: UnitOfWork, person: Person, event_id: int) -> Event | None:
        """The event, when the person attended it and has not answered yet."""
        assert person.id is not None
        repo = uow.repo(AttendanceRepo)
        event = await uow.repo(EventCalendarRepo).get(event_id)
        if event is None or await repo.get(event_id, person.id) is None \
                or await repo.has_feedback(event_id, person.id):
            return None
        return event

    async def store(self, uow: UnitOfWork, person: Person, event_id: int, rating: int,
                    comment: str | None, will_apply: str | None) -> bool:
        """Keep the answer; False when the person had answered already (the first stays)."""
        assert person.id is not None and rating in RATINGS
        return await uow.repo(AttendanceRepo).add_feedback(
            event_id=event_id, person_id=person.id, rating=rating,
            comment=(comment or "")[:MAX_COMMENT] or None,
            will_apply=(will_apply or "")[:MAX_COMMENT] or None, created_at=utcnow())


def _row(event_id: int, attendee: Attendee, reply: dict[str, object], not_before: datetime,
         expires: str) -> dict[str, object]:
    return {"dedupe_key": feedback_key(event_id, attendee.person_id), "kind": KIND,
            "person_id": attendee.person_id, "event_id": event_id, "channel": attendee.channel,
            "chat_id": attendee.chat_id, "not_before": not_before,
            "payload": {"replies": [reply], "expires_at": expires}}
