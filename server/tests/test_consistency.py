"""Read-your-writes (REQ-LIFECYCLE-006): a reader never observes an event without its status.

A transition commits in the store before the engine publishes it to its cache. A reader that
reads events from the store in between (a stream backlog, listIntentEvents, the audit) must
not see events that GET /v1/intents/{id} does not show yet."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import Api, ServerProc, event_frames, read_stream, start_server

from axme_server.clock import TestingClock
from axme_server.engine import Ctx, Settings
from axme_server.service import Engine
from axme_server.store.sqlite import SqliteStore

TERMINAL = {"COMPLETED", "FAILED", "CANCELED", "TIMED_OUT"}


class GatedStore(SqliteStore):
    """Commits at once, but holds the caller until `release` (the window after a commit)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.gate: asyncio.Event | None = None
        self.committed = asyncio.Event()

    async def write(self, ops: list[Any]) -> None:
        await super().write(ops)
        if self.gate is not None:
            self.committed.set()
            await self.gate.wait()


def test_store_reads_never_run_ahead_of_the_intent(tmp_path: Path) -> None:
    """Deterministic: while a terminal transition is committed but not yet published, every
    event read agrees with the intent document."""

    async def scenario() -> None:
        store = GatedStore(str(tmp_path / "axme.db"))
        store.open()
        engine = Engine(store, TestingClock(), Settings(testing=True))
        try:
            await engine.start(None)
            _, admin_key = await engine.directory.create_workspace("o", "w")
            admin = Ctx(engine.keys.authenticate(admin_key, engine.clock.now()))
            await engine.directory.register_agent(admin, {"address": "a"})
            created = await engine.intents.create_intent(
                admin, {"intent_type": "intent.t.x.v1", "to_agent": "a"}
            )
            intent_id = json.loads(created)["intent_id"]
            engine.core._logs.pop(intent_id, None)  # as after a restart: backlogs come from the store
            store.gate = asyncio.Event()
            resolving = asyncio.create_task(engine.control.resolve(admin, intent_id, {"status": "CANCELED"}))
            await asyncio.wait_for(store.committed.wait(), 5)
            doc = engine.intents.get_intent(admin, intent_id)
            events = engine.intents.list_events(admin, intent_id, 0, 100)["events"]
            backlog = engine.core.visible_events(engine.core.cached_intent(intent_id), 0)
            audit = engine.intents.audit(admin, intent_id)["audit"]
            assert doc["status"] == "SUBMITTED"
            assert [e["seq"] for e in events] == [1], events
            assert [e["seq"] for e in backlog] == [1], backlog
            assert [e["seq"] for e in audit] == [1], audit
            store.gate.set()
            await resolving
            assert engine.intents.get_intent(admin, intent_id)["status"] == "CANCELED"
            assert [
                e["seq"] for e in engine.core.visible_events(engine.core.cached_intent(intent_id), 0)
            ] == [1, 2]
        finally:
            await engine.stop()
            store.close()

    asyncio.run(scenario())


@pytest.fixture()
def restarted(tmp_path: Path) -> Any:
    """A server of its own, restarted once so no intent has an in-memory event log."""
    proc: ServerProc = start_server(tmp_path / "data", "--testing")
    yield proc
    proc.stop()


def test_stream_reader_races_get(restarted: ServerProc, tmp_path: Path) -> None:
    """Stress: readers open streams at `since` = the last seq they know while the intents finish;
    after each terminal event the reader GETs the intent, which must be terminal."""
    admin = Api(restarted.base_url, restarted.admin_key)
    addr, agent = admin.register_agent("w")
    count = 24
    ids = [admin.create(addr) for _ in range(count)]
    deliveries = {d["intent_id"]: d["delivery_id"] for d in agent.poll(addr, wait=5, limit=count)}
    assert set(deliveries) == set(ids)
    restarted.stop()
    again = start_server(restarted.data_dir, "--testing")
    restarted.proc = again.proc  # the fixture stops whichever process runs
    admin = Api(again.base_url, restarted.admin_key)
    agent = agent.__class__(again.base_url, agent.key)
    problems: list[str] = []
    deadline = time.monotonic() + 30

    def read(intent_id: str) -> None:
        client = Api(again.base_url, admin.key)
        since = 0
        try:
            while time.monotonic() < deadline:
                frames = read_stream(
                    client,
                    f"/v1/intents/{intent_id}/events/stream",
                    params={"since": since, "wait_seconds": 1},
                )
                events = event_frames(frames)
                if events:
                    since = events[-1]["seq"]
                    doc = client.intent(intent_id)
                    if doc["last_seq"] < since or (events[-1]["status"] in TERMINAL) != (
                        doc["status"] in TERMINAL
                    ):
                        problems.append(
                            f"{intent_id}: saw seq {since} ({events[-1]['status']}), "
                            f"GET says last_seq {doc['last_seq']} ({doc['status']})"
                        )
                    if events[-1]["status"] in TERMINAL:
                        return
        finally:
            client.http.close()

    def finish(intent_id: str) -> None:  # several transitions back to back, then the terminal one
        did = deliveries[intent_id]
        agent.ok(agent.post(f"/v1/intents/{intent_id}/ack", {"delivery_id": did}))
        for n in range(4):
            agent.ok(agent.resume(intent_id, {"kind": "progress", "delivery_id": did, "details": {"n": n}}))
        agent.ok(agent.complete(intent_id, {"ok": True}, delivery_id=did))

    with ThreadPoolExecutor(max_workers=count + 4) as pool:
        readers = [pool.submit(read, i) for i in ids]
        list(pool.map(finish, ids))
        for r in readers:
            r.result(timeout=max(1.0, deadline - time.monotonic() + 5))
    assert not problems, problems[:5]
    assert all(admin.intent(i)["status"] == "COMPLETED" for i in ids)
