"""Contract checks: health, auth, errors, agents, intents, idempotency, lists."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check
from axme_conformance.matchers import TIMESTAMP_RE, UUID_RE


@check("health/shape", requirements=["REQ-API-015"])
def health_shape(c: ContractClient) -> None:
    body = c.ok(c.request("GET", "/health", key=None))
    expect(body.get("protocol") == "axp/1", f"protocol must be axp/1: {body}")
    expect(isinstance(body.get("version"), str), f"version missing: {body}")


@check("health/ready", requirements=["REQ-API-021"])
def health_ready(c: ContractClient) -> None:
    body = c.ok(c.request("GET", "/health/ready", key=None))
    expect(body.get("protocol") == "axp/1", f"readiness answers the body of /health: {body}")


@check("auth/missing-key-401", requirements=["REQ-AUTH-005", "REQ-ERR-001"])
def missing_key(c: ContractClient) -> None:
    c.error(c.request("GET", "/v1/intents", key=None), 401, "unauthorized")


@check("auth/bad-key-401", requirements=["REQ-AUTH-005"])
def bad_key(c: ContractClient) -> None:
    c.error(c.request("GET", "/v1/intents", key="axme_admin_nope_nope"), 401, "unauthorized")


@check("auth/bearer-accepted", requirements=["REQ-AUTH-001"])
def bearer(c: ContractClient) -> None:
    c.ok(
        c.request(
            "GET", "/v1/intents", key=None, headers={"authorization": f"Bearer {c.admin_key}"}
        )
    )


@check("headers/request-id-and-trace-echo", requirements=["REQ-API-005"])
def request_and_trace_ids(c: ContractClient) -> None:
    trace = f"trace-{uuid.uuid4().hex}"
    response = c.request("GET", "/v1/intents", headers={"x-trace-id": trace})
    c.ok(response)
    expect(bool(response.headers.get("x-request-id")), "success lacks X-Request-Id")
    expect(response.headers.get("x-trace-id") == trace, "X-Trace-Id not echoed")
    failed = c.request("GET", f"/v1/intents/{uuid.uuid4()}", headers={"x-trace-id": trace})
    expect(failed.headers.get("x-trace-id") == trace, "X-Trace-Id not echoed on an error")


@check("errors/method-not-allowed-405", requirements=["REQ-API-016"])
def method_not_allowed(c: ContractClient) -> None:
    c.error(c.request("DELETE", "/v1/intents"), 405, "method_not_allowed")


@check(
    "agents/register-key-shown-once",
    requirements=["REQ-AUTH-013", "REQ-AUTH-004", "REQ-API-014", "REQ-API-011"],
)
def register_agent(c: ContractClient) -> None:
    address = c.unique("reg")
    body = c.ok(c.request("POST", "/v1/agents", body={"address": address}))
    expect(body["api_key"].startswith("axme_agent_"), f"agent key format: {body['api_key']}")
    canonical = body["agent"]["address"]
    expect(body["agent"].get("delivery_mode") == "stream", f"default delivery_mode: {body}")
    expect(
        canonical.startswith("agent://") and canonical.endswith("/" + address),
        f"bare name must be stored canonical: {canonical}",
    )
    for ref in (address, quote(canonical, safe="")):
        got = c.ok(c.request("GET", f"/v1/agents/{ref}"))
        expect(got["agent"]["address"] == canonical, f"getAgent({ref}) → {got}")
        expect("api_key" not in got, "getAgent must not return a key")
    c.error(c.request("POST", "/v1/agents", body={"address": address}), 409, "agent_exists")


@check(
    "intents/create-shape",
    requirements=[
        "REQ-API-010",
        "REQ-API-012",
        "REQ-LIFECYCLE-008",
        "REQ-DELIVERY-007",
        "REQ-API-003",
    ],
)
def create_shape(c: ContractClient) -> None:
    address, _ = c.new_agent()
    response = c.request(
        "POST",
        "/v1/intents",
        body={"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {"a": 1}},
    )
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


@check("intents/from-agent-derived-from-key", requirements=["REQ-API-012", "REQ-AUTH-009"])
def from_agent_derived(c: ContractClient) -> None:
    sender, sender_key = c.new_agent("sender")
    target, _ = c.new_agent("target")
    intent_id = c.new_intent(target, key=sender_key, from_agent="agent://spoof/x/y")
    expect(c.intent(intent_id)["from_agent"] == sender, "from_agent must come from the key")


@check("intents/unknown-agent-404", requirements=["REQ-API-011"])
def unknown_agent(c: ContractClient) -> None:
    c.error(
        c.request(
            "POST",
            "/v1/intents",
            body={
                "intent_type": "intent.contract.check.v1",
                "to_agent": c.unique("ghost"),
                "payload": {},
            },
        ),
        404,
        "agent_not_found",
    )


@check("intents/bad-intent-type-422", requirements=["REQ-API-013", "REQ-ERR-005"])
def bad_intent_type(c: ContractClient) -> None:
    address, _ = c.new_agent()
    body = c.error(
        c.request(
            "POST",
            "/v1/intents",
            body={"intent_type": "Not A Type", "to_agent": address, "payload": {}},
        ),
        422,
        "validation_error",
    )
    expect("intent_type" in str(body["error"]["details"]), "details must name the field")


@check("intents/invalid-json-400", requirements=["REQ-API-008"])
def invalid_json(c: ContractClient) -> None:
    c.error(c.request("POST", "/v1/intents", content=b"{not json"), 400, "invalid_json")


@check("intents/payload-too-large-413", requirements=["REQ-API-006"])
def too_large(c: ContractClient) -> None:
    address, _ = c.new_agent()
    big = (
        b'{"intent_type":"intent.contract.check.v1","to_agent":"'
        + address.encode()
        + b'","payload":{"blob":"'
        + b"x" * (1024 * 1024 + 10)
        + b'"}}'
    )
    body = c.error(c.request("POST", "/v1/intents", content=big), 413, "payload_too_large")
    expect(body["error"]["details"].get("limit_bytes") == 1048576, f"{body['error']}")


@check("intents/get-unknown-404", requirements=["REQ-ERR-003"])
def unknown_intent(c: ContractClient) -> None:
    c.error(c.request("GET", f"/v1/intents/{uuid.uuid4()}"), 404, "intent_not_found")


@check("idempotency/replay-identical", requirements=["REQ-IDEMP-003"])
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


@check("intents/list-newest-first-with-cursor", requirements=["REQ-API-009"])
def list_cursor(c: ContractClient) -> None:
    address, _ = c.new_agent()
    ids = [c.new_intent(address) for _ in range(3)]
    page = c.ok(c.request("GET", "/v1/intents", params={"to_agent": address, "limit": 2}))
    expect([i["intent_id"] for i in page["intents"]] == ids[::-1][:2], f"order: {page}")
    expect(bool(page.get("next_cursor")), "a full page needs next_cursor")
    rest = c.ok(
        c.request(
            "GET",
            "/v1/intents",
            params={"to_agent": address, "limit": 2, "cursor": page["next_cursor"]},
        )
    )
    expect([i["intent_id"] for i in rest["intents"]] == ids[:1], f"second page: {rest}")
    expect(rest.get("next_cursor") is None, "last page has next_cursor null")


@check("intents/list-limit-bounds", requirements=["REQ-API-009"])
def list_limits(c: ContractClient) -> None:
    for path in ("/v1/intents", "/v1/agents", "/v1/tasks"):
        for bad in (0, 201):
            c.error(c.request("GET", path, params={"limit": bad}), 422, "validation_error")
