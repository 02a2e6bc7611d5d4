"""Benchmark: the console dashboard's figures on a big database (default 100,000 people).

Seeds the database as scripts/bench_scale.py does (scripts/bench_seed.py) (tickets, registrations, FAQ questions, events
of a hub with that many people), then times `bot.services.dashboard.dashboard` — every figure
the page shows, in one unit of work — and prints the median and the slowest of the runs.

Usage: python scripts/bench_dashboard.py [--people 100000] [--database-url URL] [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import HubApp, create_app
from bot.services.dashboard import dashboard, week_bounds, week_start
from bot.settings import load_settings
from scripts.bench_database import add_database_option, bench_database
from scripts.bench_seed import STAFF_CHAT, seed_hub
from storage.repos.dashboard import DashboardRepo


async def _each_figure(hub: HubApp, runs: int) -> None:
    """The median time of each of the dashboard's queries."""
    now = datetime.now(UTC)
    since = week_start(now, hub.settings.tz)
    figures: dict[str, Callable[[DashboardRepo], Awaitable[object]]] = {
        "tickets opened": lambda repo: repo.tickets_opened(since),
        "open tickets and the oldest": lambda repo: repo.open_tickets(),
        "median first reply": lambda repo: repo.median_first_reply_seconds(since),
        "registrations": lambda repo: repo.registrations_since(since),
        "events ahead with seats": lambda repo: repo.upcoming_events(now, 5),
        "unanswered FAQ questions": lambda repo: repo.unanswered_questions(since),
        "tickets per week (12)": lambda repo: repo.tickets_per_span(
            week_bounds(now, hub.settings.tz)),
    }
    for name, figure in figures.items():
        took = []
        for _ in range(runs):
            async with hub.session_factory() as session:
                started = time.perf_counter()
                await figure(DashboardRepo(session))
                took.append((time.perf_counter() - started) * 1000)
        print(f"  {name:<32} median {statistics.median(took):6.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    add_database_option(parser)
    args = parser.parse_args()
    with bench_database(args.database_url, "scale") as url:
        settings = load_settings(_env_file=None, database_url=url, staff_chat_id=STAFF_CHAT,
                                 example_content="off")
        hub = await create_app(settings)
        try:
            started = time.perf_counter()
            await seed_hub(hub, args.people)
            print(f"{hub.engine.dialect.name}, {args.people:,} people "
                  f"(seeded in {time.perf_counter() - started:.0f} s)")
            took = []
            for _ in range(args.runs):
                started = time.perf_counter()
                async with hub.session_factory() as session:
                    board = await dashboard(session, settings.tz)
                took.append((time.perf_counter() - started) * 1000)
            print(f"dashboard ({args.runs} runs): median {statistics.median(took):.1f} ms, "
                  f"slowest {max(took):.1f} ms — {board.open_tickets:,} open tickets, "
                  f"{sum(w.tickets for w in board.weeks):,} tickets in 12 weeks, "
                  f"{board.upcoming_total} events ahead")
            await _each_figure(hub, args.runs)
        finally:
            await hub.close()


if __name__ == "__main__":
    asyncio.run(main())
