"""Contract checks: the transition table — what is refused, in which order, and that
status and event log never disagree; decisions at the wrong time; legacy control."""

from __future__ import annotations

from typing import Any

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check

STATUSES = {
    "CREATED",
    "SUBMITTED",
    "DELIVERED",
    "ACKNOWLEDGED",
    "IN_PROGRESS",
    "WAITING",
    "COMPLETED",
    "FAILED",
    "CANCELED",
    "TIMED_OUT",
}


def _waiting_for_human(c: ContractClient, **task: Any) -> tuple[str, str, str, dict[str, Any]]:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign", **task})
    delivery = c.take_delivery(address, key, intent_id)
    c.resume(
        intent_id,
        {
            "kind": "agent_result",
            "outcome": "complete",
            "result": {"v": 1},
            "delivery_id": delivery["delivery_id"],
        },
        key=key,
    )
    return intent_id, address, key, delivery


def _consistent(c: ContractClient, intent_id: str) -> dict[str, Any]:
    """The intent and its log agree: last_seq = last event, status = its status."""
    intent = c.intent(intent_id)
    events = c.events(intent_id)
    expect(
        intent["last_seq"] == events[-1]["seq"],
        f"last_seq {intent['last_seq']} but the last event is {events[-1]['seq']}",
    )
    expect(
        intent["status"] == events[-1]["status"],
        f"status {intent['status']} but the last event says {events[-1]['status']}",
    )
    expect(intent["updated_at"] == events[-1]["at"], "updated_at must be the last event's at")
    return intent


@check(
    "lifecycle/status-and-log-agree-after-every-write",
    requirements=["REQ-LIFECYCLE-006", "REQ-LIFECYCLE-013"],
)
def status_and_log(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign"})
    _consistent(c, intent_id)
    delivery = c.take_delivery(address, key, intent_id)
    _consistent(c, intent_id)
    path = f"/v1/intents/{intent_id}"
    c.ok(c.request("POST", f"{path}/ack", key=key, body={"delivery_id": delivery["delivery_id"]}))
    _consistent(c, intent_id)
    c.resume(intent_id, {"kind": "progress", "delivery_id": delivery["delivery_id"]}, key=key)
    _consistent(c, intent_id)
    before = len(c.events(intent_id))
    c.resume(intent_id, {"kind": "agent_result", "outcome": "complete", "result": {}}, key=key)
    intent = _consistent(c, intent_id)
    types = [e["event_type"] for e in c.events(intent_id)[before:]]
    expect(
        types == ["intent.step_completed", "intent.human_task_assigned"],
        f"T9 appends exactly step_completed + human_task_assigned: {types}",
    )
    expect(intent["status"] == "WAITING", f"{intent['status']}")
    c.ok(c.request("POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved"}))
    _consistent(c, intent_id)


@check("lifecycle/invalid-transition-409", requirements=["REQ-LIFECYCLE-004", "REQ-HUMAN-011"])
def invalid_transitions(c: ContractClient) -> None:
    intent_id, _, key, delivery = _waiting_for_human(c)
    path = f"/v1/intents/{intent_id}"
    count = len(c.events(intent_id))
    refused = [
        c.request("POST", f"{path}/ack", key=key, body={"delivery_id": delivery["delivery_id"]}),
        c.request(
            "POST",
            f"{path}/resume",
            body={"kind": "agent_result", "outcome": "complete", "result": {}},
        ),
        c.request("POST", f"{path}/resume", body={"kind": "progress"}),
    ]
    for response in refused:
        body = c.error(response, 409, "invalid_transition", "stale_delivery")
        if body["error"]["code"] == "invalid_transition":
            expect(
                body["error"]["details"].get("status") == "WAITING",
                f"details.status must be the current status: {body['error']}",
            )
    expect(len(c.events(intent_id)) == count, "a refused write appended an event")
    address, _ = c.new_agent()
    agent_step = c.new_intent(address)
    for response in (
        c.request("POST", f"/v1/tasks/{agent_step}/decision", body={"outcome": "approved"}),
        c.request(
            "POST",
            f"/v1/intents/{agent_step}/resume",
            body={"kind": "task_result", "outcome": "approved"},
        ),
    ):
        body = c.error(response, 409, "invalid_transition")
        expect(body["error"]["details"].get("status") == "SUBMITTED", f"{body['error']}")
    c.ok(c.request("POST", f"/v1/intents/{agent_step}/resolve", body={"status": "CANCELED"}))
    c.error(
        c.request("POST", f"/v1/tasks/{agent_step}/decision", body={"outcome": "approved"}),
        409,
        "intent_terminal",
    )
    c.ok(c.request("POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved"}))
    body = c.error(
        c.request("POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved"}),
        409,
        "intent_terminal",
    )
    expect(body["error"]["details"].get("status") == "COMPLETED", f"{body['error']}")


@check("lifecycle/conflict-precedence", requirements=["REQ-LIFECYCLE-005"])
def conflict_precedence(c: ContractClient) -> None:
    intent_id, _, key, _ = _waiting_for_human(c)
    stale = {
        "kind": "agent_result",
        "outcome": "complete",
        "result": {},
        "delivery_id": "not-the-current-delivery",
    }
    path = f"/v1/intents/{intent_id}/resume"
    # WAITING: both stale_delivery and invalid_transition apply → stale_delivery.
    c.error(c.request("POST", path, key=key, body=stale), 409, "stale_delivery")
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    # Terminal: all three apply → intent_terminal.
    c.error(c.request("POST", path, key=key, body=stale), 409, "intent_terminal")
    c.error(
        c.request(
            "POST",
            f"/v1/intents/{intent_id}/ack",
            key=key,
            body={"delivery_id": "not-the-current-delivery"},
        ),
        409,
        "intent_terminal",
    )


@check("lifecycle/status-vocabulary", requirements=["REQ-LIFECYCLE-001"])
def status_vocabulary(c: ContractClient) -> None:
    """Every status and event status the workspace shows (other checks ran first and
    left intents in most statuses) is one of the ten, spelled exactly."""
    address, key = c.new_agent()
    c.complete_agent_step(address, key, c.new_intent(address), {})
    canceled = c.new_intent(address)
    c.ok(c.request("POST", f"/v1/intents/{canceled}/resolve", body={"status": "CANCELED"}))
    seen: set[str] = set()
    cursor = None
    for _ in range(50):
        page = c.ok(
            c.request(
                "GET",
                "/v1/intents",
                params={"limit": 200, "cursor": cursor} if cursor else {"limit": 200},
            )
        )
        for intent in page["intents"]:
            seen |= {intent["status"], intent["lifecycle_status"]}
            if len(seen) < len(STATUSES):
                seen |= {e["status"] for e in c.events(intent["intent_id"])}
        cursor = page.get("next_cursor")
        if not cursor:
            break
    expect(seen <= STATUSES, f"statuses outside the v1 set: {sorted(seen - STATUSES)}")
    expect("CREATED" not in seen, "a v1 server never exposes CREATED")
    expect({"SUBMITTED", "COMPLETED", "CANCELED"} <= seen, f"too few statuses seen: {seen}")


@check("lifecycle/legacy-control-form", requirements=["REQ-RESUME-007"])
def legacy_control(c: ContractClient) -> None:
    intent_id, _, _, _ = _waiting_for_human(c)
    body = c.resume(
        intent_id,
        {
            "approve_current_step": True,
            "reason": "legacy",
            "actor": "someone",
            "expected_policy_generation": 7,
            "internal_scheduler": {"x": 1},
        },
    )
    expect(
        body["applied"] is True and body["intent"]["status"] == "COMPLETED",
        f"legacy approve_current_step must approve: {body['intent']['status']}",
    )
    entry = [
        a
        for a in c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit"))["audit"]
        if a.get("outcome") == "approved"
    ]
    expect(
        len(entry) == 1 and entry[0]["actor"]["type"] == "admin",
        f"the caller decided (the body's actor is ignored): {entry}",
    )


@check("humans/evidence-required", requirements=["REQ-HUMAN-006"])
def evidence_required(c: ContractClient) -> None:
    intent_id, _, _, _ = _waiting_for_human(c, evidence_required=True)
    path = f"/v1/tasks/{intent_id}/decision"
    for body in ({"outcome": "approved"}, {"outcome": "approved", "evidence": []}):
        refused = c.error(c.request("POST", path, body=body), 422, "task_validation_failed")
        expect(refused["error"]["details"].get("field") == "evidence", f"{refused['error']}")
    evidence = [{"description": "signed form", "uri": "https://example.test/proof"}]
    done = c.ok(c.request("POST", path, body={"outcome": "approved", "evidence": evidence}))
    expect(done["intent"]["status"] == "COMPLETED", f"{done['intent']['status']}")
    negative, _, _, _ = _waiting_for_human(c, evidence_required=True)
    failed = c.ok(c.request("POST", f"/v1/tasks/{negative}/decision", body={"outcome": "rejected"}))
    expect(failed["intent"]["status"] == "FAILED", "a negative decision needs no evidence")


@check("humans/default-assignees", requirements=["REQ-HUMAN-020"])
def default_assignees(c: ContractClient) -> None:
    intent_id, _, _, _ = _waiting_for_human(c)
    tasks = c.ok(c.request("GET", "/v1/tasks", params={"status": "pending"}))["tasks"]
    mine = [t for t in tasks if t["intent_id"] == intent_id]
    expect(
        len(mine) == 1 and mine[0]["assignees"] == [],
        f"a createIntent human_task has assignees []: {mine}",
    )
    agent = c.unique("validator")
    bundle = {
        "scenario_id": "contract.assignees.v1",
        "agents": [{"role": "validator", "address": agent, "create_if_missing": True}],
        "humans": [
            {"role": "lead", "display_name": "Lead", "contact": "lead@example.test"},
            {"role": "ops", "display_name": "Ops"},
        ],
        "workflow": {
            "steps": [
                {"step_id": "check", "assigned_to": "validator"},
                {"step_id": "lead", "assigned_to": "lead"},
                {"step_id": "ops", "assigned_to": "ops"},
            ]
        },
        "intent": {"type": "intent.contract.assignees.v1", "payload": {}},
    }
    applied = c.ok(c.request("POST", "/v1/scenarios/apply", body=bundle))
    flow_id, agent_key = applied["intent_id"], applied["agents"][0]["api_key"]
    c.complete_agent_step(applied["agents"][0]["address"], agent_key, flow_id, {})
    for expected in (["lead@example.test"], ["ops"]):
        intent = c.wait_intent(flow_id, lambda i: i["status"] == "WAITING")
        tasks = c.ok(c.request("GET", "/v1/tasks", params={"status": "pending"}))["tasks"]
        mine = [t for t in tasks if t["intent_id"] == flow_id]
        expect(
            len(mine) == 1 and mine[0]["assignees"] == expected,
            f"step {intent['current_step']}: assignees must be {expected}: {mine}",
        )
        c.ok(c.request("POST", f"/v1/tasks/{flow_id}/decision", body={"outcome": "approved"}))
