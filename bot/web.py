"""The bot's aiohttp web server: /healthz, /metrics, the channels' webhooks and the staff console."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot import metrics
from bot.console.app import mount
from bot.console.deps import ConsoleDeps
from storage.models import utcnow
from storage.repos.outbox import OutboxRepo

if TYPE_CHECKING:
    from bot.app import HubApp

log = logging.getLogger(__name__)

WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024
WORKER_SILENT_LIMIT = 120.0  # seconds without a loop turn before the worker counts as stuck


class WebServer:
    """Serves health, metrics, the channels' webhook routes and /console on HOST:PORT."""

    def __init__(self, hub: HubApp, *, host: str, port: int) -> None:
        self.hub = hub
        self.host, self.port = host, port
        self.app = web.Application(client_max_size=WEBHOOK_BODY_LIMIT)
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/metrics", self.metrics)
        mount(self.app, ConsoleDeps.of(hub))
        self._runner: web.AppRunner | None = None
        self.worker: Any = None  # this process's outbox worker, if it runs one

    def add_routes(self, register: Callable[[web.Application], None]) -> None:
        """Let a channel add its webhook routes (before `start`)."""
        register(self.app)

    async def start(self) -> None:
        """Listen on HOST:PORT (port 0 picks a free one, see `bound_port`)."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("web server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """http://HOST:PORT as seen from this machine."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def worker_state(self) -> str | None:
        """"running", "stopped" (restarting after an error, or stuck), or None (none here)."""
        worker = self.worker
        if worker is None:
            return None
        alive = worker.running and time.monotonic() - worker.last_beat < WORKER_SILENT_LIMIT
        return "running" if alive else "stopped"

    async def healthz(self, request: web.Request) -> web.Response:
        """200 with JSON when the database answers and the outbox worker runs, 503 otherwise.

        `oldest_pending_seconds` says how long the oldest undelivered message has waited."""
        body: dict[str, Any] = {"status": "ok", "database": "ok"}
        try:
            async with self.hub.session_factory() as session:
                since = await OutboxRepo(session).oldest_pending_since()
        except Exception as exc:  # noqa: BLE001 — any failure means "not healthy"
            log.warning("health check: the database does not answer (%s)", type(exc).__name__)
            return web.json_response({"status": "error", "database": "unreachable"}, status=503)
        body["oldest_pending_seconds"] = round((utcnow() - since).total_seconds()) if since else 0
        state = self.worker_state()
        if state is not None:
            body["outbox_worker"] = state
            if state != "running":
                body["status"] = "error"
        return web.json_response(body, status=200 if body["status"] == "ok" else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        """Prometheus text; the outbox depth and age are read from the database at each scrape."""
        try:
            async with self.hub.session_factory() as session:
                repo = OutboxRepo(session)
                metrics.OUTBOX_DEPTH.set(await repo.pending_count())
                since = await repo.oldest_pending_since()
            metrics.OUTBOX_OLDEST_SECONDS.set((utcnow() - since).total_seconds() if since else 0)
        except Exception:  # noqa: BLE001 — the other metrics are still worth serving
            log.warning("metrics: could not read the outbox depth", exc_info=True)
        if (state := self.worker_state()) is not None:
            metrics.OUTBOX_WORKER_UP.set(1 if state == "running" else 0)
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
