"""The outbound dispatcher: sends outbox rows when due, at most `concurrency` at once.

On a store only this process writes (SQLite), rows come from the store at start
(everything still `pending`: at-least-once after a crash, REQ-PUSH-008) and from
`enqueue` after the commit that wrote them, into an in-memory heap. On a shared store
(PostgreSQL, several replicas) a row is sent only by the process that claimed it
(store/pg_outbox.py): `enqueue`, the other processes' notifications and a periodic
claim (every `pg_outbox.poll_seconds`) only say when to claim; rows a dead replica had
claimed are sent by another once the claim expires, with the same id (REQ-PUSH-010).
A channel builds each request (or cancels a row whose cause moved on) and settles each
attempt (a push failure is an intent transition; a notification retries with backoff).
Due times are on the engine's clock, so a test clock's advance moves retries too."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from axme_server.clock import Clock
from axme_server.jsonutil import loads
from axme_server.outbound.outbox import CANCELED, FAILED, PENDING, SENT, ops, settled
from axme_server.outbound.sender import Attempt, Sender
from axme_server.store.base import SharedStore, Store, shared_store
from axme_server.store.pg_outbox import poll_seconds

log = logging.getLogger("axme_server.outbound")

MAX_BACKOFF_SECONDS = 60.0
IDLE_POLL_SECONDS = 1.0  # how soon a test clock's advance is noticed without a wake()


def backoff(attempt: int) -> float:
    """min(2^(attempt−1), 60) seconds after the attempt-th failure (REQ-PUSH-006)."""
    return min(2.0 ** (attempt - 1), MAX_BACKOFF_SECONDS)


@dataclass
class OutboundSettings:
    timeout_seconds: float = 10.0  # REQ-PUSH-006: the most a push may take
    concurrency: int = 64  # REQ-PUSH-009
    max_response_bytes: int = 65536


@dataclass
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


class Channel(Protocol):
    name: str

    def prepare(self, row: dict[str, Any]) -> Request | None:
        """The request for `row` now, or None when it must not be sent any more."""

    async def settle(self, row: dict[str, Any], attempt: Attempt) -> None:
        """Record the outcome (the row and the attempt; whatever it causes) in one commit."""


class Dispatcher:
    def __init__(self, store: Store, clock: Clock, settings: OutboundSettings) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.channels: dict[str, Channel] = {}
        self.sender: Sender | None = None
        self._heap: list[tuple[float, int, str]] = []
        self._rows: dict[str, dict[str, Any]] = {}  # pending rows not yet taken
        self._inflight: set[str] = set()
        self._counter = itertools.count()
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._task: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self.metrics = {"attempts": 0, "sent": 0, "failed_attempts": 0, "canceled": 0}
        self._shared = shared_store(store)  # rows are claimed (see the docstring)
        self.shared = self._shared is not None
        self._claim_now = True  # shared: claim at the next turn of the loop

    def register(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    # -- queue -------------------------------------------------------------
    def enqueue(self, row: dict[str, Any]) -> None:
        """`row` is committed and pending: send it when due."""
        outbox_id = row["outbox_id"]
        if outbox_id in self._inflight:
            return
        self._rows[outbox_id] = row
        heapq.heappush(self._heap, (row["due"], next(self._counter), outbox_id))
        self._wakeup.set()

    def wake(self) -> None:
        self._wakeup.set()

    def on_notice(self, raw: str | None) -> None:
        """Another process wrote pending rows (pg_outbox.notify_pending), or the listener reconnected."""
        try:
            msg = loads(raw) if raw is not None else None
            if msg is not None and self._shared is not None and msg["r"] == self._shared.process:
                return  # (this process enqueued its own rows)
            if msg is None or msg["d"] <= self.clock.now():
                self._claim_now = True
            else:  # claim when due (ceil'd to the second: the claim takes what is due by then)
                heapq.heappush(self._heap, (float(msg["d"]), next(self._counter), ""))
            self._wakeup.set()
        except Exception:  # a bad notification must not stop the listener's deliveries
            log.exception("could not act on an outbox notification: %.200s", raw)

    @property
    def pending(self) -> int:
        return len(self._rows) + len(self._inflight)

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        self.sender = Sender(
            self.settings.timeout_seconds, self.settings.max_response_bytes, self.settings.concurrency
        )
        if (
            self._shared is not None
        ):  # the other processes' new rows wake this one (store.listen, cluster.start)
            self._shared.outbox_listener = self.on_notice
        else:
            for row in self.store.list_outbox(PENDING):
                self.enqueue(row)
        loop = self._claim_loop(self._shared) if self._shared is not None else self._loop()
        self._task = asyncio.get_running_loop().create_task(loop, name="axme-outbound")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            for task in list(self._sends):
                task.cancel()
            await asyncio.gather(self._task, *self._sends, return_exceptions=True)
            self._task = None
        if self.sender is not None:
            await self.sender.close()
            self.sender = None

    async def settle_with_retries(self, row: dict[str, Any], attempt: Attempt) -> None:
        """The usual settle for a channel whose failures change nothing else (notifications):
        sent; or pending again after the backoff while `max_attempts` allows; else failed."""
        number = row["attempts"] + 1
        if attempt.ok:
            new = settled(row, attempt.record(row["outbox_id"], number), SENT)
        elif number < row["max_attempts"]:
            new = settled(
                row, attempt.record(row["outbox_id"], number), PENDING, due=self.clock.now() + backoff(number)
            )
        else:
            new = settled(row, attempt.record(row["outbox_id"], number), FAILED)
        await self.store.write(ops(new, attempt.record(row["outbox_id"], number)))
        if new["status"] == PENDING:
            self._inflight.discard(row["outbox_id"])
            self.enqueue(new)

    # -- sending -----------------------------------------------------------
    async def _loop(self) -> None:
        while True:
            self._wakeup.clear()
            now = self.clock.now()
            while self._heap and self._heap[0][0] <= now:
                await self._slots.acquire()  # at most `concurrency` attempts in flight
                _, _, outbox_id = heapq.heappop(self._heap)
                row = self._rows.pop(outbox_id, None)
                if row is None:  # enqueued twice: the other entry took it
                    self._slots.release()
                    continue
                self._start_send(row)
            delay = self._heap[0][0] - now if self._heap else IDLE_POLL_SECONDS
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=max(0.0, min(delay, IDLE_POLL_SECONDS)))
            except TimeoutError:
                pass

    async def _claim_loop(self, store: SharedStore) -> None:
        """Shared store: claim due rows when woken, when a row this process knows of falls due, and
        at least every poll_seconds (rows whose claimer died); send what was claimed."""
        poll = poll_seconds(store.outbox_claim_seconds)
        next_poll = 0.0
        while True:
            self._wakeup.clear()
            now = self.clock.now()
            while self._heap and self._heap[0][0] <= now:  # a known row fell due: claim
                _, _, outbox_id = heapq.heappop(self._heap)
                self._rows.pop(outbox_id, None)
                self._claim_now = True
            if self._claim_now or time.monotonic() >= next_poll:
                self._claim_now = False
                next_poll = time.monotonic() + poll
                await self._claim(store, now)
            wait = min(IDLE_POLL_SECONDS, max(0.0, next_poll - time.monotonic()))
            if self._heap:
                wait = min(wait, max(0.0, self._heap[0][0] - now))
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def _claim(self, store: SharedStore, now: float) -> None:
        free = self.settings.concurrency - len(self._inflight)
        if free <= 0:
            self._claim_now = True  # a slot frees up: claim again then (_send wakes the loop)
            return
        try:
            rows = await store.claim_outbox(now, free, sorted(self._inflight))
        except Exception:  # the database is away: the next poll tries again
            log.exception("could not claim outbox rows")
            return
        for row in rows:
            if row["outbox_id"] in self._inflight:
                continue
            await self._slots.acquire()  # (free: never waits)
            self._start_send(row)
        if len(rows) == free:
            self._claim_now = True  # maybe more are due

    def _start_send(self, row: dict[str, Any]) -> None:
        self._inflight.add(row["outbox_id"])
        task = asyncio.get_running_loop().create_task(self._send(row))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, row: dict[str, Any]) -> None:
        try:
            channel = self.channels[row["channel"]]
            request = channel.prepare(row)
            if request is None:
                self.metrics["canceled"] += 1
                await self.store.write(ops(dict(row, status=CANCELED)))
                return
            assert self.sender is not None
            deliver = getattr(channel, "deliver", None)  # a channel that sends its own way (email, signing)
            attempt = await (
                deliver(row, request)
                if deliver is not None
                else self.sender.post(request.url, request.body, request.headers)
            )
            self.metrics["attempts"] += 1
            self.metrics["sent" if attempt.ok else "failed_attempts"] += 1
            await channel.settle(row, attempt)
        except asyncio.CancelledError:
            raise
        except Exception:  # the row stays pending in the store: sent again at the next start
            # (on a shared store: claimed again once this claim expires)
            log.exception("outbound %s %s could not be sent or settled", row["channel"], row["outbox_id"])
        finally:
            self._inflight.discard(row["outbox_id"])
            self._slots.release()
            if self.shared and self._claim_now:
                self._wakeup.set()


def outbound_lines(d: Dispatcher) -> list[str]:
    """/metrics lines of the dispatcher (server-wide counts, no workspace data)."""
    m = d.metrics
    return [
        "# HELP axme_outbound_attempts_total Outbound HTTP attempts (pushes) by outcome.",
        "# TYPE axme_outbound_attempts_total counter",
        f'axme_outbound_attempts_total{{outcome="delivered"}} {m["sent"]}',
        f'axme_outbound_attempts_total{{outcome="failed"}} {m["failed_attempts"]}',
        "# HELP axme_outbound_canceled_total Outbound rows dropped unsent (their cause moved on).",
        "# TYPE axme_outbound_canceled_total counter",
        f"axme_outbound_canceled_total {m['canceled']}",
        "# HELP axme_outbound_pending Outbound rows waiting or in flight.",
        "# TYPE axme_outbound_pending gauge",
        f"axme_outbound_pending {d.pending}",
    ]
