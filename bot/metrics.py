"""Prometheus metrics, served by the web server at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPDATES = Counter("hubbot_updates_total", "Incoming events handled by the core", ["channel"])
HANDLER_SECONDS = Histogram("hubbot_handler_seconds", "Time the core took for one event",
                            ["channel"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
OUTBOX_DEPTH = Gauge("hubbot_outbox_depth", "Outbox rows waiting to be sent (pending or sending)")
DELIVERIES = Counter("hubbot_deliveries_total", "Outbox sends by channel and outcome",
                     ["channel", "outcome"])
OUTBOX_WORKER_UP = Gauge("hubbot_outbox_worker_up",
                         "1 while this process's outbox worker runs (0: stopped or restarting)")
OUTBOX_WORKER_RESTARTS = Counter("hubbot_outbox_worker_restarts_total",
                                 "Times the outbox worker restarted after an error")
OUTBOX_OLDEST_SECONDS = Gauge("hubbot_outbox_oldest_pending_seconds",
                              "Age of the oldest outbox row still waiting (0 when none)")
