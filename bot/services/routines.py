"""Scheduled routines: event reminders, overdue hotline tickets, the daily digest, retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.core.delivery import reply_to_dict
from bot.core.messages import Button, Reply
from bot.i18n import N_, translator
from bot.services.event_text import event_text
from bot.services.hotline import Hotline
from bot.settings import Settings, parse_span
from storage.engine import Database
from storage.models import Person, utcnow
from storage.models_events import CONFIRMED, Event, EventRegistration
from storage.models_hotline import Ticket, TicketMessage
from storage.repos.outbox import OutboxRepo
from storage.repos.privacy import ERASED_CHAT
from storage.repos.tickets import ERASED
from storage.uow import UnitOfWork


def reminder_prefix(event_id: int) -> str:
    """Every reminder key of an event starts with this (to withdraw them together)."""
    return f"reminder:event{event_id}:"


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


@dataclass
class Routines:
    """The scheduler's jobs; each returns a short summary when it did something."""

    database: Database
    settings: Settings
    hotline: Hotline

    async def plan_reminders(self) -> str | None:
        """Queue reminders for every confirmed registration; withdraw those no longer true."""
        now = utcnow()
        async with UnitOfWork(self.database) as uow:
            outbox = uow.repo(OutboxRepo)
            events = (await uow.session.exec(select(Event).where(
                col(Event.starts_at) > now - timedelta(days=1)))).all()
            rows = []
            for event in events:
                assert event.id is not None
                stamp = event.starts_at.strftime("%Y%m%dT%H%M")
                # a moved event: reminders for its old time are withdrawn (their keys differ)
                await outbox.drop_pending_except(reminder_prefix(event.id), f"@{stamp}:")
                if event.cancelled_at is not None or event.starts_at <= now:
                    await outbox.drop_pending(reminder_prefix(event.id))
                    continue
                registrations = (await uow.session.exec(
                    select(EventRegistration, Person)
                    .join(Person, col(Person.id) == EventRegistration.person_id)
                    .where(EventRegistration.event_id == event.id,
                           Person.chat_id != ERASED_CHAT))).all()
                for registration, person in registrations:
                    key = f"{reminder_prefix(event.id)}person{person.id}"
                    if registration.status != CONFIRMED:
                        await outbox.drop_pending(key + "@")
                        continue
                    rows += [self._reminder(event, registration, person, offset, key, stamp)
                             for offset in self.settings.offsets
                             if event.starts_at - offset > now - timedelta(hours=12)]
            queued = await outbox.enqueue(rows)
            await uow.commit()
        return f"{queued} reminders queued" if queued else None

    def _reminder(self, event: Event, registration: EventRegistration, person: Person,
                  offset: timedelta, key: str, stamp: str) -> dict[str, object]:
        _ = translator(person.language)
        text = _(N_("⏰ Reminder: you are registered for")) + "\n\n" + event_text(
            event, person.language, self.settings.tz, details=False)
        reply = Reply(text=text, buttons=[[Button(
            label=_(N_("✖️ Cancel my registration")), short=_(N_("Cancel registration")),
            payload=f"ev:c:{registration.id}")]])
        return {"dedupe_key": f"{key}@{stamp}:{int(offset.total_seconds())}", "kind": "reminder",
                "person_id": person.id, "channel": person.channel, "chat_id": person.chat_id,
                # sent late after downtime if still useful, never after the event began
                "not_before": event.starts_at - offset,
                "payload": {"replies": [reply_to_dict(reply)],
                            "expires_at": event.starts_at.isoformat()}}

    async def raise_overdue_tickets(self) -> str | None:
        """Tell staff about tickets with no staff reply after SLA_HOURS (once per ticket)."""
        if self.settings.staff_chat_id is None:
            return None
        limit = utcnow() - timedelta(hours=self.settings.sla_hours)
        async with UnitOfWork(self.database) as uow:
            overdue = (await uow.session.exec(select(Ticket).where(
                Ticket.status == "open", col(Ticket.first_staff_reply_at).is_(None),
                col(Ticket.created_at) < limit))).all()
            _ = translator(self.settings.staff_language)
            rows = [self._staff_row(
                f"staff:sla:{t.id}", _(N_("⏳ Ticket #{number} has waited more than {hours} h "
                                          "for a first answer.")).format(
                    number=t.id, hours=f"{self.settings.sla_hours:g}"),
                thread_id=t.staff_thread_id) for t in overdue]
            queued = await uow.repo(OutboxRepo).enqueue(rows)
            await uow.commit()
        return f"{queued} overdue tickets raised" if queued else None

    async def daily_digest(self) -> str | None:
        """New tickets and registrations of the last day, and the week's events."""
        if self.settings.staff_chat_id is None:
            return None
        now = utcnow()
        day_ago = now - timedelta(days=1)
        async with UnitOfWork(self.database) as uow:
            tickets = (await uow.session.exec(select(Ticket).where(
                col(Ticket.created_at) >= day_ago))).all()
            registrations = (await uow.session.exec(select(EventRegistration).where(
                col(EventRegistration.created_at) >= day_ago))).all()
            upcoming = (await uow.session.exec(select(Event).where(
                col(Event.starts_at) > now, col(Event.starts_at) < now + timedelta(days=7),
                col(Event.cancelled_at).is_(None)).order_by(col(Event.starts_at)))).all()
            _ = translator(self.settings.staff_language)
            lines = [_(N_("☀️ Daily digest")),
                     _(N_("New hotline tickets: {count}")).format(count=len(tickets)),
                     _(N_("New event registrations: {count}")).format(count=len(registrations)),
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
        staff chat too), and what the outbox keeps of messages sent long ago."""
        limit = utcnow() - timedelta(days=self.settings.retention_days)
        async with UnitOfWork(self.database) as uow:
            outbox = uow.repo(OutboxRepo)
            await outbox.blank_finished(utcnow() - OUTBOX_TEXTS_KEPT)
            await outbox.delete_finished(limit)
            old = (await uow.session.exec(select(Ticket).where(
                Ticket.status == "closed", col(Ticket.closed_at) < limit,
                col(Ticket.erased_at).is_(None)))).all()
            for ticket in old:
                ticket.question, ticket.phone, ticket.requester_name = ERASED, None, ""
                ticket.erased_at = utcnow()
                uow.session.add(ticket)
                for message in (await uow.session.exec(select(TicketMessage).where(
                        TicketMessage.ticket_id == ticket.id))).all():
                    message.text = ERASED
                    message.source_chat_id = message.source_message_id = None
                    uow.session.add(message)
                assert ticket.id is not None
                await self.hotline.queue(uow, ticket.id, "erase")
            await uow.commit()
        return f"{len(old)} old tickets erased" if old else None

    def _staff_row(self, key: str, text: str, *, thread_id: int | None = None
                   ) -> dict[str, object]:
        return {"dedupe_key": key, "kind": "staff_alert", "channel": "telegram",
                "chat_id": str(self.settings.staff_chat_id),
                "thread_id": str(thread_id) if thread_id else None,
                "payload": {"replies": [{"text": text, "buttons": []}]}}
