"""The scheduler: APScheduler 3 drives everything sent without being asked.

The database is the source of truth (outbox rows, tickets, registrations); APScheduler only
says *when* to look, so no job is pickled and several processes can share the work. The
scheduler owns its tasks: it keeps references, logs failures with their origin, stops cleanly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.services import early_replies
from bot.services.delivery_report import DeliveryReport
from bot.services.hotline import JOB_KIND
from bot.services.outbox import OutboxWorker, senders_for
from bot.services.rate_limits import PAID_KINDS, FloodLimits, outbox_rate
from bot.services.report_files import REPORT_KIND, ReportJob

if TYPE_CHECKING:
    from bot.app import HubApp

log = logging.getLogger(__name__)
ANNOUNCEMENTS_EVERY = 30  # seconds between looks for scheduled announcements now due


class HubScheduler:
    """Starts the outbox worker and the periodic routines; stops them with the application."""

    def __init__(self, hub: HubApp) -> None:
        settings = hub.settings
        self.hub = hub
        free = outbox_rate(settings.telegram_rate_limit)  # replies keep a share of it
        paid = settings.telegram_paid_rate if settings.telegram_paid_broadcast else 0
        hotline = hub.services.hotline
        report = DeliveryReport(hub.database, settings, hotline)
        self.worker = OutboxWorker(hub.database, hub.core.senders,
                                   FloodLimits(free, paid_per_second=paid),
                                   on_batch_progress=hub.services.announcements.report,
                                   give_up_after=settings.give_up_after,
                                   retry_max=settings.retry_max,
                                   actions={JOB_KIND: hotline.run_job,
                                            early_replies.KIND: hub.services.early_replies.run,
                                            REPORT_KIND: ReportJob(hub.database, settings,
                                                                   hub.core.senders).run},
                                   on_final=report.on_final,
                                   on_chat_moved=hub.core.chat_moved,
                                   senders_in_flight=senders_for(max(free, paid)),
                                   paid_kinds=PAID_KINDS if paid else frozenset())
        self.scheduler = AsyncIOScheduler(timezone=settings.tz)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start the worker and schedule the routines."""
        routines = self.hub.services.routines
        self._every(60, "plan reminders", routines.plan_reminders)
        self._every(15 * 60, "hotline SLA", routines.raise_overdue_tickets)
        self._every(10 * 60, "plan feedback", self.hub.services.feedback.plan)
        self._every(6 * 3600, "retention", routines.purge_old_tickets)
        self._every(ANNOUNCEMENTS_EVERY, "scheduled announcements",
                    self.hub.services.announcements.send_due)
        hour, minute = (int(x) for x in self.hub.settings.digest_time.split(":"))
        self.scheduler.add_job(self._guard("daily digest", routines.daily_digest),
                               CronTrigger(hour=hour, minute=minute), id="daily digest",
                               misfire_grace_time=3600, coalesce=True)
        self.scheduler.start()
        self.hub.core.on_queued = self.worker.kick
        self.hub.services.announcements.on_queued = self.worker.kick
        self._spawn("outbox worker", self.worker.run())
        self._spawn("first reminder plan", routines.plan_reminders())  # missed ones too
        log.info("scheduler started")

    async def stop(self) -> None:
        """Stop scheduling, let the worker finish its rows, cancel what is left."""
        self.scheduler.shutdown(wait=False)
        self.worker.stop()
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=10)
            for task in pending:
                task.cancel()
        self.hub.core.on_queued = None

    def _every(self, seconds: int, name: str, routine: Callable[[], Awaitable[object]]) -> None:
        self.scheduler.add_job(self._guard(name, routine), "interval", seconds=seconds, id=name,
                               max_instances=1, coalesce=True, misfire_grace_time=seconds)

    def _guard(self, name: str, routine: Callable[[], Awaitable[object]]
               ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            try:
                result = await routine()
                if result:
                    log.info("%s: %s", name, result)
                    self.worker.kick()
            except Exception:  # a routine's failure must not stop the others
                log.exception("scheduled job %r failed", name)
        return run

    def _spawn(self, name: str, work: Awaitable[object]) -> None:
        async def run() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:  # logged with its origin
                log.exception("background task %r failed", name)
        task = asyncio.create_task(run(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
