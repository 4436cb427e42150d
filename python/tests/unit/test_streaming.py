"""observe / wait_for / listen against scripted streams (respx): resume, dedupe, fallback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

import axme
from axme import AxmeClient

from .conftest import BASE, make_config

SSE = {"content-type": "text/event-stream"}


def event(
    seq: int, status: str = "SUBMITTED", event_type: str = "intent.progress"
) -> dict[str, Any]:
    return {
        "intent_id": "i-1",
        "seq": seq,
        "event_type": event_type,
        "status": status,
        "at": "2026-01-01T00:00:00.000Z",
        "data": {},
    }


def frame(e: dict[str, Any]) -> str:
    return f"id: {e['seq']}\nevent: {e['event_type']}\ndata: {json.dumps(e)}\n\n"


def sse(*parts: str) -> httpx.Response:
    return httpx.Response(200, headers=SSE, content=("retry: 2000\n\n" + "".join(parts)).encode())


class Broken(httpx.SyncByteStream):
    """A body that sends some bytes and then fails like a dropped/idle connection."""

    def __init__(self, first: str, error: Exception) -> None:
        self.first, self.error = first.encode(), error

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        raise self.error


DONE = event(3, "COMPLETED", "intent.completed")


@respx.mock(base_url=BASE)
def test_observe_resumes_after_a_drop_without_loss_or_duplicates(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    route = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=[
            sse(frame(event(1)), frame(event(2))),  # ends without a terminal event
            sse(frame(event(2)), frame(DONE)),  # server replays 2 (must be dropped)
        ]
    )
    seqs = [e.seq for e in client.observe("i-1")]
    assert seqs == [1, 2, 3]
    second = route.calls[1].request
    assert second.headers["last-event-id"] == "2" and second.url.params["since"] == "2"
    assert "last-event-id" not in route.calls[0].request.headers
    assert route.calls[0].request.headers["accept"] == "text/event-stream"
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # jittered, never a tight loop


@respx.mock(base_url=BASE)
def test_observe_since_skips_older_events(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    route = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        return_value=sse(frame(event(1)), frame(event(2)), frame(DONE))
    )
    assert [e.seq for e in client.observe("i-1", since=2)] == [3]
    assert route.calls[0].request.url.params["since"] == "2"


@respx.mock(base_url=BASE)
def test_observe_reconnects_after_idle_timeout(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=[
            httpx.Response(
                200, headers=SSE, stream=Broken(frame(event(1)), httpx.ReadTimeout("idle"))
            ),
            sse(frame(DONE)),
        ]
    )
    assert [e.seq for e in client.observe("i-1")] == [1, 3]


@respx.mock(base_url=BASE)
def test_observe_stream_timeout_frame_reconnects_without_backoff(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float], monkeypatch: Any
) -> None:
    monkeypatch.setattr("axme._sse.QUICK_CLOSE_SECONDS", 0.0)
    route = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=[
            sse(frame(event(1)), 'event: stream.timeout\ndata: {"next_seq": 1}\n\n'),
            sse(frame(DONE)),
        ]
    )
    assert [e.seq for e in client.observe("i-1", wait_seconds=5)] == [1, 3]
    assert sleeps == [0.0]
    assert route.calls[0].request.url.params["wait_seconds"] == "5"


@respx.mock(base_url=BASE)
def test_observe_retries_5xx_and_honours_retry_after(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=[
            httpx.Response(503, json={"ok": False}, headers={"Retry-After": "2"}),
            sse(frame(DONE)),
        ]
    )
    assert [e.seq for e in client.observe("i-1")] == [3]
    assert sleeps == [2.0]


@pytest.mark.parametrize("status", [404, 405, 501])
@respx.mock(base_url=BASE)
def test_observe_falls_back_to_polling_when_the_stream_is_missing(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float], status: int
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").mock(return_value=httpx.Response(status))
    polls = respx_mock.get("/v1/intents/i-1/events").mock(
        side_effect=[
            httpx.Response(200, json={"ok": True, "events": [event(1)], "next_seq": 1}),
            httpx.Response(200, json={"ok": True, "events": [], "next_seq": 1}),
            httpx.Response(200, json={"ok": True, "events": [event(2), DONE], "next_seq": 3}),
        ]
    )
    assert [e.seq for e in client.observe("i-1")] == [1, 2, 3]
    assert [c.request.url.params["since"] for c in polls.calls] == ["0", "1", "1"] or [
        c.request.url.params.get("since") for c in polls.calls
    ] == [None, "1", "1"]
    assert sleeps == [1.0]  # one poll interval, only after the empty page


@respx.mock(base_url=BASE)
def test_observe_does_not_fall_back_on_auth_errors(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").mock(
        return_value=httpx.Response(
            401, json={"ok": False, "error": {"code": "unauthorized", "message": "no"}}
        )
    )
    with pytest.raises(axme.AuthenticationError):
        list(client.observe("i-1"))


@respx.mock(base_url=BASE)
def test_observe_gives_up_after_repeated_failures(
    respx_mock: respx.MockRouter, sleeps: list[float]
) -> None:
    route = respx_mock.get("/v1/intents/i-1/events/stream").mock(return_value=sse())
    with AxmeClient(make_config(max_retries=2)) as c:
        c._runner.sleep = sleeps.append
        with pytest.raises(axme.StreamError, match="6 failed connections"):
            list(c.observe("i-1"))
    assert route.call_count == 6  # max(max_retries, 5) + 1 (REQ-OBSERVE-006)
    assert len(sleeps) == 5 and sleeps[-1] > sleeps[0]  # backoff grows


@respx.mock(base_url=BASE)
def test_stream_timeout_resumes_from_next_seq_minus_one(
    respx_mock: respx.MockRouter, client: AxmeClient, monkeypatch: Any
) -> None:
    monkeypatch.setattr("axme._sse.QUICK_CLOSE_SECONDS", 0.0)
    route = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=[
            sse(
                frame(event(1)), frame(event(2)), 'event: stream.timeout\ndata: {"next_seq": 3}\n\n'
            ),
            sse(frame(DONE)),
        ]
    )
    assert [e.seq for e in client.observe("i-1")] == [1, 2, 3]
    assert route.calls[1].request.url.params["since"] == "2"


@respx.mock(base_url=BASE)
def test_intent_not_found_on_the_stream_is_raised_not_polled(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").respond(
        404, json={"ok": False, "error": {"code": "intent_not_found", "message": "no intent"}}
    )
    with pytest.raises(axme.NotFoundError):
        list(client.observe("i-1"))


@respx.mock(base_url=BASE)
def test_malformed_event_frame_is_a_stream_error(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").mock(
        return_value=sse("id: 1\nevent: intent.progress\ndata: {not json\n\n")
    )
    with pytest.raises(axme.StreamError, match="malformed"):
        list(client.observe("i-1"))


@respx.mock(base_url=BASE)
def test_observe_closing_early_closes_the_connection(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1/events/stream").mock(
        return_value=sse(frame(event(1)), frame(DONE))
    )
    with client.observe("i-1") as stream:
        first = next(stream)
    assert first.seq == 1
    with pytest.raises(StopIteration):
        next(stream)


def intent_frame(intent: dict[str, Any]) -> str:
    return f"event: stream.intent\ndata: {json.dumps({'intent': intent})}\n\n"


@respx.mock(base_url=BASE, assert_all_called=False)
def test_wait_for_is_one_stream_request(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    """REQ-WAIT-005: the stream's stream.intent frames carry the intent; no getIntent."""
    final = {"intent_id": "i-1", "status": "COMPLETED", "last_seq": 3, "result": {"r": 1}}
    get = respx_mock.get("/v1/intents/i-1")
    stream = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        return_value=sse(
            intent_frame({"intent_id": "i-1", "status": "DELIVERED", "last_seq": 2}),
            frame(event(1, "SUBMITTED", "intent.submitted")),
            frame(DONE),
            intent_frame(final),
        )
    )
    get.mock(side_effect=AssertionError("no getIntent"))
    result = client.wait_for("i-1")
    assert result.status == "COMPLETED" and result.result == {"r": 1}
    assert stream.call_count == 1 and get.call_count == 0
    assert stream.calls[0].request.url.params["include_intent"] == "true"


@respx.mock(base_url=BASE)
def test_wait_for_against_an_older_server_reads_the_intent_once_after(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    """A stream without stream.intent frames: one getIntent after the terminal event."""
    get = respx_mock.get("/v1/intents/i-1").respond(
        json={
            "ok": True,
            "intent": {
                "intent_id": "i-1",
                "status": "COMPLETED",
                "last_seq": 3,
                "result": {"r": 1},
            },
        }
    )
    stream = respx_mock.get("/v1/intents/i-1/events/stream").mock(return_value=sse(frame(DONE)))
    result = client.wait_for("i-1")
    assert result["status"] == "COMPLETED" and result.result == {"r": 1}
    assert stream.call_count == 1 and get.call_count == 1


@respx.mock(base_url=BASE, assert_all_called=False)
def test_wait_for_on_a_terminal_intent_returns_its_first_frame(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    canceled = {"intent_id": "i-1", "status": "CANCELED", "last_seq": 4}
    get = respx_mock.get("/v1/intents/i-1")
    stream = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        return_value=sse(intent_frame(canceled))  # already terminal: the whole stream (REQ-SSE-016)
    )
    assert client.wait_for("i-1").status == "CANCELED"
    assert stream.call_count == 1 and get.call_count == 0


@respx.mock(base_url=BASE, assert_all_called=False)
def test_wait_for_timeout_raises_and_never_cancels(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1").respond(
        json={"ok": True, "intent": {"intent_id": "i-1", "status": "WAITING", "last_seq": 2}}
    )
    respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=lambda request: httpx.Response(
            200, headers=SSE, stream=Broken(": keepalive\n\n", httpx.ReadTimeout("idle"))
        )
    )
    resolve = respx_mock.post("/v1/intents/i-1/resolve")
    client._runner.sleep = time.sleep  # the deadline is real time here
    with pytest.raises(axme.WaitTimeoutError) as info:
        client.wait_for("i-1", timeout=0.2)
    assert info.value.intent_id == "i-1" and info.value.error_type == "WaitTimeout"
    assert resolve.call_count == 0


def delivery(n: int) -> dict[str, Any]:
    return {
        "delivery_id": f"d{n}",
        "intent_id": f"i-{n}",
        "attempt": 1,
        "status": "DELIVERED",
        "lease_expires_at": "2026-01-01T00:01:00.000Z",
        "intent": {"intent_id": f"i-{n}"},
    }


def delivery_frame(cursor: int, d: dict[str, Any]) -> str:
    return f"id: {cursor}\nevent: intent.delivery\ndata: {json.dumps(d)}\n\n"


@respx.mock(base_url=BASE)
def test_listen_acks_each_delivery_once_and_resumes_from_the_cursor(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    path = "/v1/agents/agent%3A%2F%2Fo%2Fw%2Fbot/intents/stream"
    stream = respx_mock.get(url__regex=r"/v1/agents/.*/intents/stream").mock(
        side_effect=[
            sse(delivery_frame(7, delivery(1))),
            httpx.Response(503),
            sse(delivery_frame(7, delivery(1)), delivery_frame(8, delivery(2))),
        ]
    )
    acks = respx_mock.post(url__regex=r"/v1/intents/i-\d/ack").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={
                "ok": True,
                "intent": {"intent_id": "x"},
                "lease_expires_at": "2026-01-01T00:02:00.000Z",
            },
        )
    )
    got = []
    with client.listen("agent://o/w/bot") as deliveries:
        for d in deliveries:
            got.append(d.delivery_id)
            assert d.lease_expires_at == "2026-01-01T00:02:00.000Z"
            if len(got) == 2:
                break
    assert got == ["d1", "d2"]
    assert stream.calls[0].request.url.raw_path.startswith(path.encode())
    assert stream.calls[2].request.headers["last-event-id"] == "7"
    assert [json.loads(c.request.content) for c in acks.calls] == [
        {"delivery_id": "d1"},
        {"delivery_id": "d2"},
    ]


@respx.mock(base_url=BASE)
def test_listen_skips_deliveries_it_can_no_longer_ack(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get(url__regex=r"/v1/agents/.*/intents/stream").mock(
        return_value=sse(delivery_frame(1, delivery(1)), delivery_frame(2, delivery(2)))
    )
    respx_mock.post("/v1/intents/i-1/ack").respond(
        409, json={"ok": False, "error": {"code": "stale_delivery", "message": "stale"}}
    )
    respx_mock.post("/v1/intents/i-2/ack").respond(
        json={"ok": True, "intent": {"intent_id": "i-2"}}
    )
    with client.listen("bot") as deliveries:
        assert next(deliveries).delivery_id == "d2"
