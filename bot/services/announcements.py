"""Announcements: who receives them, queueing one row per person, and live progress for staff."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.delivery import reply_to_dict
from bot.core.messages import Button, Reply
from bot.i18n import N_, translator
from bot.services.routines import after_quiet_hours
from bot.services.staff_desk import StaffDesk
from bot.settings import Settings
from storage.engine import Database
from storage.models import utcnow
from storage.models_outbox import Announcement
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


@dataclass
class Announcements:
    """Queues announcements and reports their progress in the staff chat."""

    database: Database
    settings: Settings
    desk_holder: Any  # the Hotline, whose `desk` is set when the staff chat is on
    on_queued: Callable[[], None] | None = None  # wakes the outbox worker
    _last_report: dict[int, float] = field(default_factory=dict)

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

    async def queue(self, announcement_id: int) -> int:
        """One outbox row per recipient, in their language, with a way to unsubscribe.

        Queued a slice at a time, each in its own short unit of work, so the bot answers
        people meanwhile; the worker may start sending the first slices at once. Keys make a
        second call (after a crash half-way) queue only what is missing."""
        async with UnitOfWork(self.database) as uow:
            announcement = await uow.session.get(Announcement, announcement_id)
        if announcement is None or announcement.status != "draft":
            return 0
        not_before = after_quiet_hours(utcnow(), self.settings)
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
            if stored is not None and stored.status == "draft":
                stored.status = "sending"
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
                if announcement is None or announcement.status == "draft":
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
        """"Sent 120 / 228 · unreachable 3 · failed 0 · about 4 s left"."""
        _ = translator(self.settings.staff_language)
        sent, total = counts.get("sent", 0), announcement.total
        left = counts.get("pending", 0) + counts.get("sending", 0)
        rate = self.settings.telegram_rate_limit or 30
        head = _(N_("📣 Announcement #{number} done.")) if finished else _(
            N_("📣 Announcement #{number} is being sent…"))
        lines = [head.format(number=announcement.id),
                 _(N_("Sent: {sent} / {total}")).format(sent=sent, total=total),
                 _(N_("Unreachable (blocked the bot): {count}")).format(
                     count=counts.get("unreachable", 0)),
                 _(N_("Failed: {count}")).format(count=counts.get("failed", 0))]
        if counts.get("outside window"):
            lines.append(_(N_("Not sent, outside Messenger's 24-hour window: {count}")).format(
                count=counts["outside window"]))
        if not finished:
            lines.append(_(N_("Time left: about {seconds} s")).format(
                seconds=max(1, round(left / rate))))
        return "\n".join(lines)

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
