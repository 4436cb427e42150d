"""Several server processes on one store (cluster.py): a notification that arrives while this
process reads an intent under its lock leaves no older copy in the cache (a copy cached after
the notification was handled would be served, stale, until the next write of the intent)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from axme_server import cluster
from axme_server.clock import TestingClock
from axme_server.engine import Settings
from axme_server.jsonutil import dumps
from axme_server.service import Engine
from axme_server.store.sqlite import SqliteStore

DELIVERED = {"intent_id": "i1", "status": "DELIVERED", "_rev": 3, "_timers": {}, "last_seq": 3}


class SlowSharedStore(SqliteStore):
    """A store other processes write too, whose off-loop read returns what it read before
    `gate` opens (another process commits in between)."""

    shared = True
    process = "here"

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.gate = asyncio.Event()

    async def get_intent_off_loop(self, intent_id: str) -> dict[str, Any] | None:
        doc = dict(DELIVERED)
        await self.gate.wait()
        return doc


def _notice(rev: int) -> str:
    return dumps({"r": "there", "i": "i1", "s": rev, "v": rev, "t": {}}).decode()


def test_a_copy_read_while_another_process_wrote_is_not_cached(tmp_path: Path) -> None:
    store = SlowSharedStore(str(tmp_path / "axme.db"))
    store.open()
    core = Engine(store, TestingClock(), Settings(testing=True)).core

    async def main() -> None:
        async def write_under_lock() -> None:
            async with core.intent_lock("i1"):  # reloads: the read is in flight ...
                pass

        task = asyncio.ensure_future(write_under_lock())
        await asyncio.sleep(0.01)
        cluster.on_notice(core, _notice(4))  # ... when the other process's commit is announced
        store.gate.set()
        await task
        assert core._active.get("i1") is None  # the next read goes to the store
        assert core.noticed == {}  # (kept only while the lock lives)
        core.remember(dict(DELIVERED))  # outside any lock, nothing to compare with: cached
        assert core._active["i1"]["_rev"] == 3

    try:
        asyncio.run(main())
    finally:
        store.close()
