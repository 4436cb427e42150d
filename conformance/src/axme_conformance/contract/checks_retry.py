"""Contract checks: retryIntent (REQ-REATTEMPT-*): a new attempt linked both ways from the
failed step, 409 / 422 on bad input, idempotent replays, and the bundle checks of
`on_failure` / `input_schema`."""

from __future__ import annotations

from typing import Any

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check


def _failed_intent(c: ContractClient) -> tuple[str, str, str]:
    """A plain intent its agent failed: (intent_id, agent address, agent key)."""
    address, key = c.new_agent("retry")
    intent_id = c.new_intent(address)
    delivery = c.take_delivery(address, key, intent_id)
    c.resume(
        intent_id,
        {
            "kind": "agent_result",
            "outcome": "fail",
            "delivery_id": delivery["delivery_id"],
            "error": {"code": "flaky", "message": "try later"},
        },
        key=key,
    )
    return intent_id, address, key


def _retry(
    c: ContractClient,
    intent_id: str,
    body: dict[str, Any],
    key: str | bool = True,
    headers: dict[str, str] | None = None,
) -> Any:
    return c.request("POST", f"/v1/intents/{intent_id}/retry", key=key, body=body, headers=headers)


@check(
    "retry/new-attempt-linked-both-ways",
    requirements=[
        "REQ-REATTEMPT-001",
        "REQ-REATTEMPT-005",
        "REQ-REATTEMPT-006",
        "REQ-REATTEMPT-007",
    ],
)
def new_attempt(c: ContractClient) -> None:
    intent_id, address, key = _failed_intent(c)
    before = c.events(intent_id)
    c.forbidden(
        _retry(c, intent_id, {}, key=key), "initiator_required"
    )  # the handler is not the initiator
    out = c.ok(
        _retry(c, intent_id, {"reason": "network is back", "payload_patch": {"n": 2, "x": None}})
    )
    expect(
        out["retry_of"] == intent_id and out["attempt"] == 2 and out["status"] == "SUBMITTED",
        f"response: {out}",
    )
    expect(isinstance(out["from_step"], str) and out["intent_id"] != intent_id, f"response: {out}")
    new = c.intent(out["intent_id"])
    expect(new["retry_of"] == intent_id and new["attempt"] == 2, f"attempt: {new}")
    expect(new["payload"] == {"n": 2} and new["to_agent"] == address, f"attempt payload: {new}")
    old = c.intent(intent_id)
    expect(
        old["status"] == "FAILED" and old["retried_by"] == out["intent_id"], f"failed intent: {old}"
    )
    expect(c.events(intent_id) == before, "the failed intent's events must not change")
    first = c.events(out["intent_id"])[0]
    expect(first["seq"] == 1 and first["event_type"] == "intent.submitted", f"first event: {first}")
    data = first["data"]
    expect(
        data.get("retry_of") == intent_id
        and data.get("attempt") == 2
        and data.get("reason") == "network is back"
        and "from_step" in data,
        f"first event data: {data}",
    )
    expect(
        c.take_delivery(address, key, out["intent_id"])["intent_id"] == out["intent_id"],
        "the new attempt is delivered",
    )


@check("retry/only-failed-or-timed-out-409", requirements=["REQ-REATTEMPT-002"])
def only_failed(c: ContractClient) -> None:
    address, _ = c.new_agent("retry")
    active = c.new_intent(address)
    body = c.error(_retry(c, active, {}), 409, "invalid_transition")
    expect(body["error"]["details"].get("status") == "SUBMITTED", f"details: {body['error']}")
    c.ok(
        c.request(
            "POST", f"/v1/intents/{active}/resolve", body={"status": "COMPLETED", "result": {}}
        )
    )
    body = c.error(_retry(c, active, {}), 409, "invalid_transition")
    expect(body["error"]["details"].get("status") == "COMPLETED", f"details: {body['error']}")
    expect("retried_by" not in c.intent(active), "a refused retry changes nothing")
    intent_id, _, _ = _failed_intent(c)
    first = c.ok(_retry(c, intent_id, {}))
    body = c.error(_retry(c, intent_id, {}), 409, "invalid_transition")
    expect(
        body["error"]["details"] == {"status": "FAILED", "retried_by": first["intent_id"]},
        f"a second retry names the first attempt: {body['error']}",
    )


@check("retry/idempotency-key-replays", requirements=["REQ-REATTEMPT-010"])
def idempotent(c: ContractClient) -> None:
    intent_id, _, _ = _failed_intent(c)
    headers = {"Idempotency-Key": c.unique("retry-key")}
    first = _retry(c, intent_id, {"reason": "r"}, headers=headers)
    again = _retry(c, intent_id, {"reason": "r"}, headers=headers)
    c.ok(first)
    expect(
        again.status_code == 200 and again.content == first.content,
        f"a replay returns the first response: {again.status_code} {again.text[:200]}",
    )


@check(
    "retry/bad-body-and-input-schema-422",
    requirements=["REQ-REATTEMPT-003", "REQ-REATTEMPT-004", "REQ-SCEN-013"],
)
def bad_input(c: ContractClient) -> None:
    worker = c.unique("retry-worker")
    bundle: dict[str, Any] = {
        "scenario_id": "contract.retry.v1",
        "intent": {"type": "intent.contract.retry.v1", "payload": {"amount": 5}},
        "agents": [{"role": "worker", "address": worker, "create_if_missing": True}],
        "workflow": {
            "steps": [
                {
                    "step_id": "charge",
                    "assigned_to": "worker",
                    "input_schema": {
                        "type": "object",
                        "required": ["amount"],
                        "properties": {"amount": {"type": "integer", "minimum": 1}},
                    },
                }
            ]
        },
    }
    applied = c.ok(c.request("POST", "/v1/scenarios/apply", body=bundle))
    intent_id, key = applied["intent_id"], applied["agents"][0]["api_key"]
    delivery = c.take_delivery(applied["agents"][0]["address"], key, intent_id)
    c.resume(
        intent_id,
        {
            "kind": "agent_result",
            "outcome": "fail",
            "delivery_id": delivery["delivery_id"],
        },
        key=key,
    )
    body = c.error(_retry(c, intent_id, {"payload_patch": {"amount": 0}}), 422, "validation_error")
    details = body["error"]["details"]
    expect(
        details.get("field") == "payload.amount" and details.get("step_id") == "charge",
        f"422 names the path and the step: {details}",
    )
    c.error(_retry(c, intent_id, {"nope": 1}), 422, "validation_error")
    expect("retried_by" not in c.intent(intent_id), "a refused retry creates nothing")
    bundle["intent"]["payload"] = {"amount": 0}
    bundle["workflow"]["steps"][0]["on_failure"] = "worker"  # an agent role
    out = c.ok(c.request("POST", "/v1/scenarios/validate", body=bundle))
    codes = {(p["path"], p["code"]) for p in out["problems"]}
    expect(
        ("/workflow/steps/0/on_failure", "invalid_on_failure") in codes
        and ("/intent/payload/amount", "minimum") in codes,
        f"problems: {out['problems']}",
    )
