"""Benchmark following FAQ content changes: what one process pays to notice and load a change.

Usage: python scripts/bench_faq_reload.py [--topics 1000] [--database-url URL]

Stores real or synthetic content (`scripts/bench_faq.py`'s generator) in a database (a fresh
SQLite file by default; a PostgreSQL URL works too — its FAQ tables are replaced), then prints:
the version check (p50/p99 of 200), reading the whole content, building the matcher's index
(in a worker thread, as `ContentWatch` does), and the longest the event loop stalled meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_faq import synthetic_content

from bot.faq.content import load_faq
from bot.faq.document import from_content_dir, normal_topic
from bot.services import faq_store
from bot.settings import DEFAULT_CONTENT_DIR, load_settings
from storage.engine import open_database
from storage.migrate import upgrade
from storage.repos.faq_content import FaqContentRepo
from storage.uow import UnitOfWork


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def main(topics: int, url: str | None) -> None:
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    settings = load_settings(_env_file=None, database_url=url)
    database = open_database(settings.database_url)
    await upgrade(database.engine)
    document = from_content_dir(DEFAULT_CONTENT_DIR)
    if topics != len(document["topics"]):
        content = synthetic_content(load_faq(DEFAULT_CONTENT_DIR / "faq.yaml"), topics, 20,
                                    random.Random(7))
        document["topics"] = [normal_topic({
            "id": t.id, "category": t.category, "title": t.title, "short": t.short,
            "questions": {k: list(v) for k, v in t.questions.items()}, "answer": t.answer})
            for t in content.topics]
    started = time.perf_counter()
    async with UnitOfWork(database) as uow:
        repo = uow.repo(FaqContentRepo)
        await repo.ensure_state()
        await repo.replace_all(document)
        await repo.bump(1)
        await uow.commit()
    store = time.perf_counter() - started
    phrasings = sum(len(q) for t in document["topics"] for q in t["questions"].values())
    print(f"{len(document['topics'])} topics, {phrasings} phrasings "
          f"({database.engine.dialect.name}); storing them all: {store * 1000:.0f} ms")

    checks = []
    for _ in range(200):
        t0 = time.perf_counter()
        await faq_store.current_version(database)
        checks.append(time.perf_counter() - t0)
    print(f"version check: p50 {statistics.median(checks) * 1000:.2f} ms, "
          f"p99 {percentile(checks, 0.99) * 1000:.2f} ms")

    t0 = time.perf_counter()
    version, loaded = await faq_store.load(database)
    read = time.perf_counter() - t0
    stalls: list[float] = []

    async def ticker() -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            stalls.append(time.perf_counter() - t - 0.005)

    tick = asyncio.create_task(ticker())
    t0 = time.perf_counter()
    await asyncio.to_thread(faq_store.build_index, version, loaded, settings.faq_threshold)
    build = time.perf_counter() - t0
    tick.cancel()
    print(f"reading the content: {read * 1000:.0f} ms; building the index off the loop: "
          f"{build * 1000:.0f} ms; longest loop stall meanwhile: {max(stalls) * 1000:.1f} ms")
    print(f"a change is answered after at most {faq_store.CHECK_EVERY:.0f} s + "
          f"{(read + build):.2f} s")
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.topics, args.database_url))
