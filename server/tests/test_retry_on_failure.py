"""`on_failure` review steps (REQ-REATTEMPT-011, T24-T26) and the bundle checks of
`on_failure` / `input_schema` (REQ-REATTEMPT-004, REQ-SCEN-013)."""

from __future__ import annotations

from typing import Any

from helpers import Api


def _bundle(charge: dict[str, Any] | None = None, **intent: Any) -> dict[str, Any]:
    return {
        "scenario_id": "review.pipeline.v1",
        "intent": {"type": "intent.test.order.v1", "payload": {"amount": 5}, **intent},
        "agents": [{"role": "worker", "address": "review-worker", "create_if_missing": True}],
        "humans": [{"role": "ops", "display_name": "Ops lead", "contact": "ops-lead"}],
        "workflow": {
            "steps": [
                {"step_id": "fetch", "assigned_to": "worker"},
                {"step_id": "charge", "assigned_to": "worker", "on_failure": "ops", **(charge or {})},
                {"step_id": "ship", "assigned_to": "worker"},
            ]
        },
    }


def _apply(api: Api, bundle: dict[str, Any]) -> tuple[str, Api, str]:
    out = api.ok(api.post("/v1/scenarios/apply", bundle))
    return out["intent_id"], api.with_key(out["agents"][0]["api_key"]), out["agents"][0]["address"]


def _resume(agent: Api, address: str, outcome: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
    d = agent.poll_one(address)
    body: dict[str, Any] = {"kind": "agent_result", "outcome": outcome, "delivery_id": d["delivery_id"]}
    body.update(result={} if result is None else result) if outcome == "complete" else body.update(
        error={"code": "card_declined", "message": "the card was declined"}
    )
    agent.ok(agent.resume(d["intent_id"], body))
    return d


def _to_review(api: Api) -> tuple[str, Api, str]:
    iid, agent, address = _apply(api, _bundle())
    _resume(agent, address, "complete", {"fetched": 1})
    assert _resume(agent, address, "fail")["step_id"] == "charge"
    return iid, agent, address


def test_a_failure_waits_for_review_and_retry_runs_the_step_again(api: Api) -> None:
    iid, agent, address = _to_review(api)
    waiting = api.intent(iid)
    assert waiting["status"] == "WAITING" and waiting["waiting_reason"] == "WAITING_FOR_HUMAN"
    assert waiting["error"] is None and waiting["pending_with"]["ref"] == "ops-lead"
    assert [(s["step_id"], s["status"]) for s in waiting["steps"]] == [
        ("fetch", "completed"),
        ("charge", "failed"),
        ("charge.on_failure-1", "active"),
        ("ship", "pending"),
    ]
    task = waiting["human_task"]
    assert task["title"] == "Step charge failed: retry or abandon?" and task["task_type"] == "review"
    assert task["allowed_outcomes"] == ["retry", "abandon"] and task["description"] == "the card was declined"
    tail = api.events(iid)[-2:]
    assert [e["event_type"] for e in tail] == ["intent.step_completed", "intent.human_task_assigned"]
    assert tail[0]["data"]["outcome"] == "failed" and tail[0]["data"]["error"]["code"] == "card_declined"
    assert api.decide(iid, outcome="approved").status_code == 422  # only retry or abandon
    decided = api.ok(api.decide(iid, outcome="retry", comment="card updated"))["intent"]
    assert decided["status"] == "SUBMITTED" and decided["current_step"]["step_id"] == "charge"
    again = _resume(agent, address, "complete", {"charged": 5})
    assert again["intent_id"] == iid and again["step_id"] == "charge"
    assert _resume(agent, address, "complete", {"shipped": 1})["step_id"] == "ship"
    done = api.intent(iid)
    assert done["status"] == "COMPLETED" and done["result"] == {"shipped": 1}
    assert [(s["step_id"], s["status"], s.get("outcome")) for s in done["steps"]] == [
        ("fetch", "completed", None),
        ("charge", "failed", None),
        ("charge.on_failure-1", "completed", "retry"),
        ("charge", "completed", None),
        ("ship", "completed", None),
    ]


def test_abandon_fails_with_the_step_error_and_retryintent_starts_at_the_step(api: Api) -> None:
    iid, agent, address = _to_review(api)
    failed = api.ok(api.decide(iid, outcome="abandon", comment="give up"))["intent"]
    assert failed["status"] == "FAILED" and failed["error"]["code"] == "card_declined"
    last = api.events(iid)[-1]
    assert last["event_type"] == "intent.failed" and last["data"]["outcome"] == "abandon"
    out = api.ok(api.post(f"/v1/intents/{iid}/retry", {"reason": "new card"}))
    assert out["from_step"] == "charge"
    new = api.intent(out["intent_id"])
    assert [(s["step_id"], s["status"]) for s in new["steps"]] == [
        ("fetch", "completed"),
        ("charge", "active"),
        ("ship", "pending"),
    ]
    assert agent.poll_one(address)["step_id"] == "charge"


def test_a_second_failure_gets_a_second_review(api: Api) -> None:
    iid, agent, address = _to_review(api)
    api.ok(api.decide(iid, outcome="retry"))
    _resume(agent, address, "fail")
    steps = api.intent(iid)["steps"]
    assert [s["step_id"] for s in steps] == [
        "fetch",
        "charge",
        "charge.on_failure-1",
        "charge",
        "charge.on_failure-2",
        "ship",
    ]
    assert (
        api.ok(api.get("/v1/tasks", params={"status": "pending"}))["tasks"][0]["step_id"]
        == "charge.on_failure-2"
    )


def test_exhausted_deliveries_are_reviewed_too(api: Api) -> None:
    iid, agent, address = _apply(api, _bundle(max_delivery_attempts=1))
    _resume(agent, address, "complete")
    agent.poll_one(address)  # charge leased, never answered
    api.advance(61)
    waiting = api.intent(iid)
    assert waiting["status"] == "WAITING" and waiting["human_task"]["description"].startswith(
        "no result after 1"
    )


def test_bundle_checks_on_failure_and_input_schema(api: Api) -> None:
    bundle = _bundle()
    bundle["workflow"]["steps"][0]["on_failure"] = "worker"  # an agent role
    bundle["workflow"]["steps"].append({"step_id": "ask", "assigned_to": "ops", "on_failure": "ops"})
    bundle["workflow"]["steps"][2]["input_schema"] = {"type": "object", "required": ["amount", "address"]}
    bundle["workflow"]["steps"][1]["input_schema"] = {"type": 12}
    out = api.ok(api.post("/v1/scenarios/validate", bundle))
    got = {(p["path"], p["code"]) for p in out["problems"]}
    assert got == {
        ("/workflow/steps/0/on_failure", "invalid_on_failure"),
        ("/workflow/steps/3/on_failure", "invalid_on_failure"),
        ("/workflow/steps/1/input_schema", "invalid_input_schema"),
        ("/intent/payload/address", "required"),
    }
    resp = api.post("/v1/scenarios/apply", bundle)
    assert resp.status_code == 422 and resp.json()["error"]["details"]["field"] == "intent.payload.address"


def test_a_review_ended_by_its_initiator_retries_from_the_agent_step(api: Api) -> None:
    iid, agent, address = _apply(api, _bundle())
    _resume(agent, address, "complete")
    _resume(agent, address, "fail")
    resolved = api.ok(api.post(f"/v1/intents/{iid}/resolve", {"status": "FAILED"}))["intent"]
    assert resolved["status"] == "FAILED"
    out = api.ok(api.post(f"/v1/intents/{iid}/retry", {}))
    assert out["from_step"] == "charge"  # the review's agent step, not the review
    assert [s["step_id"] for s in api.intent(out["intent_id"])["steps"]] == ["fetch", "charge", "ship"]
