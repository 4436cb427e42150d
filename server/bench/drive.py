"""The closed loop every bench client kind runs (raw, SDK, plain httpx/aiohttp): from
`start_at` (wall clock, so all client processes start together), `concurrency` cycles in
flight until `duration` seconds or `max_cycles` cycles have passed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")

#: (cycles, latency per cycle, elapsed s, client CPU s, wall-clock finish time per cycle)
LoopResult = tuple[int, list[float], float, float, list[float]]


async def drive(
    cycle: Callable[[], Awaitable[float]], concurrency: int, duration: float, max_cycles: int, start_at: float
) -> LoopResult:
    await asyncio.sleep(max(0.0, start_at - time.time()))
    latencies: list[float] = []
    finished: list[float] = []  # the sustained mode buckets these per minute
    t_start = time.perf_counter()
    deadline = t_start + duration
    done = 0

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline and done < max_cycles:
            done += 1
            latencies.append(await cycle())
            finished.append(time.time())

    cpu0 = time.process_time()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return done, latencies, time.perf_counter() - t_start, time.process_time() - cpu0, finished


def in_process(main: Coroutine[Any, Any, T]) -> T:
    """Run a client process's coroutine on uvloop (the clients share the cores with the server)."""
    uvloop.install()
    return asyncio.run(main)
