"""SSE: framing, since / Last-Event-ID, live push, keepalive, stream.timeout,
agent delivery streams, and stream faults."""

from __future__ import annotations

import json
import threading

from helpers import Api, checked_client, event_frames, read_stream, sse_frames
from test_errors import err


def finished(api: Api) -> tuple[str, str, Api]:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    agent.ok(agent.complete(iid, {"x": 1}))
    return iid, addr, agent


def test_since_and_last_event_id(api: Api) -> None:
    iid, _, _ = finished(api)  # events 1 submitted, 2 completed
    assert [e["seq"] for e in event_frames(read_stream(api, f"/v1/intents/{iid}/events/stream"))] == [1, 2]
    assert [
        e["seq"]
        for e in event_frames(read_stream(api, f"/v1/intents/{iid}/events/stream", params={"since": 1}))
    ] == [2]
    frames = read_stream(
        api, f"/v1/intents/{iid}/events/stream", params={"since": 0}, headers={"Last-Event-ID": "1"}
    )
    assert [e["seq"] for e in event_frames(frames)] == [2]
    # a cursor at the end of a terminal intent: retry then end
    assert read_stream(api, f"/v1/intents/{iid}/events/stream", params={"since": 2}) == [{"retry": "2000"}]
    # non-integer Last-Event-ID is ignored
    frames = read_stream(api, f"/v1/intents/{iid}/events/stream", headers={"Last-Event-ID": "abc"})
    assert len(event_frames(frames)) == 2
    # the same objects as listIntentEvents
    assert event_frames(read_stream(api, f"/v1/intents/{iid}/events/stream")) == api.events(iid)


def test_events_listing_paging(api: Api) -> None:
    iid, _, _ = finished(api)
    page = api.ok(api.get(f"/v1/intents/{iid}/events", params={"since": 0, "limit": 1}))
    assert [e["seq"] for e in page["events"]] == [1] and page["next_seq"] == 2
    page = api.ok(api.get(f"/v1/intents/{iid}/events", params={"since": 2}))
    assert page["events"] == [] and page["next_seq"] == 3


def test_timeout_and_keepalive(api: Api) -> None:
    addr, _ = api.register_agent("w")
    iid = api.create(addr)
    frames = read_stream(api, f"/v1/intents/{iid}/events/stream", params={"wait_seconds": 1})
    assert frames[0] == {"retry": "2000"}
    assert {"comment": "keepalive"} in frames  # --keepalive-seconds 0.5 in the fixture
    assert frames[-1]["event"] == "stream.timeout" and "id" not in frames[-1]
    assert json.loads(frames[-1]["data"]) == {"next_seq": 2}
    err(api.get(f"/v1/intents/{iid}/events/stream", params={"wait_seconds": 0}), 422, "validation_error")
    err(
        api.get(f"/v1/intents/{iid}/events/stream", params={"wait_seconds": 1.2}), 422, "validation_error"
    )  # integer
    err(api.get(f"/v1/intents/{iid}/events/stream", params={"wait_seconds": 301}), 422, "validation_error")


def test_live_push_reaches_open_stream(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    seen: list[dict] = []
    opened = threading.Event()

    def observe() -> None:
        with (
            checked_client(api.base_url) as c,
            c.stream("GET", f"/v1/intents/{iid}/events/stream", headers=api.headers()) as resp,
        ):
            for frame in sse_frames(resp):
                if frame.get("retry"):
                    opened.set()
                if frame.get("event", "").startswith("intent."):
                    seen.append(json.loads(frame["data"]))

    t = threading.Thread(target=observe)
    t.start()
    assert opened.wait(10)
    agent.ok(agent.complete(iid, {"done": True}))
    t.join(10)
    assert not t.is_alive()
    assert [e["event_type"] for e in seen] == ["intent.submitted", "intent.completed"]


def test_agent_stream_offers_pending_and_new(api: Api) -> None:
    addr, agent = api.register_agent("w")
    first = api.create(addr)
    got: list[dict] = []
    with agent.http.stream(
        "GET", f"/v1/agents/{addr}/intents/stream", params={"wait_seconds": 10}, headers=agent.headers()
    ) as resp:
        assert resp.status_code == 200
        for frame in sse_frames(resp):
            if frame.get("event") == "intent.delivery":
                d = json.loads(frame["data"])
                assert frame["id"] == d["cursor"]
                got.append(d)
                if len(got) == 1:
                    api.create(addr)  # pushed live while the stream is open
                else:
                    break
    assert got[0]["intent_id"] == first and int(got[1]["cursor"]) > int(got[0]["cursor"])
    ev = api.events(first)[1]
    assert ev["event_type"] == "intent.delivered" and ev["data"]["binding"] == "stream"


def test_agent_stream_timeout_and_errors(api: Api) -> None:
    addr, agent = api.register_agent("w")
    frames = read_stream(agent, f"/v1/agents/{addr}/intents/stream", params={"wait_seconds": 1})
    assert frames[0] == {"retry": "2000"} and frames[-1]["event"] == "stream.timeout"
    err(api.get("/v1/agents/ghost/intents/stream"), 404, "agent_not_found")
    err(
        agent.get("/v1/agents/ghost/intents/stream"), 403, "forbidden"
    )  # not its own: denied before any lookup
    from urllib.parse import quote

    encoded = quote(addr, safe="")
    assert (
        read_stream(agent, f"/v1/agents/{encoded}/intents/stream", params={"wait_seconds": 1})[-1]["event"]
        == "stream.timeout"
    )


def test_stream_faults(api: Api) -> None:
    iid, _, _ = finished(api)
    api.ok(
        api.http.post(
            "/_testing/faults",
            json={
                "namespace": api.namespace,
                "match": {"op": "streamIntentEvents"},
                "action": {"type": "drop_stream", "after_events": 1},
            },
        )
    )
    frames = read_stream(api, f"/v1/intents/{iid}/events/stream")
    assert [e["seq"] for e in event_frames(frames)] == [1]  # dropped before the terminal event
    api.ok(
        api.http.post(
            "/_testing/faults",
            json={
                "namespace": api.namespace,
                "match": {"path": "/events/stream$"},
                "action": {"type": "raw_sse", "frames": "data: a\ndata: b\n\n"},
            },
        )
    )
    with api.http.stream("GET", f"/v1/intents/{iid}/events/stream", headers=api.headers()) as resp:
        assert resp.read() == b"data: a\ndata: b\n\n"
    assert len(event_frames(read_stream(api, f"/v1/intents/{iid}/events/stream"))) == 2  # faults used up


def test_stream_backlog_matches_the_stored_log(api: Api) -> None:
    """Backlogs of live intents come from memory (a chatty one falls back to the store): same events either way."""
    addr, agent = api.register_agent("log")
    quiet, chatty = api.create(addr), api.create(addr)
    assert len(agent.poll(addr, limit=2)) == 2  # leased: progress is allowed now
    for _ in range(70):  # more than the in-memory log keeps per intent
        agent.ok(agent.resume(chatty, {"kind": "progress", "details": {}}))
    for iid in (quiet, chatty):
        frames = read_stream(api, f"/v1/intents/{iid}/events/stream", params={"wait_seconds": 1, "since": 1})
        streamed = event_frames(frames)
        stored = api.events(iid, since=1)
        assert streamed == stored and len(stored) >= 1
