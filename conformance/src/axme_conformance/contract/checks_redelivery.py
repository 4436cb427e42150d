"""Contract checks (testing servers): a lease never waits with a consumer that is gone
(REQ-DELIVERY-016, T22) and a failed scenario step is retried after its delay
(REQ-DELIVERY-015, T23). Both rely on the controllable clock of REQ-TEST-007."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from axme_conformance.contract.client import CheckFailed, ContractClient, expect, parse_frames
from axme_conformance.contract.registry import check

# Far below the 60 s default lease: a delivery that arrives within it came without a lease
# expiry (and the attempt number says the same).
WAIT_S = 10.0
# How the consumer goes: (label, the create is already in flight when it closes).
ROUNDS = [("closed stream, create in flight", True)] * 3 + [
    ("closed stream, then create", False),
    ("abandoned long-poll", False),
]


class HeldStream:
    """An agent delivery stream kept open while the check does other requests; its frames
    are read on demand, each read bounded by a deadline."""

    def __init__(self, c: ContractClient, address: str, key: str) -> None:
        self._context: AbstractContextManager[httpx.Response] = c.http.stream(
            "GET",
            f"/v1/agents/{quote(address, safe='')}/intents/stream",
            params={"wait_seconds": 60},
            timeout=httpx.Timeout(WAIT_S),
            headers={"x-api-key": key, "accept": "text/event-stream"},
        )
        self._closed = False
        self.response = self._context.__enter__()
        if self.response.status_code != 200:
            body = self.response.read()[:200]
            self.close()
            raise CheckFailed(f"agent stream: {self.response.status_code} {body!r}")
        self._chunks: Iterator[str] = self.response.iter_text()
        self._buffer = ""

    def next_frame(self, deadline: float) -> dict[str, Any]:
        while "\n\n" not in self._buffer:
            if time.monotonic() > deadline:
                raise CheckFailed(f"no complete frame within {WAIT_S}s: {self._buffer[:200]!r}")
            try:
                chunk = next(self._chunks)
            except StopIteration:
                raise CheckFailed(f"the stream closed: {self._buffer[:200]!r}") from None
            except httpx.ReadTimeout:
                raise CheckFailed(f"nothing on the stream for {WAIT_S}s") from None
            self._buffer = (self._buffer + chunk).replace("\r\n", "\n")
        block, _, self._buffer = self._buffer.partition("\n\n")
        frames = parse_frames(block)
        return frames[0] if frames else {}

    def wait_open(self) -> None:
        """The server sends `retry:` first (REQ-SSE-002): from then on the stream is open."""
        deadline = time.monotonic() + WAIT_S
        while "retry" not in self.next_frame(deadline):
            pass

    def delivery_where(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while True:
            frame = self.next_frame(deadline)
            data = frame.get("json")
            if frame.get("event") == "intent.delivery" and data and wanted(data):
                return dict(data)

    def close(self) -> None:
        """Drops the connection (the response was not read to its end); idempotent."""
        if not self._closed:
            self._closed = True
            self._context.__exit__(None, None, None)


def _clock_offset(c: ContractClient) -> float:
    """How far the testing clock runs ahead of real time (only advance_seconds moves it)."""
    now = c.ok(c.request("GET", "/_testing/clock", key=None))["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp() - time.time()


def _accepted_connection(c: ContractClient) -> tuple[socket.socket, str]:
    """A raw connection the server is already reading: one request on it was answered."""
    url = urlsplit(c.base_url)
    host = url.hostname or "127.0.0.1"
    sock = socket.create_connection((host, url.port or 80), timeout=WAIT_S)
    sock.sendall(f"GET /health HTTP/1.1\r\nhost: {host}\r\n\r\n".encode())
    seen = b""
    while b"\r\n\r\n" not in seen:
        chunk = sock.recv(65536)
        expect(bool(chunk), f"the server closed the connection: {seen[:200]!r}")
        seen += chunk
    return sock, host


def _abandoned_poll(c: ContractClient, address: str, key: str) -> None:
    """A long-poll whose client gives up while it waits."""
    sock, host = _accepted_connection(c)
    with sock:
        sock.sendall(
            f"GET /v1/agents/{quote(address, safe='')}/intents?status=pending"
            f"&wait_seconds=60 HTTP/1.1\r\nhost: {host}\r\nx-api-key: {key}\r\n\r\n".encode()
        )


def _create_in_flight(
    c: ContractClient, address: str, marker: str, close: Callable[[], None]
) -> None:
    """createIntent written in full on its own connection, then `close()` at once, so the
    create and the close reach the server together; then its answer must be 200."""
    body = json.dumps(
        {
            "intent_type": "intent.contract.check.v1",
            "to_agent": address,
            "payload": {"probe": marker},
        }
    ).encode()
    sock, host = _accepted_connection(c)
    with sock:
        sock.sendall(
            f"POST /v1/intents HTTP/1.1\r\nhost: {host}\r\nx-api-key: {c.admin_key}"
            f"\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\n\r\n".encode()
            + body
        )
        close()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    # The last status line is the create's (the /health answer may still be in front).
    statuses = re.findall(rb"HTTP/1\.[01] (\d{3}) ", answer)
    expect(statuses[-1:] == [b"200"], f"createIntent was not answered 200: {answer[-300:]!r}")


def _expect_delivered_once(c: ContractClient, marker: str, live: HeldStream, label: str) -> None:
    """The live stream gets the intent at attempt 1. Whether the gone consumer was leased it
    first (and it was handed back) depends on when the server saw the close: both are fine."""
    try:
        got = live.delivery_where(lambda d: d["intent"]["payload"].get("probe") == marker)
    except CheckFailed as exc:
        raise CheckFailed(
            f"{label}: the live stream got no delivery ({exc}); was the lease "
            "left with the consumer that is gone?"
        ) from None
    intent_id = got["intent_id"]
    expect(
        got["attempt"] == 1,
        f"{label}: the live stream got attempt {got['attempt']}: a lease left with the gone "
        "consumer counted an attempt (or waited for its expiry)",
    )
    intent = c.intent(intent_id)
    expect(
        intent["status"] == "DELIVERED" and intent["delivery_attempt"] == 1,
        f"{label}: {intent['status']} attempt {intent['delivery_attempt']}",
    )
    events = c.events(intent_id)
    for event in (e for e in events if e["event_type"] == "intent.redelivered"):
        expect(
            event["data"].get("reason") == "consumer_gone" and event["status"] == "SUBMITTED",
            f"{label}: a hand-back of an undelivered lease is reason consumer_gone: {event}",
        )
    last = events[-1]
    expect(
        last["event_type"] == "intent.delivered"
        and last["data"]["delivery_id"] == got["delivery_id"],
        f"{label}: the last event must be the live stream's lease: {last}",
    )


@check(
    "delivery/gone-consumer-lease-handed-back", requirements=["REQ-DELIVERY-016"], needs="testing"
)
def gone_consumer(c: ContractClient) -> None:
    offset = _clock_offset(c)
    for n, (label, in_flight) in enumerate(ROUNDS):
        address, key = c.new_agent(f"lane{n}", delivery_mode="stream")
        marker = c.unique("probe")
        # The consumer that goes away is first in line, so it would be offered first.
        polling = label.startswith("abandoned")
        dead = None if polling else HeldStream(c, address, key)
        if dead is None:
            _abandoned_poll(c, address, key)
        else:
            dead.wait_open()
        live = HeldStream(c, address, key)
        try:
            live.wait_open()
            if in_flight and dead is not None:
                _create_in_flight(c, address, marker, dead.close)
            else:
                if dead is not None:
                    dead.close()
                c.new_intent(address, payload={"probe": marker})
            _expect_delivered_once(c, marker, live, label)
        finally:
            live.close()
            if dead is not None:
                dead.close()
    drift = _clock_offset(c) - offset
    expect(
        abs(drift) < 2.0,
        f"the testing clock moved {drift:.1f} s beyond real time: the "
        "delivery must not need a clock advance",
    )


def _retry_bundle(c: ContractClient) -> dict[str, Any]:
    return {
        "scenario_id": "contract.step-retry.v1",
        "agents": [
            {
                "role": "worker",
                "address": c.unique("flaky"),
                "delivery_mode": "poll",
                "create_if_missing": True,
            }
        ],
        "humans": [],
        "workflow": {
            "steps": [
                {
                    "step_id": "work",
                    "assigned_to": "worker",
                    "retry": {"max_retries": 1, "retry_delay_seconds": 5},
                }
            ]
        },
        "intent": {"type": "intent.contract.step_retry.v1", "payload": {}},
    }


def _fail(
    c: ContractClient, intent_id: str, key: str, delivery: dict[str, Any], n: int
) -> dict[str, Any]:
    body = c.resume(
        intent_id,
        {
            "kind": "agent_result",
            "outcome": "fail",
            "delivery_id": delivery["delivery_id"],
            "error": {"code": "flaky", "message": f"failure {n}"},
        },
        key=key,
    )
    return dict(body["intent"])


def _poll_now(c: ContractClient, address: str, key: str) -> list[dict[str, Any]]:
    return list(
        c.ok(
            c.request(
                "GET",
                f"/v1/agents/{quote(address, safe='')}/intents",
                key=key,
                params={"status": "pending", "wait_seconds": 0},
            )
        )["deliveries"]
    )


@check("delivery/step-retry-after-delay", requirements=["REQ-DELIVERY-015"], needs="testing")
def step_retry(c: ContractClient) -> None:
    applied = c.ok(c.request("POST", "/v1/scenarios/apply", body=_retry_bundle(c)))
    intent_id, worker = applied["intent_id"], applied["agents"][0]
    address, key = worker["address"], worker["api_key"]
    first = c.take_delivery(address, key, intent_id)
    retried = _fail(c, intent_id, key, first, 1)
    expect(
        retried["status"] == "SUBMITTED",
        f"a failure with retries left goes back to SUBMITTED (T23): {retried['status']}",
    )
    event = c.events(intent_id)[-1]
    expect(
        event["event_type"] == "intent.redelivered"
        and event["status"] == "SUBMITTED"
        and event["data"].get("reason") == "step_retry",
        f"the retry is intent.redelivered reason step_retry: {event}",
    )
    expect(event["data"].get("previous_delivery_id") == first["delivery_id"], f"{event['data']}")
    early = _poll_now(c, address, key)
    expect(
        all(d["intent_id"] != intent_id for d in early),
        f"delivered again before retry_delay_seconds: {early}",
    )
    c.ok(c.request("POST", "/_testing/clock", key=None, body={"advance_seconds": 6}))
    # The clock call returns once the due retry timer has committed (REQ-TEST-007), so the
    # intent is available now: a poll that does not wait must get it (real time alone, which
    # also moves the testing clock, would need seconds more).
    again = [d for d in _poll_now(c, address, key) if d["intent_id"] == intent_id]
    expect(
        len(again) == 1,
        "not delivered again at once after the clock passed "
        f"retry_delay_seconds: {c.intent(intent_id)}",
    )
    second = again[0]
    expect(second["delivery_id"] != first["delivery_id"], "a retry is a new delivery")
    failed = _fail(c, intent_id, key, second, 2)
    expect(
        failed["status"] == "FAILED" and failed["error"]["code"] == "flaky",
        f"with no retries left a failure ends the intent (T10): {failed}",
    )
    reasons = [
        e["data"].get("reason")
        for e in c.events(intent_id)
        if e["event_type"] == "intent.redelivered"
    ]
    expect(reasons == ["step_retry"], f"max_retries 1 allows one retry: {reasons}")
