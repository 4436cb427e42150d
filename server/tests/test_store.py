"""SqliteStore group commit: one batch, one commit; a failing write inside a
batch is rolled back alone and reported to its own caller."""

from __future__ import annotations

import asyncio
from pathlib import Path

from axme_server.store.sqlite import SqliteStore


def test_failing_write_in_a_batch_is_isolated(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "t.db"))
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
    reopened = SqliteStore(str(tmp_path / "t.db"))
    reopened.open()
    try:
        assert [reopened.get_meta(k) for k in "abc"] == ["1", None, "1"]
    finally:
        reopened.close()
