"""SIGKILL the server mid-flight, restart on the same data dir: nothing
committed is lost, pending timers still fire, streams resume."""

from __future__ import annotations

import json

from helpers import Api, event_frames, read_stream, start_server


def test_sigkill_loses_nothing(tmp_path) -> None:
    data = tmp_path / "durable"
    srv = start_server(data, "--testing")
    api = Api(srv.base_url, srv.admin_key)
    addr, agent = api.register_agent("w")
    # a: delivered and leased; b: waiting for a human with a reminder due; c: just submitted; d: finished
    a = api.create(addr)
    d_a = agent.poll_one(addr)
    b = api.create(addr, human_task={"title": "approve", "assignees": ["ops"]}, remind_after_seconds=30)
    agent.ok(agent.complete(b, {"checked": True}))
    d = api.create(addr)
    agent.ok(agent.complete(d, {"v": 1}))
    c = api.create(addr)
    before = {i: api.events(i) for i in (a, b, c, d)}
    srv.kill9()

    srv2 = start_server(data, "--testing")
    try:
        assert srv2.admin_key is None
        api2 = Api(srv2.base_url, srv.admin_key)
        agent2 = api2.with_key(agent.key)
        for iid, events in before.items():
            assert api2.events(iid) == events, iid  # every committed event survived, unchanged
        assert api2.intent(a)["status"] == "DELIVERED" and api2.intent(b)["status"] == "WAITING"
        assert api2.intent(d)["result"] == {"v": 1}
        # the submitted intent is offered again; the leased one keeps its lease until it expires
        got = agent2.poll(addr, wait=5)
        assert [x["intent_id"] for x in got] == [c]
        api2.advance(61)  # lease of a expires -> redelivered
        assert api2.intent(a)["status"] == "SUBMITTED"
        redelivered = agent2.poll_one(addr)
        assert redelivered["intent_id"] == a and redelivered["attempt"] == 2
        assert redelivered["delivery_id"] != d_a["delivery_id"]
        assert api2.intent(b)["remind_count"] == 2  # reminders at 30 s and 60 s: the timer survived the crash
        # a stream resumes from where the client was
        frames = read_stream(
            api2,
            f"/v1/intents/{b}/events/stream",
            params={"wait_seconds": 1},
            headers={"Last-Event-ID": str(len(before[b]))},
        )
        assert [e["event_type"] for e in event_frames(frames)] == ["intent.reminder"] * 2
        assert json.loads(frames[-1]["data"])["next_seq"] == len(before[b]) + 3
        assert api2.ok(api2.decide(b, outcome="approved"))["intent"]["status"] == "COMPLETED"
        # new writes keep the dense per-intent sequence
        assert [e["seq"] for e in api2.events(b)] == list(range(1, len(before[b]) + 4))
    finally:
        assert srv2.stop() == 0
