"""The plans sync and async share: the SSE read loop (`read_stream`), the raw stream
operation built on it, and serve()'s lease renewal and final write. Driven by hand
(effects answered in the test) or over respx, so every branch is reached."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import respx

from axme import AxmeClient, Delivery
from axme._agent import finish_delivery_plan, renew_lease_plan
from axme._observe import stream_intent_events_plan
from axme._sse import SSEFrame, read_stream
from axme._transport import CloseStream, Core, Emit, OpenStream, Plan, ReadChunk
from axme.errors import AxmeConnectionError

from .conftest import BASE, make_config

RESPONSE = httpx.Response(200)


def drive(plan: Plan[Any], chunks: list[bytes | Exception]) -> tuple[Any, list[Any], list[Any]]:
    """Answer a stream plan's effects by hand: each ReadChunk gets the next chunk (None once
    they run out; an exception is thrown in). Returns (result, emitted, effects seen)."""
    emitted: list[Any] = []
    effects: list[Any] = []
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            effect = plan.throw(error) if error is not None else plan.send(value)
        except StopIteration as stop:
            return stop.value, emitted, effects
        effects.append(effect)
        value, error = None, None
        if isinstance(effect, Emit):
            emitted.append(effect.value)
        elif isinstance(effect, OpenStream):
            value = httpx.Response(200, request=effect.request)
        elif isinstance(effect, ReadChunk) and chunks:
            chunk = chunks.pop(0)
            if isinstance(chunk, Exception):
                error = chunk
            else:
                value = chunk
        elif not isinstance(effect, (ReadChunk, CloseStream)):
            raise AssertionError(f"unexpected effect {effect!r}")


def frame(seq: int, event_type: str = "intent.progress", status: str = "IN_PROGRESS") -> bytes:
    data = {"intent_id": "i-1", "seq": seq, "event_type": event_type, "status": status}
    return f"id: {seq}\nevent: {event_type}\ndata: {json.dumps(data)}\n\n".encode()


def collecting(stop_at: str | None = None) -> tuple[list[SSEFrame], Any]:
    seen: list[SSEFrame] = []

    def handle(f: SSEFrame) -> Plan[bool]:
        seen.append(f)
        yield Emit(f.id)
        return f.event == stop_at

    return seen, handle


def test_read_stream_hands_over_frames_split_across_chunks_and_notes_stream_timeout() -> None:
    seen, handle = collecting()
    body = b"retry: 2000\n\n: keepalive\n\n" + frame(1) + frame(2)
    timeout = b'event: stream.timeout\ndata: {"next_seq": 3}\n\n'
    chunks: list[bytes | Exception] = [body[:17], body[17:50], body[50:], timeout]
    end, emitted, effects = drive(read_stream(RESPONSE, handle), chunks)
    assert emitted == ["1", "2"] and [f.event for f in seen] == ["intent.progress"] * 2
    assert end.clean and not end.stopped and end.broken is None
    assert end.timeout_frame is not None and json.loads(end.timeout_frame.data) == {"next_seq": 3}
    assert isinstance(effects[-1], CloseStream)


def test_read_stream_stops_when_the_handler_says_so_and_closes() -> None:
    seen, handle = collecting(stop_at="intent.completed")
    chunks: list[bytes | Exception] = [
        frame(1) + frame(2, "intent.completed", "COMPLETED") + frame(3),
        frame(4),
    ]
    end, emitted, effects = drive(read_stream(RESPONSE, handle), chunks)
    assert end.stopped and not end.clean
    assert emitted == ["1", "2"]  # nothing after the stop, not even the rest of the chunk
    assert isinstance(effects[-1], CloseStream) and chunks == [frame(4)]


def test_read_stream_reports_a_broken_connection_and_still_closes() -> None:
    _, handle = collecting()
    broken = httpx.ReadTimeout("idle")
    end, emitted, effects = drive(read_stream(RESPONSE, handle), [frame(1), broken])
    assert end.broken is broken and not end.clean and not end.stopped
    assert emitted == ["1"] and isinstance(effects[-1], CloseStream)


def test_raw_stream_operation_raises_a_connection_error_when_the_stream_breaks() -> None:
    plan = stream_intent_events_plan(
        Core(make_config()), "i-1", since=0, wait_seconds=None, options={}
    )
    with pytest.raises(AxmeConnectionError, match="timed out"):
        drive(plan, [frame(1), httpx.ReadTimeout("idle")])


# --- serve(): renewal and the final write ------------------------------------------

DELIVERY = Delivery(
    {
        "delivery_id": "d1",
        "intent_id": "i-1",
        "attempt": 1,
        "lease_expires_at": "2026-01-01T00:00:00.000Z",
        "intent": {"intent_id": "i-1", "payload": {}},
    }
)


def run(plan: Plan[Any]) -> Any:
    with AxmeClient(make_config(max_retries=0)) as client:
        return client._runner.run(plan)


@respx.mock(base_url=BASE)
def test_renewal_returns_the_new_lease(respx_mock: respx.MockRouter) -> None:
    lease = "2026-01-01T00:01:00.000Z"
    ack = respx_mock.post("/v1/intents/i-1/ack").respond(
        200, json={"ok": True, "intent": {"intent_id": "i-1"}, "lease_expires_at": lease}
    )
    renewed = run(renew_lease_plan(Core(make_config(max_retries=0)), DELIVERY))
    assert renewed.lease_expires_at == lease and renewed.delivery_id == "d1"
    assert json.loads(ack.calls.last.request.content) == {"delivery_id": "d1"}


@pytest.mark.parametrize(
    ("status", "code", "expect_same"),
    [(409, "stale_delivery", False), (503, "unavailable", True)],
)
@respx.mock(base_url=BASE)
def test_renewal_failures(
    respx_mock: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: str,
    expect_same: bool,
) -> None:
    """409: the delivery is no longer ours, stop renewing (None); other errors: keep
    the delivery and try again at the next interval."""
    respx_mock.post("/v1/intents/i-1/ack").respond(
        status, json={"ok": False, "error": {"code": code, "message": code}}
    )
    with caplog.at_level(logging.WARNING, logger="axme"):
        renewed = run(renew_lease_plan(Core(make_config(max_retries=0)), DELIVERY))
    assert renewed is (DELIVERY if expect_same else None)
    assert "lease renewal for delivery d1" in caplog.text


@respx.mock(base_url=BASE)
def test_final_write_failure_is_logged_not_raised(
    respx_mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    resume = respx_mock.post("/v1/intents/i-1/resume").respond(
        409, json={"ok": False, "error": {"code": "intent_terminal", "message": "terminal"}}
    )
    core = Core(make_config(max_retries=0))
    with caplog.at_level(logging.INFO, logger="axme"):
        run(finish_delivery_plan(core, DELIVERY, None, ValueError("no rollback plan")))
        run(finish_delivery_plan(core, DELIVERY, ["not", "a", "dict"], None))
    bodies = [json.loads(c.request.content) for c in resume.calls]
    assert bodies == [
        {
            "kind": "agent_result",
            "outcome": "fail",
            "error": {"code": "agent_error", "message": "no rollback plan"},
            "delivery_id": "d1",
        },
        {
            "kind": "agent_result",
            "outcome": "complete",
            "result": ["not", "a", "dict"],
            "delivery_id": "d1",
        },
    ]
    assert "fail_intent for delivery d1" in caplog.text
    assert "resume_intent for delivery d1" in caplog.text
