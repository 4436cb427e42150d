"""Group commit, on both engines (SQLite and PostgreSQL): one batch, one commit; a failing
write inside a batch is rolled back alone and reported to its own caller."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pg.databases import StoreMaker

from axme_server.store.sqlite import SqliteStore


def test_failing_write_in_a_batch_is_isolated(store_engine: StoreMaker) -> None:
    store = store_engine("t")
    loop = asyncio.new_event_loop()
    try:
        futs = [loop.create_future() for _ in range(3)]
        # queued before the writer starts, so the three writes form one batch
        store._queue.put(([("meta", "a", "1")], futs[0], loop))
        store._queue.put(([("meta", "b", "1"), ("no_such_op",)], futs[1], loop))
        store._queue.put(([("meta", "c", "1")], futs[2], loop))
        store.open()
        results = loop.run_until_complete(asyncio.gather(*futs, return_exceptions=True))
    finally:
        store.close()
        loop.close()
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError) and "no_such_op" in str(results[1])
    assert (store.commits, store.writes) == (1, 3)
    reopened = store_engine("t")
    reopened.open()
    try:
        assert [reopened.get_meta(k) for k in "abc"] == ["1", None, "1"]
    finally:
        reopened.close()


def test_data_dir_with_the_old_events_layout_still_works(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE events (intent_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,"
        " PRIMARY KEY (intent_id, seq)) WITHOUT ROWID"
    )
    old.execute("""INSERT INTO events VALUES ('i1', 1, '{"intent_id":"i1","seq":1}')""")
    old.commit()
    old.close()
    store = SqliteStore(str(path))
    store.open()
    try:
        ev = {"intent_id": "i1", "seq": 2}
        asyncio.run(store.write([("event", ev)]))
        assert [e["seq"] for e in store.list_events("i1", 0, 10)] == [1, 2]
        assert store.list_events("i1", 1, 10) == [ev]
    finally:
        store.close()


def test_intent_lock_serializes_and_forgets_idle_locks() -> None:
    from axme_server.engine import IntentLock

    locks: dict[str, asyncio.Lock] = {}
    order: list[str] = []

    async def writer(name: str, fail: bool = False) -> None:
        async with IntentLock(locks, "i1"):
            order.append(f"{name}+")
            await asyncio.sleep(0)
            order.append(f"{name}-")
            if fail:
                raise RuntimeError("boom")

    async def main() -> None:
        results = await asyncio.gather(writer("a", fail=True), writer("b"), return_exceptions=True)
        assert isinstance(results[0], RuntimeError) and results[1] is None
        assert order == ["a+", "a-", "b+", "b-"] and locks == {}
        holder = asyncio.ensure_future(writer("c"))
        await asyncio.sleep(0)  # c holds the lock and is parked in its body
        waiter = asyncio.ensure_future(writer("d"))
        await asyncio.sleep(0)
        waiter.cancel()  # cancelled while waiting for the lock
        await asyncio.gather(holder, waiter, return_exceptions=True)
        assert locks == {}

    asyncio.run(main())


def test_a_failed_write_leaves_side_tables_and_counters_exact(store_engine: StoreMaker) -> None:
    """The failing write's intent update is rolled back with its counter deltas, side rows and
    the writer's row cache; the writes around it land (issue 16 item 2)."""
    from test_store_indexes import WS, intent

    store = store_engine("c")
    store.open()
    asyncio.run(store.write([("intent_new", intent(1))]))
    store.close()
    store = store_engine("c")
    loop = asyncio.new_event_loop()
    try:
        futs = [loop.create_future() for _ in range(3)]
        store._queue.put(([("intent", intent(1, status="DELIVERED"))], futs[0], loop))
        store._queue.put(
            (
                [("intent", intent(1, status="COMPLETED", steps=["agent://o/w/c"])), ("no_such_op",)],
                futs[1],
                loop,
            )
        )
        store._queue.put(([("intent", intent(1, status="ACKNOWLEDGED"))], futs[2], loop))
        store.open()
        results = loop.run_until_complete(asyncio.gather(*futs, return_exceptions=True))
        assert results[0] is None and isinstance(results[1], ValueError) and results[2] is None
        loop.run_until_complete(store.write([("intent", intent(1, status="COMPLETED"))]))

        def group_by() -> dict[str, int]:
            return dict(
                store._read.execute("SELECT status, count(*) FROM intents GROUP BY status").fetchall()
            )

        assert store.count_by_status(WS) == group_by() == {"COMPLETED": 1}
        assert (
            store.list_intents(
                WS,
                status=None,
                to_agent=None,
                from_agent=None,
                involving="agent://o/w/c",
                limit=5,
                cursor=None,
            )
            == []
        )
        mine = store.list_intents(
            WS,
            status="COMPLETED",
            to_agent=None,
            from_agent=None,
            involving="agent://o/w/a",
            limit=5,
            cursor=None,
        )
        assert [d["intent_id"] for _, d in mine] == ["i1"]
    finally:
        store.close()
        loop.close()
