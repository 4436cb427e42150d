"""Contract checks: health, auth, errors, agents, intents, idempotency, lists."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.suite import check
from axme_conformance.matchers import TIMESTAMP_RE, UUID_RE


@check("health/shape")
def health_shape(c: ContractClient) -> None:
    body = c.ok(c.request("GET", "/health", key=None))
    expect(body.get("protocol") == "axp/1", f"protocol must be axp/1: {body}")
    expect(isinstance(body.get("version"), str), f"version missing: {body}")


@check("auth/missing-key-401")
def missing_key(c: ContractClient) -> None:
    c.error(c.request("GET", "/v1/intents", key=None), 401, "unauthorized")


@check("auth/bad-key-401")
def bad_key(c: ContractClient) -> None:
    c.error(c.request("GET", "/v1/intents", key="axme_admin_nope_nope"), 401, "unauthorized")


@check("auth/bearer-accepted")
def bearer(c: ContractClient) -> None:
    c.ok(c.request("GET", "/v1/intents", key=None,
                   headers={"authorization": f"Bearer {c.admin_key}"}))


@check("headers/request-id-and-trace-echo")
def request_and_trace_ids(c: ContractClient) -> None:
    trace = f"trace-{uuid.uuid4().hex}"
    response = c.request("GET", "/v1/intents", headers={"x-trace-id": trace})
    c.ok(response)
    expect(bool(response.headers.get("x-request-id")), "success lacks X-Request-Id")
    expect(response.headers.get("x-trace-id") == trace, "X-Trace-Id not echoed")
    failed = c.request("GET", f"/v1/intents/{uuid.uuid4()}", headers={"x-trace-id": trace})
    expect(failed.headers.get("x-trace-id") == trace, "X-Trace-Id not echoed on an error")


@check("errors/method-not-allowed-405")
def method_not_allowed(c: ContractClient) -> None:
    c.error(c.request("DELETE", "/v1/intents"), 405, "method_not_allowed")


@check("agents/register-key-shown-once")
def register_agent(c: ContractClient) -> None:
    address = c.unique("reg")
    body = c.ok(c.request("POST", "/v1/agents", body={"address": address}))
    expect(body["api_key"].startswith("axme_agent_"), f"agent key format: {body['api_key']}")
    canonical = body["agent"]["address"]
    expect(canonical.startswith("agent://") and canonical.endswith("/" + address),
           f"bare name must be stored canonical: {canonical}")
    for ref in (address, quote(canonical, safe="")):
        got = c.ok(c.request("GET", f"/v1/agents/{ref}"))
        expect(got["agent"]["address"] == canonical, f"getAgent({ref}) → {got}")
        expect("api_key" not in got, "getAgent must not return a key")
    c.error(c.request("POST", "/v1/agents", body={"address": address}), 409, "agent_exists")


@check("intents/create-shape")
def create_shape(c: ContractClient) -> None:
    address, _ = c.new_agent()
    response = c.request("POST", "/v1/intents", body={
        "intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {"a": 1}})
    body = c.ok(response)
    expect(bool(UUID_RE.match(body.get("intent_id", ""))), f"intent_id not a UUID: {body}")
    expect(body.get("status") == "SUBMITTED", f"new intent status: {body}")
    expect(bool(TIMESTAMP_RE.match(body.get("created_at", ""))), f"created_at format: {body}")
    intent = c.intent(body["intent_id"])
    expect(intent["lifecycle_status"] == intent["status"] == "SUBMITTED", f"{intent}")
    expect(intent["payload"] == {"a": 1}, "payload must round-trip unchanged")
    expect(bool(intent.get("correlation_id")), "correlation_id must be generated")
    expect(intent["max_delivery_attempts"] == 3, "max_delivery_attempts defaults to 3")
    expect(intent["to_agent"].startswith("agent://"), "to_agent stored canonical")


@check("intents/from-agent-derived-from-key")
def from_agent_derived(c: ContractClient) -> None:
    sender, sender_key = c.new_agent("sender")
    target, _ = c.new_agent("target")
    intent_id = c.new_intent(target, key=sender_key, from_agent="agent://spoof/x/y")
    expect(c.intent(intent_id)["from_agent"] == sender, "from_agent must come from the key")


@check("intents/unknown-agent-404")
def unknown_agent(c: ContractClient) -> None:
    c.error(c.request("POST", "/v1/intents", body={
        "intent_type": "intent.contract.check.v1", "to_agent": c.unique("ghost"),
        "payload": {}}), 404, "agent_not_found")


@check("intents/bad-intent-type-422")
def bad_intent_type(c: ContractClient) -> None:
    address, _ = c.new_agent()
    body = c.error(c.request("POST", "/v1/intents", body={
        "intent_type": "Not A Type", "to_agent": address, "payload": {}}), 422,
        "validation_error")
    expect("intent_type" in str(body["error"]["details"]), "details must name the field")


@check("intents/invalid-json-400")
def invalid_json(c: ContractClient) -> None:
    c.error(c.request("POST", "/v1/intents", content=b"{not json"), 400, "invalid_json")


@check("intents/payload-too-large-413")
def too_large(c: ContractClient) -> None:
    address, _ = c.new_agent()
    big = b'{"intent_type":"intent.contract.check.v1","to_agent":"' + address.encode() + \
        b'","payload":{"blob":"' + b"x" * (1024 * 1024 + 10) + b'"}}'
    c.error(c.request("POST", "/v1/intents", content=big), 413, "payload_too_large")


@check("intents/get-unknown-404")
def unknown_intent(c: ContractClient) -> None:
    c.error(c.request("GET", f"/v1/intents/{uuid.uuid4()}"), 404, "intent_not_found")


@check("idempotency/replay-identical")
def idempotent_replay(c: ContractClient) -> None:
    address, _ = c.new_agent()
    key = uuid.uuid4().hex
    body = {"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {}}
    first = c.request("POST", "/v1/intents", body=body, headers={"idempotency-key": key})
    second = c.request("POST", "/v1/intents", body=body, headers={"idempotency-key": key})
    c.ok(first)
    c.ok(second)
    expect(first.content == second.content, "replay must be byte-identical")
    expect(second.headers.get("idempotent-replayed") == "true", "replay lacks the header")
    listed = c.ok(c.request("GET", "/v1/intents", params={"to_agent": address}))
    expect(len(listed["intents"]) == 1, f"replay created a second intent: {listed}")


@check("idempotency/conflict-409")
def idempotent_conflict(c: ContractClient) -> None:
    address, _ = c.new_agent()
    key = uuid.uuid4().hex
    body = {"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {}}
    c.ok(c.request("POST", "/v1/intents", body=body, headers={"idempotency-key": key}))
    changed = {**body, "payload": {"changed": True}}
    c.error(c.request("POST", "/v1/intents", body=changed, headers={"idempotency-key": key}),
            409, "idempotency_conflict")


@check("intents/list-newest-first-with-cursor")
def list_cursor(c: ContractClient) -> None:
    address, _ = c.new_agent()
    ids = [c.new_intent(address) for _ in range(3)]
    page = c.ok(c.request("GET", "/v1/intents", params={"to_agent": address, "limit": 2}))
    expect([i["intent_id"] for i in page["intents"]] == ids[::-1][:2], f"order: {page}")
    expect(bool(page.get("next_cursor")), "a full page needs next_cursor")
    rest = c.ok(c.request("GET", "/v1/intents", params={
        "to_agent": address, "limit": 2, "cursor": page["next_cursor"]}))
    expect([i["intent_id"] for i in rest["intents"]] == ids[:1], f"second page: {rest}")
    expect(rest.get("next_cursor") is None, "last page has next_cursor null")


@check("intents/list-limit-bounds")
def list_limits(c: ContractClient) -> None:
    for bad in (0, 201):
        response = c.request("GET", "/v1/intents", params={"limit": bad})
        expect(response.status_code in (400, 422), f"limit={bad} must be rejected: "
               f"{response.status_code}")
        c.error(response, response.status_code)
