"""`include_intent=true` on streamIntentEvents (REQ-SSE-016): a `stream.intent` frame with
the intent comes first and right after the terminal event, so wait_for needs one request
(REQ-WAIT-005); without the parameter the stream is unchanged."""

from __future__ import annotations

import json
import threading

from helpers import Api, checked_client, event_frames, read_stream, sse_frames
from test_errors import err


def intent_frames(frames: list[dict]) -> list[dict]:
    return [json.loads(f["data"])["intent"] for f in frames if f.get("event") == "stream.intent"]


def test_a_terminal_intent_is_the_whole_stream(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    agent.ok(agent.complete(iid, {"x": 1}))
    final = api.ok(api.get(f"/v1/intents/{iid}"))["intent"]
    for since in (
        0,
        1,
        2,
    ):  # already terminal: retry, the intent (the object getIntent returns), end; no replay
        frames = read_stream(
            api, f"/v1/intents/{iid}/events/stream", params={"include_intent": "true", "since": since}
        )
        assert frames[0] == {"retry": "2000"} and len(frames) == 2
        assert frames[1]["event"] == "stream.intent" and "id" not in frames[1]  # never moves Last-Event-ID
        assert intent_frames(frames) == [final]


def test_live_stream_starts_with_the_current_intent_and_ends_with_the_final_one(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    started = api.ok(api.get(f"/v1/intents/{iid}"))["intent"]
    frames: list[dict] = []
    first = threading.Event()

    def observe() -> None:
        with (
            checked_client(api.base_url) as c,
            c.stream(
                "GET",
                f"/v1/intents/{iid}/events/stream",
                params={"include_intent": "true", "since": 1},
                headers=api.headers(),
            ) as resp,
        ):
            for frame in sse_frames(resp):
                frames.append(frame)
                if frame.get("event") == "stream.intent":
                    first.set()

    t = threading.Thread(target=observe)
    t.start()
    assert first.wait(10)
    assert intent_frames(frames) == [started] and started["status"] not in ("COMPLETED",)
    agent.ok(agent.complete(iid, {"done": True}))
    t.join(10)
    assert not t.is_alive()
    final = api.ok(api.get(f"/v1/intents/{iid}"))["intent"]
    assert final["status"] == "COMPLETED"
    assert [f.get("event") for f in frames if "event" in f][-2:] == ["intent.completed", "stream.intent"]
    assert intent_frames(frames) == [started, final]


def test_timeout_keeps_its_frame_and_default_is_unchanged(api: Api) -> None:
    addr, _ = api.register_agent("w")
    iid = api.create(addr)
    frames = read_stream(
        api, f"/v1/intents/{iid}/events/stream", params={"include_intent": "true", "wait_seconds": 1}
    )
    assert frames[1]["event"] == "stream.intent" and intent_frames(frames)[0]["intent_id"] == iid
    assert frames[-1]["event"] == "stream.timeout" and json.loads(frames[-1]["data"]) == {"next_seq": 2}
    assert len(intent_frames(frames)) == 1  # no terminal event, no second frame
    for params in ({}, {"include_intent": "false"}):  # the frame is only sent when asked for
        frames = read_stream(api, f"/v1/intents/{iid}/events/stream", params={**params, "wait_seconds": 1})
        assert not intent_frames(frames) and len(event_frames(frames)) == 1


def test_bad_include_intent_is_422(api: Api) -> None:
    addr, _ = api.register_agent("w")
    iid = api.create(addr)
    for bad in ("1", "yes", "TRUE", " true"):
        err(
            api.get(f"/v1/intents/{iid}/events/stream", params={"include_intent": bad}),
            422,
            "validation_error",
        )
