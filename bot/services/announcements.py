"""Announcements: who receives them, queueing one row per person, and live progress for staff."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.core.delivery import reply_to_dict
from bot.core.messages import Button, Reply
from bot.i18n import N_, translator
from bot.services.routines import after_quiet_hours
from bot.services.staff_desk import StaffDesk
from bot.settings import Settings
from storage.engine import Database
from storage.models import utcnow
from storage.models_outbox import Announcement
from storage.repos.announcements import AnnouncementRepo
from storage.repos.audience import AudienceRepo, Recipient
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SUBSCRIPTION_TOPICS: dict[str, str] = {
    "forums": N_("Forums"), "trainings": N_("Trainings"),
    "funding": N_("Funding opportunities"), "legal": N_("Legal news"), "hub": N_("Hub news"),
}
REPORT_EVERY = 3.0  # seconds between edits of the progress message (group: 20 per minute)
SLICE = 250  # recipients queued per unit of work (a few ms of the event loop each)
MAX_TEXT = 3500  # characters of an announcement (one message, with room for the button)
QUEUEABLE = ("draft", "scheduled")  # a chat form's draft, or a console's announcement now due


def local_moment(value: datetime, language: str, tz: ZoneInfo) -> str:
    """A moment for staff: "3 December, 09:00" in their language and the hub's time zone."""
    return format_datetime(value, "d MMMM, HH:mm", tzinfo=tz, locale=language)


@dataclass
class Announcements:
    """Queues announcements and reports their progress in the staff chat."""

    database: Database
    settings: Settings
    desk_holder: Any  # the Hotline, whose `desk` is set when the staff chat is on
    on_queued: Callable[[], None] | None = None  # wakes the outbox worker
    _last_report: dict[int, float] = field(default_factory=dict)
    _starting: set[int] = field(default_factory=set)  # announcements being started here

    @property
    def desk(self) -> StaffDesk | None:
        """The staff chat, if configured."""
        return self.desk_holder.desk  # type: ignore[no-any-return]

    async def recipients(self, uow: UnitOfWork, audience: dict[str, str]) -> list[Recipient]:
        """People an audience means, minus those who blocked the bot (for counting them)."""
        people: list[Recipient] = []
        async for page in self._pages(uow, audience):
            people += page
        return people

    async def count(self, uow: UnitOfWork, audience: dict[str, str]) -> int:
        """How many people an audience means (for a preview): counted in SQL, nobody loaded."""
        return await uow.repo(AudienceRepo).count(audience)

    async def _pages(self, uow: UnitOfWork, audience: dict[str, str]
                     ) -> AsyncIterator[list[Recipient]]:
        """The audience a slice at a time, by person id (nobody is loaded whole)."""
        after = 0
        while True:
            page = await uow.repo(AudienceRepo).page(audience, after=after, limit=SLICE)
            if not page:
                return
            after = page[-1].person_id
            wanted = [p for p in page if p.wants(audience)]
            if wanted:
                yield wanted
            if len(page) < SLICE:
                return

    async def start(self, announcement_id: int) -> int:
        """Send a draft, or a scheduled announcement whose time has come: an uploaded photo or
        document is posted once to the staff chat (people get copies of that message, as of a
        staff message replied to with /announce), then one outbox row per person is queued.

        A failure to post the upload raises; a scheduled announcement stays scheduled, so the
        next look for due announcements tries again."""
        if announcement_id in self._starting:
            return 0  # a click and the scheduler's look at once: one of them does it
        self._starting.add(announcement_id)
        try:
            await self._post_upload(announcement_id)
            return await self.queue(announcement_id)
        finally:
            self._starting.discard(announcement_id)

    async def send_due(self, now: datetime | None = None) -> str | None:
        """Start every scheduled announcement whose time has come (the scheduler's job)."""
        async with UnitOfWork(self.database) as uow:
            due = await uow.repo(AnnouncementRepo).due(now or utcnow())
        started = 0
        for announcement_id in due:
            try:
                await self.start(announcement_id)
                started += 1
            except Exception:  # the next run tries again; the others go on
                log.warning("scheduled announcement %s could not start; trying again later",
                            announcement_id, exc_info=True)
        return f"{started} scheduled announcement(s) started" if started else None

    async def _post_upload(self, announcement_id: int) -> None:
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(AnnouncementRepo)
            announcement = await repo.get(announcement_id)
            if announcement is None or announcement.status not in QUEUEABLE \
                    or announcement.source_message_id is not None:
                return
            upload = await repo.attachment(announcement_id)
        if upload is None:
            return
        desk = self.desk
        if desk is None:  # the staff chat went away after the upload: the text alone goes
            log.warning("announcement %s: no staff chat to post its upload; sending the text",
                        announcement_id)
            return
        message_id = await desk.post_file(upload.kind, upload.filename, upload.content,
                                          announcement.text)
        async with UnitOfWork(self.database) as uow:
            repo = uow.repo(AnnouncementRepo)
            stored = await repo.get(announcement_id)
            if stored is not None:
                stored.source_chat_id, stored.source_message_id = str(desk.chat_id), str(message_id)
                repo.save(stored)
                await repo.drop_attachment(announcement_id)
                await uow.commit()

    async def queue(self, announcement_id: int) -> int:
        """One outbox row per recipient, in their language, with a way to unsubscribe.

        Queued a slice at a time, each in its own short unit of work, so the bot answers
        people meanwhile; the worker may start sending the first slices at once. Keys make a
        second call (after a crash half-way) queue only what is missing."""
        async with UnitOfWork(self.database) as uow:
            announcement = await uow.session.get(Announcement, announcement_id)
        if announcement is None or announcement.status not in QUEUEABLE:
            return 0
        now = utcnow()
        not_before = after_quiet_hours(now, self.settings)
        payloads: dict[tuple[str, str], dict[str, Any]] = {}  # built once per channel, language
        queued, after = 0, 0
        while True:
            async with UnitOfWork(self.database) as uow:
                page = await uow.repo(AudienceRepo).page(announcement.audience, after=after,
                                                         limit=SLICE)
                rows = [self._row(announcement, person, not_before, payloads) for person in page
                        if person.wants(announcement.audience)]
                queued += await uow.repo(OutboxRepo).enqueue(rows)
                await uow.commit()
            if self.on_queued is not None and rows:
                self.on_queued()
            if len(page) < SLICE:
                break
            after = page[-1].person_id
            await asyncio.sleep(0)  # people's messages go between slices
        async with UnitOfWork(self.database) as uow:
            stored = await uow.session.get(Announcement, announcement_id)
            if stored is not None and stored.status in QUEUEABLE:
                stored.status = "sending"
                stored.held_until = not_before if not_before > now else None
                stored.total = await uow.repo(OutboxRepo).batch_size(announcement_id)
                uow.session.add(stored)
                await uow.commit()
        self._last_report.pop(announcement_id, None)
        await self.report({announcement_id})
        return queued

    def _row(self, announcement: Announcement, person: Recipient, not_before: Any,
             payloads: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
        payload = payloads.get((person.channel, person.language))
        if payload is None:
            payload = payloads[(person.channel, person.language)] = self._payload(
                announcement, person)
        return {"dedupe_key": f"{person.channel}:{person.chat_id}:announcement:{announcement.id}",
                "kind": "announcement", "person_id": person.person_id, "channel": person.channel,
                "chat_id": person.chat_id, "batch_id": announcement.id, "quiet_hours": True,
                "not_before": not_before, "payload": payload}

    def _payload(self, announcement: Announcement, person: Recipient) -> dict[str, Any]:
        """What everyone on a channel with a language gets: the text, a way to unsubscribe."""
        _ = translator(person.language)
        buttons = [[Button(label=_(N_("🔕 Unsubscribe")), short=_(N_("Unsubscribe")),
                           payload="sub:off")]]
        if announcement.audience.get("kind") == "event":
            buttons = []  # registrants hear about their event, not because they subscribed
        reply = Reply(text=announcement.text, buttons=buttons)
        payload: dict[str, Any] = {"replies": [reply_to_dict(reply)]}
        if announcement.source_message_id and person.channel == "telegram":
            payload["copy"] = {"chat_id": announcement.source_chat_id,
                               "message_id": announcement.source_message_id}
        return payload

    async def report(self, batch_ids: set[int]) -> None:
        """Edit each batch's progress message in the staff chat (throttled); final report at the end.

        The figures are read in one short unit of work, the staff chat is written with none
        open, and the progress message's id is recorded in another."""
        for batch_id in batch_ids:
            async with UnitOfWork(self.database) as uow:
                outbox = uow.repo(OutboxRepo)
                now = time.monotonic()
                if now - self._last_report.get(batch_id, 0) < REPORT_EVERY \
                        and await outbox.batch_unfinished(batch_id):
                    continue  # throttled: one indexed look, not a count of the whole batch
                announcement = await uow.session.get(Announcement, batch_id)
                if announcement is None or announcement.status in QUEUEABLE:
                    continue  # still being queued: `queue` reports when it is done
                counts = await outbox.batch_counts(batch_id)
                finished = counts.get("pending", 0) + counts.get("sending", 0) == 0
                self._last_report[batch_id] = now
                if finished and announcement.status != "done":
                    announcement.status, announcement.finished_at = "done", utcnow()
                    uow.session.add(announcement)
                    await uow.commit()
            if self.desk is None:
                continue
            shown = await self._show(announcement, self.progress_text(announcement, counts,
                                                                      finished))
            if shown is not None and shown != announcement.progress_message_id:
                async with UnitOfWork(self.database) as uow:
                    stored = await uow.session.get(Announcement, batch_id)
                    if stored is not None:
                        stored.progress_message_id = shown
                        uow.session.add(stored)
                        await uow.commit()

    def progress_text(self, announcement: Announcement, counts: dict[str, int],
                      finished: bool) -> str:
        """"Sent 120 / 228 · unreachable 3 · failed 0 · about 4 s left"; while quiet hours hold
        it back, until when."""
        language = self.settings.staff_language
        _ = translator(language)
        sent, total = counts.get("sent", 0), announcement.total
        left = counts.get("pending", 0) + counts.get("sending", 0)
        rate = self.settings.telegram_rate_limit or 30
        held = self.held_until(announcement, finished)
        if held is not None:
            head = _(N_("📣 Announcement #{number} waits for the end of quiet hours: it goes "
                        "out at {time}.")).format(number=announcement.id, time=local_moment(
                            held, language, self.settings.tz))
        else:
            head = (_(N_("📣 Announcement #{number} done.")) if finished else _(
                N_("📣 Announcement #{number} is being sent…"))).format(number=announcement.id)
        lines = [head,
                 _(N_("Sent: {sent} / {total}")).format(sent=sent, total=total),
                 _(N_("Unreachable (blocked the bot): {count}")).format(
                     count=counts.get("unreachable", 0)),
                 _(N_("Failed: {count}")).format(count=counts.get("failed", 0))]
        if counts.get("outside window"):
            lines.append(_(N_("Not sent, outside Messenger's 24-hour window: {count}")).format(
                count=counts["outside window"]))
        if not finished and held is None:
            lines.append(_(N_("Time left: about {seconds} s")).format(
                seconds=max(1, round(left / rate))))
        return "\n".join(lines)

    def quiet_until(self, now: datetime | None = None) -> datetime | None:
        """When quiet hours would let an announcement queued now go out; None outside them."""
        now = now or utcnow()
        held = after_quiet_hours(now, self.settings)
        return held if held > now else None

    @staticmethod
    def held_until(announcement: Announcement, finished: bool,
                   now: datetime | None = None) -> datetime | None:
        """When quiet hours let an unfinished announcement go, while they still hold it."""
        held = announcement.held_until
        if finished or held is None or held <= (now or utcnow()):
            return None
        return held

    async def _show(self, announcement: Announcement, text: str) -> int | None:
        """Post or edit the progress message; its id, or None when the staff chat refused."""
        assert self.desk is not None
        try:
            if announcement.progress_message_id is None:
                return await self.desk.post(text, thread_id=None)
            await self.desk.edit(announcement.progress_message_id, text)
            return announcement.progress_message_id
        except Exception:  # progress is a courtesy; sending goes on
            log.warning("could not update the progress of announcement %s", announcement.id,
                        exc_info=True)
            return None
