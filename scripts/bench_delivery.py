"""Benchmark: the outbox delivery job's throughput with limits off vs a plain PTB send loop.

The stand-in Bot API runs in its own process and times from the first to the last of N
sendMessage calls (N distinct chats). Measured: (a) a plain `for chat: await bot.send_message`
loop on python-telegram-bot, (b) the hub's outbox worker draining N queued rows (SQLite file, or
--database-url) with the flood limits off — every row claimed, sent and recorded in the database.

Usage: python scripts/bench_delivery.py [--messages 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr
from telegram import Bot

from bot.app import create_app
from bot.assembly import open_telegram
from bot.services.outbox import OutboxWorker
from bot.services.rate_limits import FloodLimits
from bot.settings import load_settings
from storage.repos.outbox import OutboxRepo
from storage.uow import UnitOfWork
from tests.fakes.telegram_api import FakeTelegramAPI

TOKEN = "123456:BENCH-TOKEN"
TEXT = "Regional civil-society forum in Kutaisi on Friday"


async def serve(count: int) -> None:
    """The stand-in server: report the port, then the seconds from first to last send."""
    async with FakeTelegramAPI(TOKEN) as api:
        print(api.base_url, flush=True)
        while len([c for c in api.calls if c.method == "sendMessage"]) < count:
            await asyncio.sleep(0.02)
        sends = [c.at for c in api.calls if c.method == "sendMessage"]
        print(f"{max(sends) - min(sends):.3f}", flush=True)
        await asyncio.sleep(0.3)


async def plain_loop(base_url: str, count: int) -> None:
    """What a hand-written broadcast does: send, one after another."""
    async with Bot(TOKEN, base_url=base_url) as bot:
        for i in range(count):
            await bot.send_message(60_000 + i, TEXT)


async def outbox(base_url: str, count: int, database_url: str) -> None:
    """Queue `count` rows, then let the worker drain them with limits off."""
    settings = load_settings(_env_file=None, database_url=database_url,
                             telegram_bot_token=SecretStr(TOKEN), telegram_api_base_url=base_url,
                             telegram_rate_limit=0)
    hub = await create_app(settings)
    channel = open_telegram(hub)
    await channel.start(poll=False)
    try:
        async with UnitOfWork(hub.database) as uow:
            await uow.repo(OutboxRepo).enqueue([
                {"dedupe_key": f"bench:{i}", "kind": "announcement", "channel": "telegram",
                 "chat_id": str(60_000 + i), "payload": {"replies": [{"text": TEXT}]}}
                for i in range(count)])
            await uow.commit()
        worker = OutboxWorker(hub.database, hub.core.senders, FloodLimits(0))
        while await worker.drain_once():
            pass
    finally:
        await channel.stop()
        await hub.close()


async def measure(kind: str, count: int, database_url: str) -> float:
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--messages", str(count),
        stdout=asyncio.subprocess.PIPE)
    assert server.stdout is not None
    base_url = (await server.stdout.readline()).decode().strip()
    if kind == "plain":
        await plain_loop(base_url, count)
    else:
        await outbox(base_url, count, database_url)
    seconds = float((await server.stdout.readline()).decode())
    await server.wait()
    return seconds


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.serve:
        await serve(args.messages)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        print(f"{args.messages} messages to distinct chats; outbox database: {url.split('://')[0]}")
        plain = await measure("plain", args.messages, url)
        print(f"  plain PTB send loop: {plain:6.2f} s ({args.messages / plain:7.1f} msg/s)")
        worker = await measure("outbox", args.messages, url)
        print(f"  outbox worker:       {worker:6.2f} s ({args.messages / worker:7.1f} msg/s)")
    print(f"outbox / plain loop throughput = {plain / worker:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
