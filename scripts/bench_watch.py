"""Watching the event loop while a benchmark's work runs: the longest stall (wall clock and the
loop thread's CPU in it), the longest wait of a message-sized unit of work, and where the loop
stood when it stood still."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.app import HubApp
from storage.models import Person
from storage.uow import UnitOfWork


class StallStacks:
    """Where the event loop stands still: a thread samples the loop thread's stack whenever the
    ticker has not run for `threshold` seconds (`--stall-stacks`)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.beat = time.perf_counter()
        self.samples: dict[str, int] = {}
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            if time.perf_counter() - self.beat < self.threshold:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            if stack and stack[-1].name in ("select", "_read_from_self"):
                continue  # waiting for a core, or for the database thread to let go
            lines = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack][-8:]
            key = " <- ".join(reversed(lines))
            self.samples[key] = self.samples.get(key, 0) + 1

    def report(self) -> None:
        """Print the most sampled stacks since the last report, and start sampling afresh."""
        self._stop.set()
        for key, count in sorted(self.samples.items(), key=lambda kv: -kv[1])[:8]:
            print(f"    {count * 5:>5} ms  {key}")
        self.samples.clear()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()


class Watch:
    """While work runs: the longest event-loop stall and the longest wait of a small unit of work."""

    def __init__(self, hub: HubApp, stalls: StallStacks | None = None) -> None:
        self.hub = hub
        self.stalls = stalls
        self.stall = 0.0
        self.cpu_stall = 0.0
        self.wait = 0.0
        self._running = True

    async def _ticker(self) -> None:
        loop = asyncio.get_running_loop()
        last, last_cpu = loop.time(), time.thread_time()
        while self._running:
            await asyncio.sleep(0.005)
            now, cpu = loop.time(), time.thread_time()
            if self.stalls is not None:
                self.stalls.beat = time.perf_counter()
            gap = now - last - 0.005
            self.stall = max(self.stall, gap)
            # The same gap counting only the CPU the loop's thread used in it: the work that held
            # the loop. On a busy machine the process also waits for a core (and the loop for
            # the database thread's turn), which the wall-clock column includes.
            self.cpu_stall = max(self.cpu_stall, min(gap, cpu - last_cpu))
            last, last_cpu = now, cpu

    async def _prober(self) -> None:
        loop = asyncio.get_running_loop()
        while self._running:
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            async with UnitOfWork(self.hub.database) as uow:  # what a message does first
                await uow.session.exec(select(Person.id).limit(1))
            self.wait = max(self.wait, loop.time() - due)  # stalls and lock waits alike

    async def measure(self, work: Awaitable[Any]) -> tuple[float, Any]:
        """Run `work` under watch; its duration and result."""
        tasks = [asyncio.create_task(self._ticker()), asyncio.create_task(self._prober())]
        await asyncio.sleep(0.02)
        self.stall = self.cpu_stall = self.wait = 0.0
        started = time.perf_counter()
        try:
            result = await work
        finally:
            elapsed = time.perf_counter() - started
            self._running = False
            await asyncio.gather(*tasks)
        return elapsed, result
