"""Contract checks: limits on API input and output (REQ-LIMIT-008..010, 013..016): integer
parameters, timestamps, integers beyond 2^53, audit pages, /metrics, revocation and the
last admin key."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from axme_conformance.contract.client import (
    CheckFailed,
    CheckSkipped,
    ContractClient,
    expect,
    parse_frames,
)
from axme_conformance.contract.registry import check

MAX_SAFE = 2**53 - 1
BAD_INTEGERS = ("\u00b2", "1" * 30, str(MAX_SAFE + 1), "-1", "1e3", "0x10", " 1")


def _field_error(c: ContractClient, response: Any, field: str) -> None:
    body = c.error(response, 422, "validation_error")
    got = body["error"]["details"].get("field")
    expect(got == field, f"details.field must be {field!r}, got {got!r}: {body['error']}")


@check("limits/integer-parameters-422", requirements=["REQ-LIMIT-008"])
def integer_parameters(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    for raw in BAD_INTEGERS:
        _field_error(
            c, c.request("GET", f"/v1/intents/{intent_id}/events", params={"since": raw}), "since"
        )
        _field_error(
            c, c.request("GET", f"/v1/intents/{intent_id}/audit", params={"since": raw}), "since"
        )
        _field_error(c, c.request("GET", "/v1/intents", params={"limit": raw}), "limit")
        _field_error(c, c.request("GET", "/v1/intents", params={"cursor": raw}), "cursor")
        _field_error(
            c,
            c.request(
                "GET",
                f"/v1/intents/{intent_id}/events/stream",
                params={"since": raw, "wait_seconds": 1},
            ),
            "since",
        )
    last = c.ok(c.request("GET", f"/v1/intents/{intent_id}/events", params={"since": MAX_SAFE}))
    expect(last["events"] == [], f"since=2^53-1 is valid and past every event: {last}")
    # A Last-Event-ID that is not such an integer is ignored: the stream starts at seq 1.
    for raw in ("1" * 30, str(MAX_SAFE + 1), "-5", "1e3"):
        status, text, _ = c.stream(
            f"/v1/intents/{intent_id}/events/stream",
            params={"wait_seconds": 1},
            headers={"last-event-id": raw},
            timeout_s=5,
            until=lambda t: re.search(r"\nid: ?\d+\n", t) is not None,
        )
        frames = [f for f in parse_frames(text) if "id" in f]
        expect(
            status == 200 and bool(frames) and frames[0]["id"] == "1",
            f"Last-Event-ID {raw!r} must be ignored (stream from seq 1): {status} {text[:200]!r}",
        )


BAD_TIMESTAMPS = (
    "2099-01-01",
    "2099-01-01T00:00:00",
    "2099-01-01 00:00:00Z",
    "2099-01-01T00:00Z",
    "+12099-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2099-13-01T00:00:00Z",
    "2099-01-01T00:00:00+0200",
    "2099-01-01T00:00:00z0",
    "4102444800",
)


@check("limits/strict-timestamps-422", requirements=["REQ-LIMIT-009"])
def strict_timestamps(c: ContractClient) -> None:
    address, _ = c.new_agent()
    base = {"intent_type": "intent.contract.deadline.v1", "to_agent": address, "payload": {}}
    for raw in BAD_TIMESTAMPS:
        _field_error(
            c, c.request("POST", "/v1/intents", body={**base, "deadline_at": raw}), "deadline_at"
        )
        _field_error(
            c,
            c.request(
                "POST", "/v1/admin/keys", body={"kind": "admin", "name": "ts", "expires_at": raw}
            ),
            "expires_at",
        )
    for raw in ("2099-01-01T00:00:00Z", "2099-01-01T00:00:00.5+02:00", "2099-01-01t00:00:00-05:30"):
        c.ok(c.request("POST", "/v1/intents", body={**base, "deadline_at": raw}))


BIG = {
    "two_to_64": 2**64,
    "negative": -(2**64) - 1,
    "above_2_53": 2**53 + 1,
    "nested": [2**70, {"n": 10**30}],
}


@check("limits/integers-beyond-2-53-exact", requirements=["REQ-LIMIT-010"])
def big_integers(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, payload=BIG)
    response = c.request("GET", f"/v1/intents/{intent_id}")
    expect(
        "18446744073709551616" in response.text,
        f"2^64 must come back as written: {response.text[:400]}",
    )
    intent = c.ok(response)["intent"]
    expect(intent["payload"] == BIG, f"payload integers changed: {intent['payload']} != {BIG}")
    done = c.complete_agent_step(
        address, key, intent_id, {"total": 2**64 + 7, "list": [2**63, -(2**63) - 1]}
    )
    got = c.intent(intent_id) if done.get("status") != "COMPLETED" else done
    expect(
        got.get("result") == {"total": 2**64 + 7, "list": [2**63, -(2**63) - 1]},
        f"result integers changed: {got.get('result')}",
    )


def _audit_page(c: ContractClient, intent_id: str, **params: Any) -> dict[str, Any]:
    return c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit", params=params))


@check("limits/audit-pages", requirements=["REQ-LIMIT-013"])
def audit_pages(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    c.complete_agent_step(address, key, intent_id, {"v": 1})
    everything = _audit_page(c, intent_id)["audit"]
    expect(
        len(everything) >= 3, f"an intent through one agent step has 3+ audit entries: {everything}"
    )
    seqs = [e["seq"] for e in everything]
    since, collected = 0, []
    while True:
        page = _audit_page(c, intent_id, since=since, limit=2)
        entries = page["audit"]
        expect(len(entries) <= 2, f"limit=2 returned {len(entries)} entries")
        expect(
            all(e["seq"] > since for e in entries), f"entries at or before since={since}: {entries}"
        )
        want = (entries[-1]["seq"] if entries else since) + 1
        expect(page["next_seq"] == want, f"next_seq must be {want}: {page['next_seq']}")
        if not entries:
            break
        collected += [e["seq"] for e in entries]
        since = page["next_seq"] - 1
    expect(collected == seqs, f"paging by 2 gives {collected}, all at once {seqs}")
    far = seqs[-1] + 100
    page = _audit_page(c, intent_id, since=far)
    expect(page["audit"] == [] and page["next_seq"] == far + 1, f"past the end: {page}")
    c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit", params={"limit": 1000}))
    for bad in (0, 1001):
        _field_error(
            c, c.request("GET", f"/v1/intents/{intent_id}/audit", params={"limit": bad}), "limit"
        )


def _intent_gauges(text: str) -> int | None:
    """The sum of the reference server's `axme_intents{status=…}` gauges, if it has them."""
    values = [float(m.group(1)) for m in re.finditer(r"^axme_intents\{[^}]*\} (\S+)$", text, re.M)]
    return int(sum(values)) if values else None


@check("limits/metrics-need-an-admin-key", requirements=["REQ-LIMIT-014"])
def metrics_admin_only(c: ContractClient) -> None:
    c.error(c.request("GET", "/metrics", key=None), 401, "unauthorized")
    address, agent_key = c.new_agent()
    c.forbidden(c.request("GET", "/metrics", key=agent_key), "admin_required")
    mine = c.request("GET", "/metrics")
    expect(
        mine.status_code == 200,
        f"an admin key reads /metrics: {mine.status_code} {mine.text[:200]}",
    )
    created = c.request(
        "POST", "/v1/admin/workspaces", body={"org": c.unique("org"), "name": "metrics"}
    )
    if created.status_code == 403:
        raise CheckSkipped("workspace isolation needs an operator key (REQ-AUTH-017)")
    other_key = c.ok(created)["api_key"]
    other_agent = c.ok(c.request("POST", "/v1/agents", key=other_key, body={"address": "m"}))[
        "agent"
    ]
    c.new_intent(other_agent["address"], key=other_key)
    c.new_intent(address)
    theirs = c.request("GET", "/metrics", key=other_key)
    expect(theirs.status_code == 200, f"{theirs.status_code} {theirs.text[:200]}")
    counted = _intent_gauges(theirs.text)
    if counted is not None:
        expect(
            counted == 1, f"a workspace with one intent sees {counted} in its axme_intents gauges"
        )


@check("limits/revocation-ends-streams", requirements=["REQ-LIMIT-015"])
def revocation_ends_streams(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    created = c.ok(c.request("POST", "/v1/admin/keys", body={"kind": "admin", "name": "streamer"}))
    key, key_id = created["api_key"], created["key"]["key_id"]
    received: list[str] = []  # the stream's text so far, after each chunk
    opened, ended = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def seen(text: str) -> bool:
        received.append(text)
        opened.set()
        return False

    def watch() -> None:
        try:
            outcome["status"] = c.stream(
                f"/v1/intents/{intent_id}/events/stream",
                key=key,
                params={"wait_seconds": 30},
                timeout_s=8,
                until=seen,
            )[0]
        except Exception as exc:  # noqa: BLE001 - a reset connection also ends the stream
            outcome["error"] = exc
        finally:
            opened.set()
            ended.set()

    threading.Thread(target=watch, daemon=True).start()
    expect(opened.wait(5) and bool(received), f"the stream did not start: {outcome}")
    c.ok(c.request("DELETE", f"/v1/admin/keys/{key_id}"))
    revoked_at = time.monotonic()
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    expect(ended.wait(2.0), "the revoked key's stream was still open 2 s after revokeKey answered")
    took = time.monotonic() - revoked_at
    expect(not isinstance(outcome.get("error"), CheckFailed), f"{outcome.get('error')}")
    late = [f for f in parse_frames(received[-1]) if "CANCELED" in json.dumps(f.get("json", ""))]
    expect(not late, f"an event was framed after revokeKey answered: {late}")
    # 1 s (REQ-LIMIT-015) plus the cancel request and scheduling on a loaded machine.
    expect(took <= 1.5, f"the stream ended {took:.2f}s after revocation (limit 1 s)")


@check("limits/last-admin-key-409", requirements=["REQ-LIMIT-016"])
def last_admin_key(c: ContractClient) -> None:
    created = c.request(
        "POST", "/v1/admin/workspaces", body={"org": c.unique("org"), "name": "keys"}
    )
    if created.status_code == 403:
        raise CheckSkipped(
            "needs an operator key to create a workspace with one admin key (REQ-AUTH-017)"
        )
    first = c.ok(created)["api_key"]
    keys = c.ok(c.request("GET", "/v1/admin/keys", key=first))["keys"]
    admins = [k["key_id"] for k in keys if k["kind"] == "admin"]
    expect(len(admins) == 1, f"a new workspace has one admin key: {keys}")
    refused = c.error(
        c.request("DELETE", f"/v1/admin/keys/{admins[0]}", key=first), 409, "last_admin_key"
    )
    expect(
        refused["error"]["details"].get("key_id") == admins[0],
        f"details.key_id: {refused['error']}",
    )
    second = c.ok(
        c.request("POST", "/v1/admin/keys", key=first, body={"kind": "admin", "name": "two"})
    )
    c.ok(c.request("DELETE", f"/v1/admin/keys/{admins[0]}", key=second["api_key"]))
    c.error(c.request("GET", "/v1/admin/keys", key=first), 401, "unauthorized")
    c.error(
        c.request("DELETE", f"/v1/admin/keys/{second['key']['key_id']}", key=second["api_key"]),
        409,
        "last_admin_key",
    )
