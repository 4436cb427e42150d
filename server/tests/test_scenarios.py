"""Scenario bundles: the published approval example (§7.2) runs to COMPLETED
over plain HTTP; validate reports every problem; apply rejects bad bundles."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from helpers import Api, event_frames, read_stream

EXAMPLE = json.loads((Path(__file__).parent / "data" / "approval-scenario.json").read_text())


def test_published_example_runs_to_completed(api: Api) -> None:
    assert api.ok(api.post("/v1/scenarios/validate", EXAMPLE)) == {"ok": True, "valid": True, "problems": []}
    out = api.ok(api.post("/v1/scenarios/apply", EXAMPLE))
    assert out["scenario_id"] == EXAMPLE["scenario_id"]
    (agent_info,) = out["agents"]
    address = f"agent://{api.namespace}/default/infra-validator-demo"
    assert agent_info == {
        "role": "infra_validator",
        "address": address,
        "api_key": agent_info["api_key"],
        "created": True,
    }
    agent = api.with_key(agent_info["api_key"])
    iid = out["intent_id"]
    intent = api.intent(iid)
    assert intent["intent_type"] == "intent.infra.change_approval.v1"
    assert [s["step_id"] for s in intent["steps"]] == ["validate_change", "sre_approval"]
    # the agent listens on its stream (bare name in the path) and gets the delivery
    with agent.http.stream(
        "GET",
        "/v1/agents/infra-validator-demo/intents/stream",
        params={"wait_seconds": 5},
        headers=agent.headers(),
    ) as resp:
        from helpers import sse_frames

        delivery = next(
            json.loads(f["data"]) for f in sse_frames(resp) if f.get("event") == "intent.delivery"
        )
    assert delivery["intent_id"] == iid and delivery["step_id"] == "validate_change"
    assert delivery["intent"]["payload"]["target"] == "prod-postgres-main"
    agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": delivery["delivery_id"]}))
    result = {"validation": "passed", "checks": {"risk_level": "low"}}
    waiting = agent.ok(agent.complete(iid, result, delivery_id=delivery["delivery_id"]))["intent"]
    assert waiting["status"] == "WAITING" and waiting["pending_with"]["name"] == "SRE On-Call"
    assert waiting["current_step"]["step_id"] == "sre_approval"
    sre = api.human("sre_oncall", "SRE On-Call")
    (task,) = sre.ok(sre.get("/v1/tasks"))["tasks"]
    assert task["human_task"]["title"] == "SRE Approval - infrastructure change"
    done = sre.ok(sre.decide(iid, outcome="approved", comment="go"))["intent"]
    assert done["status"] == "COMPLETED" and done["result"] == result
    types = [e["event_type"] for e in event_frames(read_stream(api, f"/v1/intents/{iid}/events/stream"))]
    assert types == [
        "intent.submitted",
        "intent.delivered",
        "intent.acknowledged",
        "intent.step_completed",
        "intent.human_task_assigned",
        "intent.completed",
    ]
    # applying again finds the agent: no new key
    again = api.ok(api.post("/v1/scenarios/apply", EXAMPLE))
    assert again["agents"][0]["created"] is False and again["agents"][0]["api_key"] is None


def test_validate_reports_every_problem(api: Api) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["surprise"] = 1
    bad["agents"][0]["create_if_missing"] = False
    bad["workflow"]["steps"][0]["assigned_to"] = "nobody"
    bad["workflow"]["steps"][1]["step_id"] = "validate_change"
    bad["workflow"]["steps"][1]["human_task"]["colour"] = "red"
    bad["intent"]["type"] = "Not A Type"
    out = api.ok(api.post("/v1/scenarios/validate", bad))
    assert out["valid"] is False
    got = {(p["path"], p["code"]) for p in out["problems"]}
    assert {
        ("/surprise", "unknown_field"),
        ("/agents/0/address", "agent_not_found"),
        ("/workflow/steps/0/assigned_to", "unknown_role"),
        ("/workflow/steps/1/step_id", "duplicate"),
        ("/workflow/steps/1/human_task/colour", "unknown_field"),
        ("/intent/type", "pattern"),
    } <= got
    resp = api.post("/v1/scenarios/apply", bad)
    assert resp.status_code == 422
    err = resp.json()["error"]
    assert err["code"] == "validation_error" and len(err["details"]["errors"]) >= 6
    assert api.ok(api.get("/v1/intents"))["intents"] == []  # nothing was created
    assert api.ok(api.get("/v1/agents"))["agents"] == []


def test_entry_step_of_another_type_is_a_problem_not_a_500(api: Api) -> None:
    """Schemathesis found `entry_step: {}` answered 500 (a dict looked up in a set)."""
    for entry in ({}, [], 7):
        bad = copy.deepcopy(EXAMPLE)
        bad["workflow"]["entry_step"] = entry
        out = api.ok(api.post("/v1/scenarios/validate", bad))
        assert out["valid"] is False
        assert [p["path"] for p in out["problems"]] == ["/workflow/entry_step"], out
        resp = api.post("/v1/scenarios/apply", bad)
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "validation_error"
    bad = copy.deepcopy(EXAMPLE)
    bad["workflow"]["entry_step"] = "no_such_step"
    out = api.ok(api.post("/v1/scenarios/validate", bad))
    assert {(p["path"], p["code"]) for p in out["problems"]} == {("/workflow/entry_step", "unknown_step")}
    assert api.ok(api.get("/v1/intents"))["intents"] == []


def test_apply_idempotency_key_in_bundle(api: Api) -> None:
    bundle = dict(copy.deepcopy(EXAMPLE), idempotency_key="deploy-42")
    first = api.post("/v1/scenarios/apply", bundle)
    second = api.post("/v1/scenarios/apply", bundle)
    assert first.status_code == second.status_code == 200
    assert second.headers.get("idempotent-replayed") == "true" and second.content == first.content


def test_multi_agent_and_delay_steps(api: Api) -> None:
    bundle = {
        "scenario_id": "two.agents.v1",
        "agents": [
            {"role": "a", "address": "step-a", "create_if_missing": True},
            {"role": "b", "address": "step-b", "create_if_missing": True},
        ],
        "workflow": {
            "steps": [
                {"step_id": "one", "assigned_to": "a"},
                {"step_id": "pause", "runtime_type": "delay", "runtime_config": {"seconds": 30}},
                {"step_id": "two", "assigned_to": "b"},
            ]
        },
        "intent": {"type": "intent.two.agents.v1", "payload": {"k": "v"}},
    }
    out = api.ok(api.post("/v1/scenarios/apply", bundle))
    keys = {a["role"]: api.with_key(a["api_key"]) for a in out["agents"]}
    addr = {a["role"]: a["address"] for a in out["agents"]}
    iid = out["intent_id"]
    d1 = keys["a"].poll_one(addr["a"])
    assert d1["step_id"] == "one"
    assert keys["b"].poll(addr["b"], wait=0) == []
    waiting = keys["a"].ok(keys["a"].complete(iid, {"first": 1}, delivery_id=d1["delivery_id"]))["intent"]
    assert waiting["status"] == "WAITING" and waiting["waiting_reason"] == "WAITING_FOR_TIME"
    api.advance(31)
    d2 = keys["b"].poll_one(addr["b"])
    assert d2["step_id"] == "two" and d2["attempt"] == 1
    assert d2["intent"]["steps"][0]["result"] == {"first": 1}
    # agent a may not resume b's step
    assert keys["a"].complete(iid, {}).status_code == 403
    done = keys["b"].ok(keys["b"].complete(iid, {"second": 2}))["intent"]
    assert done["status"] == "COMPLETED" and done["result"] == {"second": 2}
