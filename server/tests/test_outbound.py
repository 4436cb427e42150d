"""The outbound dispatcher on its own, as notifications will use it: a real SQLite store,
a real loopback receiver, the controllable clock. Bounded concurrency, capped backoff
retries with every attempt recorded, and pending rows sent again after a restart."""

from __future__ import annotations

import asyncio
import queue
import time
from typing import Any

import pytest
from push_receiver import Receiver

from axme_server.clock import TestingClock
from axme_server.outbound import Dispatcher, OutboundSettings, new_row
from axme_server.outbound.dispatcher import Request, backoff
from axme_server.outbound.outbox import ops
from axme_server.outbound.sender import Attempt
from axme_server.store import SqliteStore


class NotifyChannel:
    """A stand-in notification channel: POST the row's body with its stable id; retry on failure."""

    name = "notify"

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    def prepare(self, row: dict[str, Any]) -> Request | None:
        return Request(row["url"], row["body"].encode(), {"x-axme-notification-id": row["outbox_id"]})

    async def settle(self, row: dict[str, Any], attempt: Attempt) -> None:
        await self.dispatcher.settle_with_retries(row, attempt)


def dispatcher_on(path: str, clock: TestingClock, **settings: Any) -> tuple[SqliteStore, Dispatcher]:
    store = SqliteStore(path)
    store.open()
    d = Dispatcher(store, clock, OutboundSettings(**settings))
    d.register(NotifyChannel(d))
    return store, d


async def until(check: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_backoff_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3, 6, 7, 8, 50)] == [1, 2, 4, 32, 60, 60, 60]


def test_concurrency_is_bounded(tmp_path, receiver: Receiver) -> None:
    async def main() -> None:
        store, d = dispatcher_on(str(tmp_path / "c.db"), TestingClock(), concurrency=2, timeout_seconds=10)
        d.start()
        now = d.clock.now()
        rows = [new_row(f"n{i}", "notify", receiver.url + "/hang", b"{}", now) for i in range(5)]
        await store.write([op for row in rows for op in ops(row)])
        for row in rows:
            d.enqueue(row)
        got = [await asyncio.to_thread(receiver.next) for _ in range(2)]
        with pytest.raises(queue.Empty):
            await asyncio.to_thread(receiver.next, 0.5)  # two in flight, the other three wait
        assert d.pending == 5
        receiver.release.set()
        got += [await asyncio.to_thread(receiver.next) for _ in range(3)]
        assert sorted(r.headers["x-axme-notification-id"] for r in got) == [f"n{i}" for i in range(5)]
        await until(lambda: not store.list_outbox("pending"))
        assert len(store.list_outbox("sent")) == 5
        await d.stop()
        store.close()

    asyncio.run(main())


def test_failures_retry_with_backoff_then_fail(tmp_path, receiver: Receiver) -> None:
    async def main() -> None:
        clock = TestingClock()
        store, d = dispatcher_on(str(tmp_path / "r.db"), clock, timeout_seconds=2)
        d.start()
        row = new_row("n-fail", "notify", receiver.url + "/fail", b'{"hello":1}', clock.now(), max_attempts=3)
        await store.write(ops(row))
        d.enqueue(row)
        for delay in (1, 2):  # the next attempt after min(2^(n-1), 60) s of the test clock
            assert (await asyncio.to_thread(receiver.next)).body == b'{"hello":1}'
            await until(lambda: store.list_outbox_attempts("n-fail") and d.pending == 1 and not d._inflight)
            [waiting] = store.list_outbox("pending")
            assert 0 < waiting["due"] - clock.now() <= delay  # not before the backoff
            clock.advance(delay)
            d.wake()
        await asyncio.to_thread(receiver.next)
        await until(lambda: store.list_outbox("failed"))
        attempts = store.list_outbox_attempts("n-fail")
        assert [(a["attempt"], a["http_status"], a["error"]) for a in attempts] == [
            (1, 500, "HTTP 500"),
            (2, 500, "HTTP 500"),
            (3, 500, "HTTP 500"),
        ]
        assert all(a["started_at"] > 0 and a["duration_ms"] >= 0 for a in attempts)
        [failed] = store.list_outbox("failed")
        assert failed["attempts"] == 3 and failed["last_status"] == 500
        await d.stop()
        store.close()

    asyncio.run(main())


def test_pending_rows_are_sent_after_a_restart(tmp_path, receiver: Receiver) -> None:
    async def main() -> None:
        clock = TestingClock()
        path = str(tmp_path / "p.db")
        store, _ = dispatcher_on(path, clock)
        await store.write(ops(new_row("n-left", "notify", receiver.url + "/ok/x", b"{}", clock.now())))
        store.close()  # committed, never sent (the process "died")
        store2, d2 = dispatcher_on(path, clock)
        d2.start()
        got = await asyncio.to_thread(receiver.next)
        assert got.headers["x-axme-notification-id"] == "n-left"
        await until(lambda: store2.list_outbox("sent"))
        await d2.stop()
        store2.close()

    asyncio.run(main())
