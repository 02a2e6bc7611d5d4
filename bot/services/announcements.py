"""Announcements: who receives them, queueing one row per person, and live progress for staff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from bot.core.delivery import reply_to_dict
from bot.core.messages import Button, Reply
from bot.i18n import N_, translator
from bot.services.routines import after_quiet_hours
from bot.services.staff_desk import StaffDesk
from bot.settings import Settings
from storage.engine import Database
from storage.models import Person, utcnow
from storage.models_events import CONFIRMED, EventRegistration
from storage.models_outbox import Announcement, Subscription, UnreachablePerson
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

SUBSCRIPTION_TOPICS: dict[str, str] = {
    "forums": N_("Forums"), "trainings": N_("Trainings"),
    "funding": N_("Funding opportunities"), "legal": N_("Legal news"), "hub": N_("Hub news"),
}
REPORT_EVERY = 3.0  # seconds between edits of the progress message (group: 20 per minute)


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

    async def recipients(self, uow: UnitOfWork, audience: dict[str, str]) -> list[Person]:
        """People an audience means, minus those who blocked the bot."""
        unreachable = select(UnreachablePerson.person_id)
        if audience.get("kind") == "event":
            statement = select(Person).join(
                EventRegistration, col(EventRegistration.person_id) == Person.id).where(
                EventRegistration.event_id == int(audience["value"]),
                EventRegistration.status == CONFIRMED)
        else:
            statement = select(Person).join(Subscription,
                                            col(Subscription.person_id) == Person.id)
        statement = statement.where(col(Person.id).not_in(unreachable))
        people = list((await uow.session.exec(statement.order_by(col(Person.id)))).unique().all())
        if audience.get("kind") in ("topic", "municipality"):
            subscriptions = {s.person_id: s for s in (await uow.session.exec(
                select(Subscription))).all()}
            if audience["kind"] == "topic":
                people = [p for p in people if audience["value"] in subscriptions[p.id].topics]
            else:
                people = [p for p in people if subscriptions[p.id].municipality in
                          (None, audience["value"])]
        return people

    async def queue(self, announcement_id: int) -> int:
        """One outbox row per recipient, in their language, with a way to unsubscribe."""
        async with UnitOfWork(self.database) as uow:
            announcement = await uow.session.get(Announcement, announcement_id)
            if announcement is None or announcement.status != "draft":
                return 0
            people = await self.recipients(uow, announcement.audience)
            not_before = after_quiet_hours(utcnow(), self.settings)
            rows = [self._row(announcement, person, not_before) for person in people]
            queued = await uow.repo(OutboxRepo).enqueue(rows)
            announcement.status, announcement.total = "sending", len(rows)
            uow.session.add(announcement)
            await uow.commit()
        if self.on_queued is not None:
            self.on_queued()
        await self.report({announcement_id})
        return queued

    def _row(self, announcement: Announcement, person: Person, not_before: Any
             ) -> dict[str, Any]:
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
        return {"dedupe_key": f"{person.channel}:{person.chat_id}:announcement:{announcement.id}",
                "kind": "announcement", "person_id": person.id, "channel": person.channel,
                "chat_id": person.chat_id, "batch_id": announcement.id, "quiet_hours": True,
                "not_before": not_before, "payload": payload}

    async def report(self, batch_ids: set[int]) -> None:
        """Edit each batch's progress message in the staff chat (throttled); final report at the end.

        The figures are read in one short unit of work, the staff chat is written with none
        open, and the progress message's id is recorded in another."""
        for batch_id in batch_ids:
            async with UnitOfWork(self.database) as uow:
                announcement = await uow.session.get(Announcement, batch_id)
                counts = await uow.repo(OutboxRepo).batch_counts(batch_id)
                if announcement is None:
                    continue
                finished = counts.get("pending", 0) + counts.get("sending", 0) == 0
                now = time.monotonic()
                if not finished and now - self._last_report.get(batch_id, 0) < REPORT_EVERY:
                    continue
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
        except Exception:  # noqa: BLE001 — progress is a courtesy; sending goes on
            log.warning("could not update the progress of announcement %s", announcement.id,
                        exc_info=True)
            return None
