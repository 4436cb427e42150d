"""Timers: stored in each intent's row (`_timers`: kind -> due epoch seconds) and
held here in one heap rebuilt at start. One scheduler task pops due entries and
asks the engine to fire them; stale entries (timer moved or cleared since) are
skipped by comparing against the intent's current `_timers`."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("axme_server.timers")


class TimerIndex:
    def __init__(self, clock: Any, fire: Callable[[str, str, float], Awaitable[None]]) -> None:
        self.clock = clock
        self._fire = fire
        self._heap: list[tuple[float, int, str, str]] = []
        self._counter = itertools.count()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._run_lock = asyncio.Lock()
        self.fired = 0

    def schedule(self, intent_id: str, timers: dict[str, float]) -> None:
        earliest = self._heap[0][0] if self._heap else None
        for kind, due in timers.items():
            heapq.heappush(self._heap, (due, next(self._counter), intent_id, kind))
            if earliest is None or due < earliest:
                earliest = due
                self._wakeup.set()

    def __len__(self) -> int:
        return len(self._heap)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="axme-scheduler")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def run_due(self) -> int:
        """Fire every timer due by now (including ones that firing makes due); returns the count."""
        count = 0
        async with self._run_lock:
            while self._heap and self._heap[0][0] <= self.clock.now():
                # fire everything due now concurrently (their writes share group commits)
                # (at most one timer per intent per batch, so each intent's timers fire in due order)
                batch = []
                seen: set[str] = set()
                now = self.clock.now()
                while self._heap and self._heap[0][0] <= now and len(batch) < 256:
                    if self._heap[0][2] in seen:
                        break
                    due, _, intent_id, kind = heapq.heappop(self._heap)
                    seen.add(intent_id)
                    batch.append(self._safe_fire(intent_id, kind, due))
                await asyncio.gather(*batch)
                count += len(batch)
        self.fired += count
        return count

    async def _safe_fire(self, intent_id: str, kind: str, due: float) -> None:
        try:
            await self._fire(intent_id, kind, due)
        except Exception:  # a broken timer must not stop the scheduler
            log.exception("timer %s for %s failed", kind, intent_id)

    async def _loop(self) -> None:
        while True:
            self._wakeup.clear()
            if self._heap:
                delay = self._heap[0][0] - self.clock.now()
                if delay <= 0:
                    await self.run_due()
                    continue
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout=min(delay, 60.0))
                except TimeoutError:
                    pass
            else:
                await self._wakeup.wait()
