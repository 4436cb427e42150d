"""Contract checks: Idempotency-Key scope, what is stored, retention, concurrency."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check

CONCURRENT_DUPLICATES = 6


def _create(
    c: ContractClient,
    idem: str,
    to_agent: str,
    key: str | bool = True,
    payload: dict[str, Any] | None = None,
) -> httpx.Response:
    return c.request(
        "POST",
        "/v1/intents",
        key=key,
        headers={"idempotency-key": idem},
        body={
            "intent_type": "intent.contract.check.v1",
            "to_agent": to_agent,
            "payload": payload or {},
        },
    )


def _count(c: ContractClient, to_agent: str) -> int:
    return len(c.ok(c.request("GET", "/v1/intents", params={"to_agent": to_agent}))["intents"])


@check("idempotency/scope-principal-and-path", requirements=["REQ-IDEMP-002"])
def scope(c: ContractClient) -> None:
    address, _ = c.new_agent()
    _, sender_key = c.new_agent("sender")
    idem = uuid.uuid4().hex
    first = _create(c, idem, address)
    other_principal = _create(c, idem, address, key=sender_key)
    c.ok(first)
    c.ok(other_principal)
    expect(
        other_principal.headers.get("idempotent-replayed") is None
        and first.json()["intent_id"] != other_principal.json()["intent_id"],
        "the same key under another principal must be unrelated",
    )
    other_path = c.request(
        "POST",
        "/v1/agents",
        headers={"idempotency-key": idem},
        body={"address": c.unique("scoped")},
    )
    c.ok(other_path)
    expect(
        other_path.headers.get("idempotent-replayed") is None,
        "the same key on another path must be unrelated",
    )
    expect(_count(c, address) == 2, "each principal created its own intent")


@check("idempotency/conflict-changes-nothing", requirements=["REQ-IDEMP-004"])
def conflict_changes_nothing(c: ContractClient) -> None:
    address, _ = c.new_agent()
    idem = uuid.uuid4().hex
    c.ok(_create(c, idem, address, payload={"v": 1}))
    c.error(_create(c, idem, address, payload={"v": 2}), 409, "idempotency_conflict")
    intents = c.ok(c.request("GET", "/v1/intents", params={"to_agent": address}))["intents"]
    expect(
        len(intents) == 1 and intents[0]["payload"] == {"v": 1},
        f"a conflicting request changed something: {intents}",
    )


@check("idempotency/only-successes-stored", requirements=["REQ-IDEMP-005"])
def only_successes(c: ContractClient) -> None:
    address, _ = c.new_agent()
    idem = uuid.uuid4().hex
    c.error(_create(c, idem, c.unique("ghost")), 404, "agent_not_found")
    after_failure = _create(c, idem, address)
    c.ok(after_failure)
    expect(
        after_failure.headers.get("idempotent-replayed") is None,
        "a key whose first use failed must execute normally",
    )
    replay = _create(c, idem, address)
    expect(
        replay.headers.get("idempotent-replayed") == "true"
        and replay.content == after_failure.content,
        "the success is stored and replayed",
    )


@check("idempotency/concurrent-duplicates", requirements=["REQ-IDEMP-007"])
def concurrent_duplicates(c: ContractClient) -> None:
    address, _ = c.new_agent()
    idem = uuid.uuid4().hex
    start = threading.Barrier(CONCURRENT_DUPLICATES)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        start.wait(timeout=10)
        response = _create(c, idem, address)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=send) for _ in range(CONCURRENT_DUPLICATES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    expect(len(responses) == CONCURRENT_DUPLICATES, "a concurrent request did not answer")
    bodies = {r.content for r in responses if r.status_code == 200}
    expect(len(bodies) == 1, f"every 200 must carry the same body: {len(bodies)} distinct")
    for r in responses:
        if r.status_code != 200:
            body = c.error(r, 409, "idempotency_conflict")
            expect(body["error"]["details"].get("reason") == "in_progress", f"{body['error']}")
    expect(_count(c, address) == 1, "concurrent duplicates created more than one intent")


@check("idempotency/kept-24-hours", requirements=["REQ-IDEMP-006"], needs="testing")
def retention(c: ContractClient) -> None:
    address, _ = c.new_agent()
    idem = uuid.uuid4().hex
    first = _create(c, idem, address)
    c.ok(first)
    c.ok(c.request("POST", "/_testing/clock", key=None, body={"advance_seconds": 24 * 3600 - 5}))
    replay = _create(c, idem, address)
    expect(
        replay.headers.get("idempotent-replayed") == "true" and replay.content == first.content,
        "a stored response must still replay just under 24 hours later",
    )
    expect(_count(c, address) == 1, "the replay created an intent")


@check(
    "idempotency/secret-minting-replay-keeps-no-secret",
    requirements=["REQ-IDEMP-009", "REQ-AUTH-003"],
)
def secret_minting_replay(c: ContractClient) -> None:
    idem = uuid.uuid4().hex
    name = f"idem-{idem[:12]}"
    body = {"kind": "human", "name": name, "human": {"id": name, "display_name": name}}
    headers = {"idempotency-key": idem}
    created = c.ok(c.request("POST", "/v1/admin/keys", headers=headers, body=body))
    replay = c.request("POST", "/v1/admin/keys", headers=headers, body=body)
    details = c.error(replay, 409, "idempotency_conflict")["error"]["details"]
    expect(
        details.get("reason") == "secret_not_kept"
        and details.get("key_id") == created["key"]["key_id"],
        f"a createKey replay must be 409 secret_not_kept naming the key: {details}",
    )
    expect(
        replay.headers.get("idempotent-replayed") == "true",
        "the 409 is a replay: Idempotent-Replayed: true",
    )
    expect(b"api_key" not in replay.content, "a replay must not carry a key secret")
    keys = c.ok(c.request("GET", "/v1/admin/keys"))["keys"]
    expect(sum(k["name"] == name for k in keys) == 1, "the replay minted a second key")
