"""Active intents live in a bounded cache and load from the store on demand;
start-up reads only SUBMITTED intents (delivery lanes) and timers due before a
horizon, not every active intent. With a cache of 4 and 13 active intents,
every operation, timer and stream still sees the right intent."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from helpers import Api, start_server


def gauge(api: Api, name: str) -> int:
    return int(re.search(rf"^{name} (\d+)$", api.get("/metrics").text, re.MULTILINE).group(1))


def types(api: Api, iid: str) -> list[str]:
    return [e["event_type"] for e in api.events(iid)]


def test_small_cache_then_restart(tmp_path) -> None:
    data = tmp_path / "cache"
    srv = start_server(data, "--testing", "--active-cache-size", "4")
    try:
        api = Api(srv.base_url, srv.admin_key)
        addr, agent = api.register_agent("w")
        waiting = [
            api.create(addr, human_task={"title": "t", "assignees": ["ops"]}, remind_after_seconds=30)
            for _ in range(6)
        ]
        for iid in waiting:
            agent.ok(agent.complete(iid, {}))
        leased = [api.create(addr) for _ in range(6)]
        deliveries: dict[str, dict] = {}
        while len(deliveries) < 6:  # a long poll answers with what is ready when it wakes
            deliveries.update((d["intent_id"], d) for d in agent.poll(addr, limit=6 - len(deliveries)))
        assert set(deliveries) == set(leased)
        created = api.intent(leased[0])["created_at"]
        far = datetime.fromisoformat(created) + timedelta(hours=3)
        late = api.create(
            addr,
            human_task={"title": "late", "assignees": ["ops"]},
            deadline_at=far.isoformat().replace("+00:00", "Z"),
        )
        agent.ok(agent.complete(late, {}, delivery_id=agent.poll_one(addr)["delivery_id"]))
        assert gauge(api, "axme_active_intents_cached") <= 4
        for iid in leased:  # every one of them was evicted by now and is loaded again
            agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": deliveries[iid]["delivery_id"]}))
        for iid in leased[:3]:
            agent.ok(agent.complete(iid, {"ok": True}, delivery_id=deliveries[iid]["delivery_id"]))
        for iid in waiting[:3]:
            api.ok(api.decide(iid, outcome="approved"))
        api.advance(30)  # reminders of the other three fire on intents outside the cache
        for iid in waiting[3:]:
            assert api.intent(iid)["remind_count"] == 1
        api.advance(31)  # the three unfinished leases expire: SUBMITTED again
        for iid in leased[3:]:
            assert api.intent(iid)["status"] == "SUBMITTED" and types(api, iid)[-1] == "intent.redelivered"
        assert {api.intent(i)["status"] for i in leased[:3] + waiting[:3]} == {"COMPLETED"}
        assert types(api, leased[0]) == [
            "intent.submitted",
            "intent.delivered",
            "intent.acknowledged",
            "intent.completed",
        ]
        assert gauge(api, "axme_active_intents_cached") <= 4
    finally:
        srv.stop()

    srv = start_server(data, "--testing", "--active-cache-size", "4")
    try:
        api2 = Api(srv.base_url, api.key)
        agent2 = api2.with_key(agent.key)
        assert gauge(api2, "axme_active_intents_cached") == 0  # nothing read at start
        # the reminders of waiting[3:] are due within the horizon; late's deadline is not
        assert gauge(api2, "axme_timers_pending") == 3
        got: list[dict] = []
        while len(got) < 3:  # the lane came back from the store
            got += agent2.poll(addr, limit=3 - len(got))
        assert sorted(d["intent_id"] for d in got) == sorted(leased[3:])
        for d in got:
            agent2.ok(agent2.complete(d["intent_id"], {}, delivery_id=d["delivery_id"]))
        api2.advance(30)
        assert all(api2.intent(i)["remind_count"] == 2 for i in waiting[3:])
        api2.advance(3 * 3600)  # the horizon reaches late's deadline: loaded from the store, fired once
        assert api2.intent(late)["status"] == "TIMED_OUT"
        assert types(api2, late).count("intent.timed_out") == 1
    finally:
        srv.stop()


def test_finished_intents_cache_is_bounded(tmp_path) -> None:
    """`--terminal-cache-size` bounds the finished intents kept in memory; the others read
    from the store the same."""
    srv = start_server(tmp_path / "terminal", "--testing", "--terminal-cache-size", "2")
    try:
        api = Api(srv.base_url, srv.admin_key)
        addr, agent = api.register_agent("w")
        done = [api.create(addr) for _ in range(5)]
        seen = {}
        for iid in done:
            agent.ok(agent.complete(iid, {"n": iid}))
            seen[iid] = api.intent(iid)  # read while it is among the cached
        assert gauge(api, "axme_terminal_intents_cached") == 2
        for iid in done:  # the first three from the store, the last two from memory
            assert api.intent(iid) == seen[iid]
            assert types(api, iid) == ["intent.submitted", "intent.completed"]
        assert gauge(api, "axme_terminal_intents_cached") == 2
    finally:
        srv.stop()
