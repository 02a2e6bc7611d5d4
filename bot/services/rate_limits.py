"""Flood limits for proactive sending: overall per second, per private chat, per group."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class SlidingWindow:
    """At most `limit` events in any `period` seconds."""

    def __init__(self, limit: float, period: float) -> None:
        self.limit = max(1, int(limit))
        self.period = period
        self.events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event is allowed."""
        while self.events and now - self.events[0] >= self.period:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.period - (now - self.events[0]) + 0.002

    def record(self, now: float) -> None:
        """Count one event."""
        self.events.append(now)


# Telegram counts messages as they arrive, we as they leave: jitter on the way can put one more
# into one of its seconds than we sent in any of ours. Our second is this much longer.
OVERALL_PERIOD = 1.05
# Replies to people share Telegram's overall limit with the outbox but do not wait for it here:
# the outbox keeps this share of the free rate unused, so a question asked during a big
# announcement is answered at once instead of queueing behind it.
REPLY_SHARE = 0.2
# Outbox kinds sent as paid broadcasts when TELEGRAM_PAID_BROADCAST is on: they have their own
# budget (TELEGRAM_PAID_RATE) beside the free one.
PAID_KINDS = frozenset({"announcement"})


def outbox_rate(free_rate: float) -> float:
    """What the outbox may use of the free overall rate (0: no limit)."""
    return free_rate * (1 - REPLY_SHARE)


class FloodLimits:
    """Telegram's limits: overall messages/s, 1/s per private chat, 20/min per group."""

    def __init__(self, overall_per_second: float, *, paid_per_second: float = 0,
                 per_chat_seconds: float = 1.0, group_per_minute: int = 20) -> None:
        self.overall = (SlidingWindow(overall_per_second, OVERALL_PERIOD) if overall_per_second
                        else None)
        self.paid = SlidingWindow(paid_per_second, OVERALL_PERIOD) if paid_per_second else None
        self.per_chat_seconds = per_chat_seconds
        self.group_per_minute = group_per_minute
        self._last: dict[str, float] = {}
        self._groups: dict[str, SlidingWindow] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Obey a 429: nothing is sent for `seconds`."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def chat_wait(self, chat_id: str) -> float:
        """Seconds before this chat may get another message (without reserving)."""
        now = time.monotonic()
        if chat_id.startswith("-"):
            window = self._groups.setdefault(chat_id, SlidingWindow(self.group_per_minute, 60.0))
            return window.wait_time(now)
        return max(0.0, self._last.get(chat_id, -1e9) + self.per_chat_seconds - now)

    async def acquire(self, chat_id: str, *, paid: bool = False) -> None:
        """Wait until a message to `chat_id` is within every limit, then count it (against the
        paid budget when `paid` and there is one)."""
        overall = self.paid if paid and self.paid is not None else self.overall
        async with self._lock:
            while True:
                now = time.monotonic()
                waits = [self._paused_until - now, self.chat_wait(chat_id)]
                if overall is not None:
                    waits.append(overall.wait_time(now))
                wait = max(waits)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            now = time.monotonic()
            if overall is not None:
                overall.record(now)
            if chat_id.startswith("-"):
                self._groups[chat_id].record(now)
            else:
                self._last[chat_id] = now
