"""Contract checks: human tasks, decisions, audit, scenario bundles."""

from __future__ import annotations

import copy
from typing import Any

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check


def _waiting_for_human(c: ContractClient, human_task: dict[str, Any]) -> str:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task=human_task)
    c.complete_agent_step(address, key, intent_id, {"validated": True})
    return intent_id


@check(
    "humans/waiting-then-approved",
    requirements=["REQ-HUMAN-002", "REQ-LIFECYCLE-011", "REQ-HUMAN-017"],
)
def approved(c: ContractClient) -> None:
    intent_id = _waiting_for_human(c, {"title": "Approve?", "task_type": "approval"})
    intent = c.intent(intent_id)
    expect(
        intent["status"] == "WAITING" and intent["waiting_reason"] == "WAITING_FOR_HUMAN",
        f"{intent}",
    )
    expect(intent["pending_with"]["type"] == "human", f"pending_with: {intent['pending_with']}")
    tasks = c.ok(c.request("GET", "/v1/tasks", params={"status": "pending"}))["tasks"]
    expect(any(t["intent_id"] == intent_id for t in tasks), "task not listed as pending")
    done = c.ok(
        c.request(
            "POST",
            f"/v1/tasks/{intent_id}/decision",
            body={"outcome": "approved", "comment": "ship it"},
        )
    )
    expect(done["intent"]["status"] == "COMPLETED", f"{done}")
    expect(done["intent"]["result"] == {"validated": True}, "result = the agent's result")


@check("humans/rejected-fails", requirements=["REQ-HUMAN-010"])
def rejected(c: ContractClient) -> None:
    intent_id = _waiting_for_human(c, {"title": "Approve?", "task_type": "approval"})
    done = c.ok(
        c.request(
            "POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "rejected", "comment": "no"}
        )
    )
    expect(
        done["intent"]["status"] == "FAILED" and done["intent"]["error"]["code"] == "rejected",
        f"{done['intent']}",
    )


@check(
    "humans/outcome-and-comment-validation-422",
    requirements=["REQ-HUMAN-004", "REQ-HUMAN-005", "REQ-HUMAN-008", "REQ-ERR-006"],
)
def task_validation(c: ContractClient) -> None:
    intent_id = _waiting_for_human(
        c,
        {
            "title": "Review",
            "task_type": "review",
            "allowed_outcomes": ["approved", "rejected"],
            "required_comment": True,
        },
    )
    path = f"/v1/tasks/{intent_id}/decision"
    wrong = c.error(
        c.request("POST", path, body={"outcome": "maybe", "comment": "x"}),
        422,
        "task_validation_failed",
    )
    expect(wrong["error"]["details"].get("field") == "outcome", f"{wrong['error']}")
    expect(
        wrong["error"]["details"].get("allowed") == ["approved", "rejected"],
        f"details.allowed must list the allowed outcomes: {wrong['error']['details']}",
    )
    bare = c.error(
        c.request("POST", path, body={"outcome": "approved"}), 422, "task_validation_failed"
    )
    expect(bare["error"]["details"].get("field") == "comment", f"{bare['error']}")
    expect(c.intent(intent_id)["status"] == "WAITING", "a rejected decision changes nothing")


@check("humans/form-schema-validated", requirements=["REQ-HUMAN-007", "REQ-ERR-006"])
def form_schema(c: ContractClient) -> None:
    schema = {
        "type": "object",
        "required": ["ticket"],
        "properties": {"ticket": {"type": "string"}},
    }
    intent_id = _waiting_for_human(c, {"title": "Fill", "task_type": "form", "form_schema": schema})
    path = f"/v1/tasks/{intent_id}/decision"
    body = c.error(
        c.request("POST", path, body={"outcome": "submitted", "data": {}}),
        422,
        "task_validation_failed",
    )
    details = body["error"]["details"]
    expect(details.get("field") == "data", f"details.field must be data: {details}")
    expect("ticket" in str(details.get("errors")), f"details.errors must name ticket: {details}")
    c.ok(c.request("POST", path, body={"outcome": "submitted", "data": {"ticket": "T-1"}}))


@check("humans/audit-trail", requirements=["REQ-AUDIT-002", "REQ-AUDIT-004"])
def audit(c: ContractClient) -> None:
    intent_id = _waiting_for_human(c, {"title": "Approve?", "task_type": "approval"})
    c.ok(
        c.request(
            "POST",
            f"/v1/tasks/{intent_id}/decision",
            body={"outcome": "approved", "comment": "lgtm"},
        )
    )
    body = c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit"))
    decisions = [a for a in body["audit"] if a.get("outcome") == "approved"]
    expect(len(decisions) == 1, f"one approval in the audit: {body['audit']}")
    entry = decisions[0]
    expect(entry["comment"] == "lgtm" and entry["actor"]["type"] in ("admin", "human"), f"{entry}")
    expect(entry["channel"] == "api", f"channel: {entry['channel']}")


BUNDLE: dict[str, Any] = {
    "scenario_id": "contract.approval.v1",
    "title": "Contract check: agent step then human approval",
    "agents": [
        {"role": "validator", "address": "", "delivery_mode": "poll", "create_if_missing": True}
    ],
    "humans": [{"role": "approver", "display_name": "Approver"}],
    "workflow": {
        "steps": [
            {"step_id": "validate", "tool_id": "tool.agent.task.v1", "assigned_to": "validator"},
            {
                "step_id": "approve",
                "tool_id": "tool.approval.human_signoff",
                "assigned_to": "approver",
                "requires_approval": True,
                "human_task": {"title": "Approve the change"},
            },
        ]
    },
    "intent": {"type": "intent.contract.approval.v1", "payload": {"change": "x"}},
}


def _bundle(c: ContractClient) -> dict[str, Any]:
    bundle = copy.deepcopy(BUNDLE)
    bundle["agents"][0]["address"] = c.unique("validator")
    return bundle


@check("scenarios/validate-reports-problems", requirements=["REQ-SCEN-003", "REQ-SCEN-004"])
def scenario_validate(c: ContractClient) -> None:
    good = c.ok(c.request("POST", "/v1/scenarios/validate", body=_bundle(c)))
    expect(good["valid"] is True and good["problems"] == [], f"{good}")
    bad = _bundle(c)
    bad["workflow"]["steps"][0]["assigned_to"] = "nobody"
    bad["intent"]["type"] = "Bad Type"
    body = c.ok(c.request("POST", "/v1/scenarios/validate", body=bad))
    expect(body["valid"] is False and len(body["problems"]) >= 2, f"every problem at once: {body}")


@check("scenarios/unknown-field-422", requirements=["REQ-SCEN-002"])
def scenario_unknown_field(c: ContractClient) -> None:
    bundle = _bundle(c)
    bundle["workflow"]["steps"][0]["surprise"] = True
    c.error(c.request("POST", "/v1/scenarios/apply", body=bundle), 422, "validation_error")


@check(
    "scenarios/apply-runs-agent-then-human",
    requirements=["REQ-SCEN-005", "REQ-SCEN-006", "REQ-SCEN-007"],
)
def scenario_apply(c: ContractClient) -> None:
    bundle = _bundle(c)
    body = c.ok(c.request("POST", "/v1/scenarios/apply", body=bundle))
    agent = body["agents"][0]
    expect(agent["created"] is True and agent["api_key"].startswith("axme_agent_"), f"{body}")
    intent_id = body["intent_id"]
    c.complete_agent_step(agent["address"], agent["api_key"], intent_id, {"checked": 1})
    intent = c.wait_intent(intent_id, lambda i: i["status"] == "WAITING")
    expect(intent["current_step"]["step_id"] == "approve", f"{intent['current_step']}")
    c.ok(c.request("POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved"}))
    expect(c.intent(intent_id)["status"] == "COMPLETED", "workflow must complete")
