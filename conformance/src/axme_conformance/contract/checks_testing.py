"""Contract checks of the test-only endpoints (REQ-TEST, spec/behavior/testing.md):
present only with --testing, and behaving as the conformance harness relies on."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from axme_conformance.contract.client import ContractClient, expect, parse_frames
from axme_conformance.contract.registry import check

TESTING_ROUTES = [
    ("POST", "/_testing/namespaces"),
    ("POST", "/_testing/faults"),
    ("DELETE", "/_testing/faults"),
    ("GET", "/_testing/requests"),
    ("POST", "/_testing/clock"),
    ("GET", "/_testing/clock"),
]


def _namespace(c: ContractClient) -> tuple[str, str]:
    body = c.ok(c.request("POST", "/_testing/namespaces", key=None))
    return body["namespace"], body["admin_api_key"]


def _fault(c: ContractClient, ns: str, match: dict[str, Any], action: dict[str, Any]) -> str:
    body = c.ok(
        c.request(
            "POST",
            "/_testing/faults",
            key=None,
            body={"namespace": ns, "match": match, "action": action},
        )
    )
    return str(body["fault_id"])


def _records(c: ContractClient, ns: str) -> list[dict[str, Any]]:
    body = c.ok(c.request("GET", "/_testing/requests", key=None, params={"namespace": ns}))
    return list(body["requests"])


def _now(c: ContractClient) -> datetime:
    now = c.ok(c.request("GET", "/_testing/clock", key=None))["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00"))


@check("testing/absent-without-the-flag", requirements=["REQ-TEST-001"], needs="production")
def absent_without_flag(c: ContractClient) -> None:
    for method, path in TESTING_ROUTES:
        c.error(
            c.request(method, path, key=None, body={} if method == "POST" else None),
            404,
            "not_found",
        )
        c.error(c.request(method, path, body={} if method == "POST" else None), 404, "not_found")


@check("testing/controllable-clock", requirements=["REQ-TEST-007"], needs="testing")
def controllable_clock(c: ContractClient) -> None:
    before = _now(c)
    expect(
        before >= datetime.now(UTC) - timedelta(seconds=2),
        f"the test clock {before} is behind real time",
    )
    ns_key = _namespace(c)[1]
    target = c.ok(c.request("POST", "/v1/agents", key=ns_key, body={"address": "clocked"}))
    deadline = (before + timedelta(seconds=600)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    intent_id = c.ok(
        c.request(
            "POST",
            "/v1/intents",
            key=ns_key,
            body={
                "intent_type": "intent.contract.clock.v1",
                "to_agent": target["agent"]["address"],
                "payload": {},
                "deadline_at": deadline,
            },
        )
    )["intent_id"]
    advanced = c.ok(c.request("POST", "/_testing/clock", key=None, body={"advance_seconds": 601}))
    after = datetime.fromisoformat(advanced["now"].replace("Z", "+00:00"))
    expect(after >= before + timedelta(seconds=601), f"clock {before} → {after} after +601 s")
    # Returned only after every due timer fired and committed: no waiting needed.
    intent = c.intent(intent_id, key=ns_key)
    expect(
        intent["status"] == "TIMED_OUT",
        f"the deadline timer had not committed when the clock call returned: {intent['status']}",
    )
    expect(_now(c) >= after, "the clock moved backwards")


@check("testing/namespaces", requirements=["REQ-TEST-002"], needs="testing")
def namespaces(c: ContractClient) -> None:
    first, key = _namespace(c)
    second, other_key = _namespace(c)
    expect(first != second and first.startswith("ns_"), f"namespaces {first}, {second}")
    agent = c.ok(c.request("POST", "/v1/agents", key=key, body={"address": "bare"}))["agent"]
    expect(
        agent["address"] == f"agent://{first}/default/bare",
        f"a namespace is org {first}, workspace default: {agent['address']}",
    )
    c.error(c.request("GET", "/v1/agents/bare", key=other_key), 404, "agent_not_found")
    keys = c.ok(c.request("GET", "/v1/admin/keys", key=key))["keys"]
    admins = [k for k in keys if k["kind"] == "admin"]
    expect(len(admins) == 1, f"one admin key per namespace: {admins}")
    expect(key.startswith(f"axme_admin_{admins[0]['key_id']}_"), "the namespace's admin key")


@check("testing/request-recording", requirements=["REQ-TEST-003"], needs="testing")
def request_recording(c: ContractClient) -> None:
    ns, key = _namespace(c)
    raw = b'{"address":  "recorded", "display_name": "R"}'
    c.ok(c.request("POST", "/v1/agents", key=key, content=raw, headers={"X-Trace-Id": "t-1"}))
    c.ok(
        c.request(
            "GET",
            "/v1/agents",
            key=None,
            params={"limit": 5},
            headers={"authorization": f"Bearer {key}"},
        )
    )
    c.error(c.request("GET", "/v1/agents/nobody", key=key), 404, "agent_not_found")
    c.request("GET", "/v1/intents", key=None)  # no key: not in any namespace
    records = _records(c, ns)
    expect([r["seq"] for r in records] == [1, 2, 3], f"seqs: {[r['seq'] for r in records]}")
    post, listing, missing = records
    expect(
        (post["method"], post["path"], post["status"], post["op"])
        == ("POST", "/v1/agents", 200, "registerAgent"),
        f"{post}",
    )
    expect(post["body"] == json.loads(raw), f"parsed body: {post['body']}")
    expect(post["body_sha256"] == hashlib.sha256(raw).hexdigest(), "body_sha256 of the raw bytes")
    expect(post["headers"].get("x-trace-id") == "t-1", "header names are lower-cased")
    expect(post["headers"].get("x-api-key") == "axme_admin_", f"{post['headers'].get('x-api-key')}")
    expect(key not in json.dumps(records), "a recorded request leaks the API key")
    expect(
        listing["headers"].get("authorization") == "Bearer axme_admin_",
        f"Bearer keys are redacted too: {listing['headers'].get('authorization')}",
    )
    expect(listing["query"] in ("limit=5", {"limit": "5"}), f"query: {listing['query']}")
    expect(listing["body"] is None and listing["fault_applied"] is None, f"{listing}")
    expect(missing["status"] == 404 and missing["op"] == "getAgent", f"{missing}")


@check(
    "testing/status-faults-match-and-count-down",
    requirements=["REQ-TEST-004", "REQ-TEST-005"],
    needs="testing",
)
def status_faults(c: ContractClient) -> None:
    ns, key = _namespace(c)
    _, other_key = _namespace(c)
    by_op = _fault(
        c,
        ns,
        {"op": "listAgents"},
        {"type": "status", "status": 503, "times": 2, "retry_after": "1"},
    )
    for _ in range(2):
        response = c.request("GET", "/v1/agents", key=key)
        c.error(response, 503)
        expect(response.headers.get("retry-after") == "1", "Retry-After from the fault")
    c.ok(c.request("GET", "/v1/agents", key=key))
    c.ok(c.request("GET", "/v1/agents", key=other_key))  # another namespace: untouched
    verbatim = {
        "ok": False,
        "error": {
            "code": "rate_limited",
            "message": "slow down",
            "category": "rate_limit",
            "retryable": True,
            "details": None,
        },
        "detail": "slow down",
    }
    _fault(
        c,
        ns,
        {"method": "POST", "path": "^/v1/agents$"},
        {"type": "status", "status": 429, "times": 1, "retry_after": None, "body": verbatim},
    )
    c.ok(c.request("GET", "/v1/intents", key=key))  # GET does not match method POST
    limited = c.request("POST", "/v1/agents", key=key, body={"address": "later"})
    expect(
        limited.status_code == 429 and limited.json() == verbatim,
        f"body must be sent verbatim: {limited.status_code} {limited.text[:200]}",
    )
    expect("retry-after" not in limited.headers, "retry_after null sends no Retry-After")
    c.error(c.request("GET", "/v1/agents/later", key=key), 404)  # the handler never ran
    c.ok(c.request("POST", "/v1/agents", key=key, body={"address": "later"}))
    applied = [r["fault_applied"] for r in _records(c, ns) if r["op"] == "listAgents"]
    expect(applied == [by_op, by_op, None], f"fault_applied per request: {applied}")


@check("testing/stream-faults", requirements=["REQ-TEST-006"], needs="testing")
def stream_faults(c: ContractClient) -> None:
    ns, key = _namespace(c)
    address = c.ok(c.request("POST", "/v1/agents", key=key, body={"address": "w"}))["agent"][
        "address"
    ]
    intent_id = c.ok(
        c.request(
            "POST",
            "/v1/intents",
            key=key,
            body={"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {}},
        )
    )["intent_id"]
    c.ok(
        c.request("POST", f"/v1/intents/{intent_id}/resolve", key=key, body={"status": "CANCELED"})
    )
    path = f"/v1/intents/{intent_id}/events/stream"
    _fault(c, ns, {"op": "streamIntentEvents"}, {"type": "drop_stream", "after_events": 1})
    text = _read_until_dropped(c, path, key)
    frames = [f for f in parse_frames(text) if "data" in f]
    expect(
        len(frames) == 1 and frames[0].get("event") == "intent.submitted",
        f"drop_stream after 1 event: {text[:300]!r}",
    )
    expect("stream.timeout" not in text, "a dropped stream ends without stream.timeout")
    whole = c.stream(path, key=key)[1]
    expect(len([f for f in parse_frames(whole) if "data" in f]) == 2, "times: 1 counts down")
    frames_text = 'event: custom\ndata: {"x": 1}\n\n: note\n\n'
    _fault(c, ns, {"op": "streamIntentEvents"}, {"type": "raw_sse", "frames": frames_text})
    status, text, headers = c.stream(path, key=key)
    expect(
        status == 200 and headers.get("content-type", "").startswith("text/event-stream"),
        f"raw_sse answers 200 text/event-stream: {status} {headers.get('content-type')}",
    )
    expect(text == frames_text, f"raw_sse body must be exactly the frames: {text!r}")


def _read_until_dropped(c: ContractClient, path: str, key: str) -> str:
    """Whatever arrived before the server dropped (or closed) the stream."""
    chunks: list[str] = []
    headers = {"x-api-key": key, "accept": "text/event-stream"}
    try:
        with c.http.stream("GET", path, headers=headers, params={"wait_seconds": 5}) as response:
            expect(response.status_code == 200, f"stream status {response.status_code}")
            for chunk in response.iter_text():
                chunks.append(chunk)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        pass  # an abrupt close is what drop_stream promises
    return "".join(chunks)
