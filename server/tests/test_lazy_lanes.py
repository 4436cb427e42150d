"""Delivery lanes load per agent on first use, not at start (issue 16: restart to ready does
not grow with the SUBMITTED backlog). After a restart an agent's backlog is delivered oldest
first, and an intent created for it before its first poll queues after that backlog."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from helpers import Api, start_server

from axme_server.clock import TestingClock
from axme_server.engine import Ctx, Settings
from axme_server.service import Engine
from axme_server.store.sqlite import SqliteStore


def test_backlog_loads_on_first_use_and_keeps_its_order(tmp_path) -> None:
    data = tmp_path / "lanes"
    srv = start_server(data)
    try:
        api = Api(srv.base_url, srv.admin_key)
        w1, agent1 = api.register_agent("w1")
        w2, agent2 = api.register_agent("w2")
        backlog = [api.create(w1) for _ in range(3)]
        other = [api.create(w2) for _ in range(2)]
    finally:
        srv.stop()

    srv = start_server(data)
    try:
        api = Api(srv.base_url, api.key)
        agent1, agent2 = api.with_key(agent1.key), api.with_key(agent2.key)
        newest = api.create(w1)  # offered before anyone polls w1: its lane loads first
        order = [agent1.poll_one(w1)["intent_id"] for _ in range(4)]
        assert order == [*backlog, newest]
        assert agent1.poll(w1, wait=0) == []
        got: list[str] = []
        while len(got) < 2:  # w2's lane loads on its first poll; a poll answers with what is leased by then
            got += [d["intent_id"] for d in agent2.poll(w2, limit=2 - len(got))]
        assert got == other
        assert {api.intent(i)["status"] for i in [*backlog, newest, *other]} == {"DELIVERED"}
    finally:
        srv.stop()


def test_start_reads_no_lane(tmp_path: Path) -> None:
    """In process: a restarted engine holds no lane until one is used."""

    async def run(setup: bool) -> dict[str, list[str]]:
        store = SqliteStore(str(tmp_path / "axme.db"))
        store.open()
        engine = Engine(store, TestingClock(), Settings(testing=True))
        try:
            await engine.start(None)
            if setup:
                _, admin_key = await engine.directory.create_workspace("o", "w")
                admin = Ctx(engine.keys.authenticate(admin_key, engine.clock.now()))
                for name, n in (("a", 3), ("b", 1)):
                    await engine.directory.register_agent(admin, {"address": name})
                    for _ in range(n):
                        await engine.intents.create_intent(
                            admin, {"intent_type": "intent.t.x.v1", "to_agent": name}
                        )
                return {}
            assert engine.lanes.lanes == {}  # nothing read at start
            ready = {name: list(engine.lanes.lane(f"agent://o/w/{name}").ready) for name in "ab"}
            rows = store._read.execute("SELECT intent_id, doc FROM intents ORDER BY rid").fetchall()
            by_agent: dict[str, list[str]] = {}
            for intent_id, doc in rows:
                by_agent.setdefault(json.loads(doc)["to_agent"].rpartition("/")[2], []).append(intent_id)
            assert ready == by_agent
            return ready
        finally:
            await engine.stop()
            store.close()

    asyncio.run(run(True))
    assert [len(v) for v in asyncio.run(run(False)).values()] == [3, 1]
