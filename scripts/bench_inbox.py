"""Benchmark: the console inbox's queries on a big hotline (10,000 tickets, 60,000 messages).

Seeds a fresh database (an empty SQLite file, or an empty PostgreSQL database) and prints, for
each filter, how many tickets match and the median time of one page (the count and 25 rows),
as `GET /console/tickets` runs it.

Usage: python scripts/bench_inbox.py [--database-url URL]   (default: a temporary SQLite file;
a PostgreSQL database must be empty)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.settings import normalise_database_url
from storage.engine import make_engine, open_database
from storage.migrate import upgrade
from storage.models import utcnow
from storage.models_hotline import Ticket, TicketMessage
from storage.repos.inbox import InboxQuery, InboxRepo
from storage.uow import UnitOfWork

TICKETS, MESSAGES, ROUNDS = 10_000, 60_000, 5
QUERIES = [("open (the default)", InboxQuery()), ("waiting for us", InboxQuery(state="waiting")),
           ("mine", InboxQuery(state="mine", staff_name="Nino")),
           ("closed in Vani", InboxQuery(state="closed", municipality="vani")),
           ("all", InboxQuery(state="all")),
           ("search, many hits", InboxQuery(state="all", text="grants")),
           ("search, no hit", InboxQuery(state="all", text="zzzz"))]


async def seed(url: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    rnd, now = random.Random(1), utcnow()
    async with engine.begin() as connection:
        await connection.execute(insert(Ticket), [{
            "id": i, "channel": "telegram", "language": "ka", "answer_via": "chat",
            "topic": rnd.choice(["legal", "consultation", "project_writing", "other"]),
            "municipality": rnd.choice(["kutaisi", "vani", "khoni", "tkibuli"]),
            "question": f"question {i} about grants and contracts", "requester_name": f"P {i}",
            "status": "open" if rnd.random() < 0.2 else "closed",
            "assignee": rnd.choice([None, "Nino", "Tamar"]), "created_at": now - timedelta(hours=i),
            "last_activity_at": now - timedelta(minutes=rnd.randint(0, 500_000)),
            "waiting_for_staff": rnd.random() < 0.5} for i in range(1, TICKETS + 1)])
        await connection.execute(insert(TicketMessage), [{
            "ticket_id": rnd.randint(1, TICKETS), "direction": rnd.choice(["in", "out", "note"]),
            "author": "", "text": f"message {j}", "created_at": now} for j in range(MESSAGES)])
    await engine.dispose()


async def main(url: str) -> None:
    await seed(url)
    database = open_database(url)
    try:
        for name, query in QUERIES:
            times = []
            for _ in range(ROUNDS):
                async with UnitOfWork(database) as uow:
                    started = time.perf_counter()
                    _rows, total = await uow.repo(InboxRepo).page(query, offset=0, limit=25)
                    times.append((time.perf_counter() - started) * 1000)
            print(f"{name:20s} {total:6d} tickets  {sorted(times)[ROUNDS // 2]:6.1f} ms")
    finally:
        await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main(normalise_database_url(
            arguments.database_url or f"sqlite+aiosqlite:///{folder}/inbox.db")))
