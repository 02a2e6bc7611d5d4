"""Scheduled routines: event reminders, overdue hotline tickets, the daily digest, retention."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.core.delivery import reply_to_dict
from bot.core.messages import Button, Reply
from bot.i18n import N_, translator
from bot.services.event_text import event_text
from bot.services.hotline import Hotline
from bot.settings import Settings, parse_span
from storage.engine import Database
from storage.models import utcnow
from storage.models_events import CONFIRMED, Event
from storage.models_outbox import OutboxMessage
from storage.repos.events_calendar import EventCalendarRepo, Recipient
from storage.repos.outbox import OutboxRepo
from storage.repos.tickets import TicketRepo
from storage.uow import UnitOfWork


def after_quiet_hours(moment: datetime, settings: Settings) -> datetime:
    """`moment`, or the end of the quiet hours when it falls inside them."""
    if settings.quiet_hours == "off":
        return moment
    start, end = parse_span(settings.quiet_hours)
    local = moment.astimezone(settings.tz)
    now_t = local.time()
    inside = (start <= now_t or now_t < end) if start > end else (start <= now_t < end)
    if not inside:
        return moment
    day = local.date() if now_t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=settings.tz)


# What was sent (texts, errors) is kept this long for troubleshooting; the rows themselves
# (who got which announcement) until RETENTION_DAYS.
OUTBOX_TEXTS_KEPT = timedelta(days=7)
SLA_KEY = "staff:sla:"  # + ticket id


# Background work goes in slices this big, each its own short unit of work, with the event loop
# handed back in between: no slice holds the loop (or SQLite's write lock) for long.
SLICE = 200
REMINDER_SLICE = 100  # registrations per slice (each gives a row per reminder offset)
# Reminder planning looks at what changed since its last run, from this much earlier: a change
# committed late, or by a process whose clock is a little off, is still seen.
CHANGES_OVERLAP = timedelta(minutes=10)
# and walks everything once in a while, whatever a change may have missed.
FULL_PLAN_EVERY = timedelta(hours=1)


@dataclass
class Routines:
    """The scheduler's jobs; each returns a short summary when it did something."""

    database: Database
    settings: Settings
    hotline: Hotline
    _planned_at: datetime | None = field(default=None, init=False)  # last plan's start
    _full_plan_at: datetime | None = field(default=None, init=False)
    # (event id, language) -> (the event's updated_at, its reminder as JSON)
    _reminder_texts: dict[tuple[int, str], tuple[datetime, dict[str, Any]]] = field(
        default_factory=dict, init=False)

    async def plan_reminders(self) -> str | None:
        """Queue reminders for confirmed registrations; withdraw those no longer true.

        The first run (after a start, so also after downtime) and one an hour walk every event
        that has not long begun; the others only events and registrations changed since the
        last run. A moved event withdraws the reminders of its old time, a cancelled event or
        registration its own; a reminder whose time passed while the bot was down is still
        queued when the event is at most 12 hours past it and has not begun."""
        started = utcnow()
        self._reminder_texts.clear()
        full = (self._planned_at is None or self._full_plan_at is None
                or started - self._full_plan_at >= FULL_PLAN_EVERY)
        since = None if full else self._planned_at - CHANGES_OVERLAP  # type: ignore[operator]
        async with UnitOfWork(self.database) as uow:
            events = {e.id: e for e in await uow.repo(EventCalendarRepo).plannable(started, since)}
        queued = 0
        for event in events.values():
            queued += await self._plan_event(event, started)
        if since is not None:
            queued += await self._plan_changed_registrations(since, started, set(events))
        self._planned_at = started
        if full:
            self._full_plan_at = started
        return f"{queued} reminders queued" if queued else None

    async def _plan_event(self, event: Event, now: datetime) -> int:
        """Withdraw what no longer holds for this event; queue its confirmed people's reminders."""
        assert event.id is not None
        async with UnitOfWork(self.database) as uow:  # one index lookup of the event's rows
            outbox = uow.repo(OutboxRepo)
            if event.cancelled_at is not None or event.starts_at <= now:
                await outbox.withdraw_reminders(event.id)
            else:
                # a moved event: reminders for its old time are withdrawn (their keys differ);
                # so are those of registrations cancelled or wait-listed since
                await outbox.withdraw_reminders(
                    event.id, keep_key_with=f"@{_stamp(event)}:",
                    keep_if=uow.repo(EventCalendarRepo).confirmed_exists(
                        event.id, OutboxMessage.person_id))
            await uow.commit()
        if event.cancelled_at is not None or event.starts_at <= now:
            return 0
        queued, after = 0, 0
        while True:
            await asyncio.sleep(0)  # others' turn between slices
            async with UnitOfWork(self.database) as uow:
                page = await uow.repo(EventCalendarRepo).confirmed_recipients(
                    event.id, after=after, limit=REMINDER_SLICE)
                queued += await self._queue_reminders(uow, {event.id: event}, page, now)
                await uow.commit()
            if len(page) < REMINDER_SLICE:
                return queued
            after = page[-1].registration_id

    async def _plan_changed_registrations(self, since: datetime, now: datetime,
                                          done: set[int | None]) -> int:
        """Registrations changed since `since`, of events not already planned in this run."""
        queued, after = 0, 0
        events: dict[int, Event] = {}
        while True:
            await asyncio.sleep(0)
            async with UnitOfWork(self.database) as uow:
                calendar = uow.repo(EventCalendarRepo)
                page = await calendar.changed_registrations(since, now, after=after,
                                                            limit=REMINDER_SLICE)
                todo = [r for r in page if r.event_id not in done]
                for missing in {r.event_id for r in todo} - set(events):
                    event = await calendar.get(missing)
                    if event is not None:
                        events[missing] = event
                outbox = uow.repo(OutboxRepo)
                for row in todo:
                    if row.status != CONFIRMED:
                        await outbox.withdraw_reminders(row.event_id, person_id=row.person_id)
                queued += await self._queue_reminders(
                    uow, events, [r for r in todo if r.status == CONFIRMED], now)
                await uow.commit()
            if len(page) < REMINDER_SLICE:
                return queued
            after = page[-1].registration_id

    async def _queue_reminders(self, uow: UnitOfWork, events: dict[int, Event],
                               recipients: list[Recipient], now: datetime) -> int:
        """The reminders due to these confirmed registrations (rows already queued are kept)."""
        offsets = self.settings.offsets
        wanted: list[tuple[str, Event, Recipient, timedelta]] = []
        for recipient in recipients:
            event = events.get(recipient.event_id)
            if event is None or event.cancelled_at is not None or event.starts_at <= now:
                continue
            key = f"reminder:event{recipient.event_id}:person{recipient.person_id}@{_stamp(event)}"
            wanted += [(f"{key}:{int(offset.total_seconds())}", event, recipient, offset)
                       for offset in offsets if event.starts_at - offset > now - timedelta(hours=12)]
        outbox = uow.repo(OutboxRepo)
        known = set(await outbox.known_keys([key for key, *_rest in wanted]))
        rows = [self._reminder_row(key, event, recipient, offset)
                for key, event, recipient, offset in wanted if key not in known]
        return await outbox.enqueue(rows, known=known)

    def _reminder_row(self, key: str, event: Event, recipient: Recipient, offset: timedelta
                      ) -> dict[str, object]:
        """An outbox row: the event's reminder in the person's language (its text is built once
        per event and language), with a button cancelling this registration."""
        assert event.id is not None
        cached = self._reminder_texts.get((event.id, recipient.language))
        if cached is None or cached[0] != event.updated_at:
            cached = self._reminder_texts[(event.id, recipient.language)] = (
                event.updated_at, reply_to_dict(self._reminder_reply(event, recipient.language)))
        reply = dict(cached[1])
        reply["buttons"] = [[{**reply["buttons"][0][0],
                              "payload": f"ev:c:{recipient.registration_id}"}]]
        return {"dedupe_key": key, "kind": "reminder", "person_id": recipient.person_id,
                "event_id": recipient.event_id, "channel": recipient.channel,
                "chat_id": recipient.chat_id,
                # sent late after downtime if still useful, never after the event began
                "not_before": event.starts_at - offset,
                "payload": {"replies": [reply], "expires_at": event.starts_at.isoformat()}}

    def _reminder_reply(self, event: Event, language: str) -> Reply:
        """An event's reminder in a language (its button's payload is set per registration)."""
        _ = translator(language)
        text = _(N_("⏰ Reminder: you are registered for")) + "\n\n" + event_text(
            event, language, self.settings.tz, details=False)
        return Reply(text=text, buttons=[[Button(label=_(N_("✖️ Cancel my registration")),
                                                 short=_(N_("Cancel registration")),
                                                 payload="ev:c:")]])

    async def raise_overdue_tickets(self) -> str | None:
        """Tell staff about tickets with no staff reply after SLA_HOURS (once per ticket)."""
        if self.settings.staff_chat_id is None:
            return None
        limit = utcnow() - timedelta(hours=self.settings.sla_hours)
        _ = translator(self.settings.staff_language)
        queued, after = 0, 0
        while True:
            await asyncio.sleep(0)
            async with UnitOfWork(self.database) as uow:
                overdue = await uow.repo(TicketRepo).overdue(limit, unless_key=SLA_KEY,
                                                             after=after, limit=SLICE)
                rows = [self._staff_row(
                    f"{SLA_KEY}{t.id}", _(N_("⏳ Ticket #{number} has waited more than {hours} h "
                                            "for a first answer.")).format(
                        number=t.id, hours=f"{self.settings.sla_hours:g}"),
                    thread_id=t.staff_thread_id) for t in overdue]
                queued += await uow.repo(OutboxRepo).enqueue(rows)
                await uow.commit()
            if len(overdue) < SLICE:
                break
            after = overdue[-1].id or 0
        return f"{queued} overdue tickets raised" if queued else None

    async def daily_digest(self) -> str | None:
        """New tickets and registrations of the last day, and the week's events."""
        if self.settings.staff_chat_id is None:
            return None
        now = utcnow()
        day_ago = now - timedelta(days=1)
        async with UnitOfWork(self.database) as uow:  # counts on indexed dates: a few ms
            tickets = await uow.repo(TicketRepo).created_since(day_ago)
            calendar = uow.repo(EventCalendarRepo)
            registrations = await calendar.registered_since(day_ago)
            upcoming = await calendar.starting_between(now, now + timedelta(days=7))
            _ = translator(self.settings.staff_language)
            lines = [_(N_("☀️ Daily digest")),
                     _(N_("New hotline tickets: {count}")).format(count=tickets),
                     _(N_("New event registrations: {count}")).format(count=registrations),
                     _(N_("Events in the next 7 days: {count}")).format(count=len(upcoming))]
            lines += [f"• {event_text(e, self.settings.staff_language, self.settings.tz, details=False).splitlines()[0]}"
                      for e in upcoming]
            date = now.astimezone(self.settings.tz).date().isoformat()
            queued = await uow.repo(OutboxRepo).enqueue(
                [self._staff_row(f"staff:digest:{date}", "\n".join(lines))])
            await uow.commit()
        return "digest queued" if queued else None

    async def purge_old_tickets(self) -> str | None:
        """Erase the personal content of tickets closed more than RETENTION_DAYS ago (in the
        staff chat too), and what the outbox keeps of messages sent long ago; a slice at a time."""
        now = utcnow()
        limit = now - timedelta(days=self.settings.retention_days)
        texts_until = now - OUTBOX_TEXTS_KEPT
        # Only the month before `texts_until` is visited (the routine runs every few hours), so
        # the work stays small however long the history; older rows were blanked back then.
        await self._outbox_slices(texts_until, texts_until - timedelta(days=30), "blank")
        await self._outbox_slices(limit, None, "delete")
        erased = 0
        while True:
            await asyncio.sleep(0)
            async with UnitOfWork(self.database) as uow:
                tickets = uow.repo(TicketRepo)
                old = await tickets.closed_unerased(limit, limit=SLICE // 4)
                if old:
                    await tickets.erase_content(old)
                    await self.hotline.queue_many(uow, old, "erase")
                await uow.commit()
            erased += len(old)
            if len(old) < SLICE // 4:
                break
        return f"{erased} old tickets erased" if erased else None

    async def _outbox_slices(self, before: datetime, since: datetime | None, action: str) -> None:
        """Blank or delete finished outbox rows created in [since, before), a page at a time."""
        after: tuple[datetime, int] | None = None
        while True:
            await asyncio.sleep(0)
            async with UnitOfWork(self.database) as uow:
                outbox = uow.repo(OutboxRepo)
                page = await outbox.finished_page(before, since=since, after=after,
                                                  limit=SLICE * 2)
                ids = [row_id for _created, row_id in page]
                if ids:
                    await (outbox.blank(ids) if action == "blank" else outbox.delete_ids(ids))
                await uow.commit()
            if len(page) < SLICE * 2:
                return
            after = page[-1] if action == "blank" else None  # deleted rows are gone anyway

    def _staff_row(self, key: str, text: str, *, thread_id: int | None = None
                   ) -> dict[str, object]:
        return {"dedupe_key": key, "kind": "staff_alert", "channel": "telegram",
                "chat_id": str(self.settings.staff_chat_id),
                "thread_id": str(thread_id) if thread_id else None,
                "payload": {"replies": [{"text": text, "buttons": []}]}}


def _stamp(event: Event) -> str:
    """The event's start as it appears in its reminders' keys."""
    return event.starts_at.strftime("%Y%m%dT%H%M")
