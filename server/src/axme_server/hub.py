"""In-process fan-out of committed events to open streams (never polled).

A Subscription is a buffer plus one pending future; `publish` appends and
wakes it. Waiting uses a loop timer instead of wait_for() so an idle stream
costs no task."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any


class Subscription:
    __slots__ = ("_waiter", "closed", "items")

    def __init__(self) -> None:
        self.items: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False

    def push(self, item: Any) -> None:
        self.items.append(item)
        self.wake()

    def wake(self) -> None:
        w = self._waiter
        if w is not None and not w.done():
            w.set_result(None)

    def close(self) -> None:
        self.closed = True
        self.wake()

    async def wait(self, timeout: float) -> None:
        """Returns when an item is buffered, the subscription closes, or `timeout` passes."""
        if self.items or self.closed:
            return
        loop = asyncio.get_running_loop()
        w = self._waiter = loop.create_future()
        handle = loop.call_later(max(timeout, 0.0), _finish, w)
        try:
            await w
        finally:
            handle.cancel()
            self._waiter = None


def _finish(w: asyncio.Future[None]) -> None:
    if not w.done():
        w.set_result(None)


class Hub:
    def __init__(self) -> None:
        self._intents: dict[str, set[Subscription]] = {}
        # subscribed intent -> last seq published to it (a shared store's gap check: cluster.py)
        self.seen: dict[str, int] = {}
        self.open_streams = 0

    def subscribe(self, intent_id: str) -> Subscription:
        sub = Subscription()
        self._intents.setdefault(intent_id, set()).add(sub)
        self.seen.setdefault(intent_id, 0)
        return sub

    def unsubscribe(self, intent_id: str, sub: Subscription) -> None:
        subs = self._intents.get(intent_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._intents[intent_id]
                self.seen.pop(intent_id, None)

    def publish(self, intent_id: str, events: list[dict[str, Any]]) -> None:
        subs = self._intents.get(intent_id)
        if not subs:
            return
        for sub in subs:
            sub.items.extend(events)
            sub.wake()
