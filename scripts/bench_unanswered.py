"""How long grouping the unanswered inbox takes: N distinct-ish questions (three random words
from forty, so many near misses), grouped and given suggested topics with the real matcher.

    PYTHONPATH=. python scripts/bench_unanswered.py [N …]
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import timedelta

from bot.app import create_app
from bot.services.unanswered import group_questions
from bot.settings import Settings
from storage.models import utcnow
from storage.repos.unanswered import MissedQuestion

TEXT = ("parking bicycle rent swimming pool weather taxi passport visa loan money car cafe "
        "wifi printer coffee lunch music concert football ticket hotel train bus airport "
        "doctor pharmacy school university job salary tax bank card phone sim")
WORDS = TEXT.split()


async def main(sizes: list[int]) -> None:
    """Print the time each size takes."""
    folder = tempfile.mkdtemp()
    hub = await create_app(Settings(database_url=f"sqlite+aiosqlite:///{folder}/bench.db"))
    rnd = random.Random(1)
    rows = [MissedQuestion(id=i, language="en", answer_id=None, disliked=False, ticket_at=None,
                           query=f"is there {' '.join(rnd.sample(WORDS, 3))} near "
                                 f"{rnd.choice(WORDS)}?",
                           created_at=utcnow() - timedelta(minutes=i))
            for i in range(max(sizes), 0, -1)]
    try:
        for size in sizes:
            start = time.perf_counter()
            groups = group_questions(rows[:size], hub.services.faq.matcher)
            print(f"{size} questions -> {len(groups)} groups in "
                  f"{time.perf_counter() - start:.3f} s")
    finally:
        await hub.close()


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [200, 1000, 2000]))
