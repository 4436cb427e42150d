"""Timers: stored in each intent's row (`_timers`: kind -> due epoch seconds,
`_next_timer`: the earliest, indexed by the store) and held here in one heap.

The heap holds only live timers: `_live` maps (intent, kind) to the one entry
that counts; moving or clearing a timer makes its old entry stale, and stale
entries are dropped when they reach the top or, all at once, when they
outnumber the live ones (so the heap never exceeds 2x live + COMPACT_MIN).

Start-up does not read every intent: the heap is filled from the store with the
intents whose earliest timer falls before a horizon (now + `window`), and
topped up as the horizon moves. An intent this process writes gets all its
timers scheduled, so once an intent is in the heap its later timers are too."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from axme_server.cluster import StaleWrite

log = logging.getLogger("axme_server.timers")

COMPACT_MIN = 64  # below this many stale entries, compaction is not worth a pass
# (after, until) -> (intent_id, timers) of stored intents whose earliest timer is in (after, until]
Loader = Callable[[float | None, float], Iterable[tuple[str, dict[str, float]]]]


class TimerIndex:
    def __init__(
        self,
        clock: Any,
        fire: Callable[[str, str, float], Awaitable[None]],
        load: Loader | None = None,
        window: float = 600.0,
    ) -> None:
        self.clock = clock
        self._fire = fire
        self._load = load
        self.window = window
        self._horizon = float("-inf")  # every stored timer due by this is in the heap
        self._heap: list[tuple[float, int, str, str]] = []
        self._live: dict[tuple[str, str], tuple[float, int]] = {}
        self._counter = itertools.count()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._run_lock = asyncio.Lock()
        self.fired = 0

    # -- scheduling ------------------------------------------------------
    def schedule(self, intent_id: str, timers: dict[str, float], removed: Iterable[str] = ()) -> None:
        """`timers` are due (re-)set, `removed` kinds no longer exist for this intent."""
        live = self._live
        for kind in removed:
            live.pop((intent_id, kind), None)
        earliest = self._heap[0][0] if self._heap else None
        for kind, due in timers.items():
            key = (intent_id, kind)
            current = live.get(key)
            if current is not None and current[0] == due:
                continue  # already scheduled
            n = next(self._counter)
            live[key] = (due, n)
            heapq.heappush(self._heap, (due, n, intent_id, kind))
            if earliest is None or due < earliest:
                earliest = due
                self._wakeup.set()
        if len(self._heap) - len(live) > max(len(live), COMPACT_MIN):
            self._compact()

    def _is_live(self, entry: tuple[float, int, str, str]) -> bool:
        current = self._live.get((entry[2], entry[3]))
        return current is not None and current[1] == entry[1]

    def _compact(self) -> None:
        self._heap = [e for e in self._heap if self._is_live(e)]
        heapq.heapify(self._heap)

    def _drop_stale_top(self) -> None:
        heap = self._heap
        while heap and not self._is_live(heap[0]):
            heapq.heappop(heap)

    def _fill(self) -> None:
        """Move the horizon forward once half the window has passed; load what it uncovers."""
        if self._load is None:
            return
        now = self.clock.now()
        if now < self._horizon - self.window / 2:
            return
        start = None if self._horizon == float("-inf") else self._horizon
        self._horizon = now + self.window
        for intent_id, timers in self._load(start, self._horizon):
            self.schedule(intent_id, timers)

    # -- introspection ---------------------------------------------------
    def __len__(self) -> int:
        """Heap entries (live plus not yet dropped stale ones)."""
        return len(self._heap)

    @property
    def live(self) -> int:
        return len(self._live)

    def due(self, intent_id: str, kind: str) -> float | None:
        current = self._live.get((intent_id, kind))
        return None if current is None else current[0]

    # -- running ---------------------------------------------------------
    def start(self) -> None:
        self._fill()
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
            self._fill()
            self._drop_stale_top()
            while self._heap and self._heap[0][0] <= self.clock.now():
                # fire everything due now concurrently (their writes share group commits)
                # (at most one timer per intent per batch, so each intent's timers fire in due order)
                batch: list[Awaitable[None]] = []
                seen: set[str] = set()
                now = self.clock.now()
                while self._heap and self._heap[0][0] <= now and len(batch) < 256:
                    entry = self._heap[0]
                    if not self._is_live(entry):
                        heapq.heappop(self._heap)
                        continue
                    if entry[2] in seen:
                        break
                    due, _, intent_id, kind = heapq.heappop(self._heap)
                    del self._live[(intent_id, kind)]
                    seen.add(intent_id)
                    batch.append(self._safe_fire(intent_id, kind, due))
                await asyncio.gather(*batch)
                count += len(batch)
                self._drop_stale_top()
        self.fired += count
        return count

    async def _safe_fire(self, intent_id: str, kind: str, due: float) -> None:
        try:
            try:
                await self._fire(intent_id, kind, due)
            except StaleWrite:  # another server process wrote the intent meanwhile: again, on fresh state
                await self._fire(intent_id, kind, due)
        except Exception:  # a broken timer must not stop the scheduler
            log.exception("timer %s for %s failed", kind, intent_id)

    async def _loop(self) -> None:
        while True:
            self._wakeup.clear()
            self._fill()
            self._drop_stale_top()
            wake = self._horizon - self.window / 2 if self._load is not None else None
            if self._heap:
                wake = self._heap[0][0] if wake is None else min(wake, self._heap[0][0])
            if wake is None:
                await self._wakeup.wait()
                continue
            delay = wake - self.clock.now()
            if delay <= 0:
                await self.run_due()
                continue
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=min(delay, 60.0))
            except TimeoutError:
                pass
