"""The timer heap holds only live timers: a lease renewed by an ack or cleared by a
finished intent leaves it (issue: every delivery and ack used to add an entry that
stayed for a minute, so the heap grew with throughput, not with work)."""

from __future__ import annotations

import asyncio
import re

from helpers import Api, start_server

from axme_server.timers import COMPACT_MIN, TimerIndex


def gauge(api: Api, name: str) -> int:
    metrics = api.get("/metrics").text
    return int(re.search(rf"^{name} (\d+)$", metrics, re.MULTILINE).group(1))


def heap_size(api: Api) -> int:
    return gauge(api, "axme_timers_pending")


def test_deliver_ack_cycles_leave_only_live_timers(tmp_path) -> None:
    srv = start_server(tmp_path / "heap", "--testing")
    try:
        api = Api(srv.base_url, srv.admin_key)
        addr, agent = api.register_agent("w")
        for _ in range(150):  # deliver (lease) -> ack (lease moves) -> complete (lease cleared)
            iid = api.create(addr)
            d = agent.poll_one(addr)
            agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}))
            agent.ok(agent.complete(iid, {}))
        assert heap_size(api) <= COMPACT_MIN  # nothing is live (the old heap held 300 entries)
        # 40 intents stay leased, each lease renewed 4 times: 40 live timers
        leased = []
        for _ in range(40):
            iid = api.create(addr)
            leased.append(iid)
            d = agent.poll_one(addr)
            for _ in range(4):
                agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}))
        assert heap_size(api) <= 40 + max(40, COMPACT_MIN)
        assert gauge(api, "axme_timers_live") == 40  # one lease timer per leased intent
        api.advance(61)  # every lease expires at once and fires exactly once: 40 redeliveries
        assert {api.intent(iid)["status"] for iid in leased} == {"SUBMITTED"}
        assert [e["event_type"] for e in api.events(leased[0])].count("intent.redelivered") == 1
        assert heap_size(api) == 0
    finally:
        srv.stop()


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t


def test_index_moves_clears_and_fires_in_order() -> None:
    async def main() -> None:
        clock = FakeClock()
        fired: list[tuple[str, str, float]] = []

        async def fire(intent_id: str, kind: str, due: float) -> None:
            fired.append((intent_id, kind, due))

        idx = TimerIndex(clock, fire)
        for i in range(1000):  # every timer moved 5 times, then half of them cleared
            for k in range(5):
                idx.schedule(f"i{i}", {"lease": 1010.0 + i + k})
                assert len(idx) <= 2 * idx.live + COMPACT_MIN
        for i in range(0, 1000, 2):
            idx.schedule(f"i{i}", {}, ["lease"])
        assert idx.live == 500 and len(idx) <= 2 * 500 + COMPACT_MIN
        assert idx.due("i1", "lease") == 1015.0 and idx.due("i0", "lease") is None
        idx.schedule("i1", {"lease": 1015.0})  # same due again: no new entry
        assert idx.live == 500
        clock.t = 5000.0
        assert await idx.run_due() == 500
        assert [f[0] for f in fired] == [f"i{i}" for i in range(1, 1000, 2)]
        assert all(due == 1014.0 + int(iid[1:]) for iid, _, due in fired)
        assert len(idx) == 0 and idx.live == 0

    asyncio.run(main())


def test_index_loads_stored_timers_as_the_horizon_moves() -> None:
    async def main() -> None:
        clock = FakeClock()
        stored = {"a": {"deadline": 1100.0, "remind": 1900.0}, "b": {"deadline": 2500.0}}
        asked: list[tuple[float | None, float]] = []

        def load(after: float | None, until: float):
            asked.append((after, until))
            for iid, timers in stored.items():
                first = min(timers.values(), default=None)
                if first is not None and (after is None or first > after) and first <= until:
                    yield iid, timers

        fired: list[str] = []

        async def fire(intent_id: str, kind: str, due: float) -> None:
            fired.append(f"{intent_id}:{kind}")
            del stored[intent_id][kind]

        idx = TimerIndex(clock, fire, load, window=600.0)
        idx._fill()
        assert asked == [(None, 1600.0)] and idx.live == 2  # a's both timers, not b's
        clock.t = 1950.0
        await idx.run_due()
        assert fired == ["a:deadline", "a:remind"] and asked[-1] == (1600.0, 2550.0)
        clock.t = 2600.0
        await idx.run_due()
        assert fired[-1] == "b:deadline"

    asyncio.run(main())
