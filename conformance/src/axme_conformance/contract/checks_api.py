"""Contract checks: conventions every endpoint shares (headers, media types, routes,
malformed bodies, omitted members, the error envelope, workspace isolation)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check


@check(
    "api/request-id-and-trace-on-streams",
    requirements=["REQ-API-005", "REQ-API-001", "REQ-SSE-001"],
)
def stream_headers(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    trace = f"trace-{uuid.uuid4().hex}"
    status, _, headers = c.stream(
        f"/v1/intents/{intent_id}/events/stream", headers={"x-trace-id": trace}
    )
    expect(status == 200, f"stream status {status}")
    expect(bool(headers.get("x-request-id")), "an SSE response lacks X-Request-Id")
    expect(headers.get("x-trace-id") == trace, "an SSE response must echo X-Trace-Id")
    expect(
        headers.get("content-type", "").startswith("text/event-stream"),
        f"stream Content-Type: {headers.get('content-type')}",
    )
    expect(
        "no-cache" in headers.get("cache-control", ""),
        f"stream Cache-Control: {headers.get('cache-control')}",
    )
    response = c.request("GET", f"/v1/intents/{intent_id}")
    expect(
        response.headers.get("content-type", "").startswith("application/json"),
        f"JSON Content-Type: {response.headers.get('content-type')}",
    )
    failed = c.request("GET", f"/v1/intents/{uuid.uuid4()}")
    expect(
        failed.headers.get("content-type", "").startswith("application/json"),
        f"error Content-Type: {failed.headers.get('content-type')}",
    )


@check("api/non-object-json-422", requirements=["REQ-API-008"])
def non_object_json(c: ContractClient) -> None:
    for raw in (b"[1, 2]", b'"text"', b"42", b"null"):
        c.error(c.request("POST", "/v1/intents", content=raw), 422, "validation_error")
    c.error(c.request("POST", "/v1/agents", content=b'{"address": '), 400, "invalid_json")


@check("api/unknown-route-404-known-path-405", requirements=["REQ-API-016", "REQ-ERR-001"])
def unknown_routes(c: ContractClient) -> None:
    c.error(c.request("GET", "/v1/no-such-thing"), 404, "not_found")
    c.error(c.request("GET", "/v1/no-such-thing", key=None), 404, "not_found")
    c.error(c.request("GET", "/nowhere", key=None), 404, "not_found")
    response = c.request("DELETE", "/v1/intents")
    c.error(response, 405, "method_not_allowed")
    allow = {m.strip().upper() for m in response.headers.get("allow", "").split(",")}
    expect({"GET", "POST"} <= allow, f"405 needs an Allow header naming GET and POST: {allow}")


@check("api/absent-optional-members-omitted", requirements=["REQ-API-020"])
def omitted_members(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign"})
    intent = c.intent(intent_id)
    for member in ("result", "error", "waiting_reason", "deadline_at"):
        expect(
            member in intent and intent[member] is None,
            f"nullable intent.{member} must be present as null: {intent.get(member, '<absent>')}",
        )
    task = intent["human_task"]
    for member in ("description", "form_schema"):
        expect(member not in task, f"human_task.{member} without a value must be omitted: {task}")
    events = c.events(intent_id)
    expect(all("actor" in e and "channel" in e for e in events), "event.actor must be present")
    c.complete_agent_step(address, key, intent_id, {})
    tasks = c.ok(c.request("GET", "/v1/tasks", params={"status": "pending"}))["tasks"]
    mine = [t for t in tasks if t["intent_id"] == intent_id]
    expect(
        len(mine) == 1 and "description" not in mine[0]["human_task"],
        f"Task.human_task.description must be omitted: {mine}",
    )
    human_id = c.unique("human")
    created = c.ok(
        c.request(
            "POST",
            "/v1/admin/keys",
            body={
                "kind": "human",
                "name": human_id,
                "human": {"id": human_id, "display_name": "H"},
            },
        )
    )
    expect(
        "contact" not in created["key"]["human"],
        f"key.human.contact without a value must be omitted: {created['key']['human']}",
    )


@check(
    "errors/envelope-rules-across-statuses",
    requirements=["REQ-ERR-001", "REQ-ERR-002", "REQ-ERR-003", "REQ-ERR-004"],
)
def envelope_everywhere(c: ContractClient) -> None:
    """`ContractClient.error` validates the envelope, detail = message, the table row and
    the retryable rule; this check provokes one error of each status the API can give
    without a fault (every other check adds its own)."""
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    cases = [
        (c.request("POST", "/v1/intents", content=b"{"), 400, "invalid_json"),
        (
            c.request("POST", "/v1/intents", body={}, headers={"idempotency-key": "k" * 256}),
            400,
            "bad_request",
        ),
        (c.request("GET", "/v1/intents", key=None), 401, "unauthorized"),
        (
            c.request("GET", f"/v1/agents/{quote(c.unique('ghost'), safe='')}"),
            404,
            "agent_not_found",
        ),
        (c.request("PUT", f"/v1/intents/{intent_id}"), 405, "method_not_allowed"),
        (
            c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "FAILED"}),
            409,
            "intent_terminal",
        ),
        (c.request("POST", "/v1/agents", body={"address": address}), 409, "agent_exists"),
        (c.request("POST", "/v1/intents", body={"to_agent": address}), 422, "validation_error"),
    ]
    for response, status, code in cases:
        c.error(response, status, code)


@check("api/workspace-isolation", requirements=["REQ-API-019"], needs="testing")
def workspace_isolation(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign"})
    key_id = c.ok(c.request("POST", "/v1/admin/keys", body={"kind": "admin", "name": "a"}))["key"][
        "key_id"
    ]
    other = c.ok(c.request("POST", "/_testing/namespaces", key=None))["admin_api_key"]
    c.error(c.request("GET", f"/v1/intents/{intent_id}", key=other), 404, "intent_not_found")
    c.error(c.request("GET", f"/v1/intents/{intent_id}/events", key=other), 404, "intent_not_found")
    c.error(
        c.request("GET", f"/v1/agents/{quote(address, safe='')}", key=other), 404, "agent_not_found"
    )
    c.error(
        c.request(
            "POST", f"/v1/tasks/{intent_id}/decision", key=other, body={"outcome": "approved"}
        ),
        404,
    )
    c.error(c.request("DELETE", f"/v1/admin/keys/{key_id}", key=other), 404)
    for path, member in (
        ("/v1/intents", "intents"),
        ("/v1/agents", "agents"),
        ("/v1/tasks", "tasks"),
        ("/v1/admin/keys", "keys"),
    ):
        listed = c.ok(c.request("GET", path, key=other))[member]
        expect(
            intent_id not in str(listed)
            and address not in str(listed)
            and key_id not in str(listed),
            f"{path} shows another workspace's items",
        )
    c.error(
        c.request(
            "POST",
            "/v1/intents",
            key=other,
            body={"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {}},
        ),
        404,
        "agent_not_found",
    )
