"""retryIntent (REQ-REATTEMPT-001..010): a FAILED or TIMED_OUT intent gets a new attempt linked
both ways, starting at the failed step with the completed steps' results kept; the failed
intent's events never change; bad input is 409 / 422 and creates nothing."""

from __future__ import annotations

from typing import Any

from helpers import Api

AMOUNT_SCHEMA = {
    "type": "object",
    "required": ["amount"],
    "properties": {"amount": {"type": "integer", "minimum": 1}},
}


def _pipeline(api: Api, **charge: Any) -> tuple[str, Api, str]:
    """fetch -> charge -> ship, one agent; returns (intent_id, agent client, address)."""
    bundle = {
        "scenario_id": "retry.pipeline.v1",
        "intent": {"type": "intent.test.order.v1", "payload": {"order": "o-1", "amount": 5}},
        "agents": [{"role": "worker", "address": "pipeline-worker", "create_if_missing": True}],
        "workflow": {
            "steps": [
                {"step_id": "fetch", "assigned_to": "worker"},
                {"step_id": "charge", "assigned_to": "worker", **charge},
                {"step_id": "ship", "assigned_to": "worker"},
            ]
        },
    }
    out = api.ok(api.post("/v1/scenarios/apply", bundle))
    return out["intent_id"], api.with_key(out["agents"][0]["api_key"]), out["agents"][0]["address"]


def _work(agent: Api, address: str, outcome: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
    delivery = agent.poll_one(address)
    body: dict[str, Any] = {
        "kind": "agent_result",
        "outcome": outcome,
        "delivery_id": delivery["delivery_id"],
    }
    if outcome == "complete":
        body["result"] = result or {}
    else:
        body["error"] = {"code": "card_declined", "message": "the card was declined"}
    agent.ok(agent.resume(delivery["intent_id"], body))
    return delivery


def _failed_at_charge(api: Api) -> tuple[str, Api, str]:
    iid, agent, address = _pipeline(api, input_schema=AMOUNT_SCHEMA)
    assert _work(agent, address, "complete", {"fetched": True})["step_id"] == "fetch"
    assert _work(agent, address, "fail")["step_id"] == "charge"
    assert api.intent(iid)["status"] == "FAILED"
    return iid, agent, address


def test_retry_starts_at_the_failed_step_and_keeps_earlier_results(api: Api) -> None:
    iid, agent, address = _failed_at_charge(api)
    before = api.events(iid)
    out = api.ok(
        api.post(f"/v1/intents/{iid}/retry", {"reason": "card updated", "payload_patch": {"amount": 7}})
    )
    new = out["intent_id"]
    assert out == {
        "ok": True,
        "intent_id": new,
        "retry_of": iid,
        "attempt": 2,
        "status": "SUBMITTED",
        "from_step": "charge",
    }
    # the new attempt delivers charge first (fetch is not run again) and sees fetch's result
    charge = agent.poll_one(address)
    assert charge["intent_id"] == new and charge["step_id"] == "charge"
    assert charge["intent"]["payload"] == {"order": "o-1", "amount": 7}
    assert charge["intent"]["steps"][0] == {
        **charge["intent"]["steps"][0],
        "step_id": "fetch",
        "status": "completed",
        "result": {"fetched": True},
    }
    agent.ok(agent.complete(new, {"charged": 7}, delivery_id=charge["delivery_id"]))
    assert _work(agent, address, "complete", {"shipped": True})["step_id"] == "ship"
    done = api.intent(new)
    assert done["status"] == "COMPLETED" and done["result"] == {"shipped": True}
    assert done["retry_of"] == iid and done["attempt"] == 2 and "retried_by" not in done
    assert [s["status"] for s in done["steps"]] == ["completed"] * 3
    # the failed intent: still FAILED, same events, linked forward
    old = api.intent(iid)
    assert old["status"] == "FAILED" and old["retried_by"] == new and api.events(iid) == before
    assert "retry_of" not in old and "attempt" not in old
    first = api.events(new)[0]
    assert first["event_type"] == "intent.submitted" and first["seq"] == 1
    assert first["data"] == {
        "intent_type": "intent.test.order.v1",
        "to_agent": address,
        "retry_of": iid,
        "attempt": 2,
        "from_step": "charge",
        "reason": "card updated",
    }
    assert first["actor"]["type"] == "admin"
    audit = api.ok(api.get(f"/v1/intents/{new}/audit"))["audit"][0]
    assert audit["data"]["reason"] == "card updated" and audit["actor"]["type"] == "admin"
    assert old["correlation_id"] == done["correlation_id"]


def test_a_retried_attempt_can_be_retried_again(api: Api) -> None:
    iid, agent, address = _failed_at_charge(api)
    second = api.ok(api.post(f"/v1/intents/{iid}/retry", {}))["intent_id"]
    assert _work(agent, address, "fail")["intent_id"] == second
    third = api.ok(api.post(f"/v1/intents/{second}/retry", {"reason": "again"}))
    assert third["attempt"] == 3 and third["retry_of"] == second and third["from_step"] == "charge"


def test_status_other_than_failed_or_timed_out_is_409_naming_it(api: Api) -> None:
    address, agent = api.register_agent("retry-plain")
    done = api.create(address)
    delivery = agent.poll_one(address)
    agent.ok(agent.complete(done, {}, delivery_id=delivery["delivery_id"]))
    active = api.create(address)
    canceled = api.create(address)
    api.ok(api.post(f"/v1/intents/{canceled}/resolve", {"status": "CANCELED"}))
    for iid, status in ((done, "COMPLETED"), (active, "SUBMITTED"), (canceled, "CANCELED")):
        resp = api.post(f"/v1/intents/{iid}/retry", {})
        assert resp.status_code == 409, resp.text
        err = resp.json()["error"]
        assert err["code"] == "invalid_transition" and err["details"] == {"status": status}
        assert status in err["message"]
        assert "retried_by" not in api.intent(iid)


def test_second_retry_is_409_and_an_idempotency_key_replays(api: Api) -> None:
    iid, _, _ = _failed_at_charge(api)
    key = {"Idempotency-Key": "retry-once-1"}
    first = api.post(f"/v1/intents/{iid}/retry", {"reason": "r"}, headers=key)
    again = api.post(f"/v1/intents/{iid}/retry", {"reason": "r"}, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers.get("idempotent-replayed") == "true"
    resp = api.post(f"/v1/intents/{iid}/retry", {"reason": "r"})
    assert resp.status_code == 409
    assert resp.json()["error"]["details"] == {"status": "FAILED", "retried_by": first.json()["intent_id"]}


def test_patch_breaking_the_input_schema_is_422_with_the_path(api: Api) -> None:
    iid, _, _ = _failed_at_charge(api)
    resp = api.post(f"/v1/intents/{iid}/retry", {"payload_patch": {"amount": 0}})
    assert resp.status_code == 422, resp.text
    err = resp.json()["error"]
    assert err["code"] == "validation_error" and err["details"]["field"] == "payload.amount"
    assert err["details"]["step_id"] == "charge"
    assert err["details"]["errors"][0]["path"] == "/payload/amount"
    removed = api.post(f"/v1/intents/{iid}/retry", {"payload_patch": {"amount": None}}).json()["error"]
    assert (
        removed["details"]["field"] == "payload.amount"
        and removed["details"]["errors"][0]["code"] == "required"
    )
    assert "retried_by" not in api.intent(iid)  # nothing was created


def test_bad_bodies_are_422(api: Api) -> None:
    iid, _, _ = _failed_at_charge(api)
    for body, field in (
        ({"nope": 1}, "nope"),
        ({"reason": 5}, "reason"),
        ({"reason": "x" * 1001}, "reason"),
        ({"payload_patch": [1]}, "payload_patch"),
        ({"deadline_at": "tomorrow"}, "deadline_at"),
    ):
        resp = api.post(f"/v1/intents/{iid}/retry", body)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.json()["error"]["details"]["field"] == field


def test_who_may_retry(api: Api) -> None:
    address, agent = api.register_agent("retry-who")
    caller, initiator = api.register_agent("retry-initiator")
    iid = initiator.ok(
        initiator.post(
            "/v1/intents", {"intent_type": "intent.test.thing.v1", "to_agent": address, "payload": {}}
        )
    )["intent_id"]
    delivery = agent.poll_one(address)
    agent.ok(
        agent.resume(iid, {"kind": "agent_result", "outcome": "fail", "delivery_id": delivery["delivery_id"]})
    )
    resp = agent.post(f"/v1/intents/{iid}/retry", {})  # the handler is not the initiator
    assert resp.status_code == 403 and resp.json()["error"]["details"]["reason"] == "initiator_required"
    out = initiator.ok(initiator.post(f"/v1/intents/{iid}/retry", {}))
    assert out["from_step"] == "agent" and out["attempt"] == 2
    new = initiator.intent(out["intent_id"])
    assert new["from_agent"] == caller and new["steps"] is None and new["status"] == "SUBMITTED"
    outsider = api.with_key(api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "x"}))["api_key"])
    assert outsider.post("/v1/intents/00000000-0000-4000-8000-000000000000/retry", {}).status_code == 404


def test_a_timed_out_intent_retries_without_its_past_deadline(api: Api) -> None:
    address, _ = api.register_agent("retry-deadline")
    clock = api.advance(0)
    iid = api.create(address, deadline_at=_later(clock["now"], 10))
    api.advance(11)
    assert api.intent(iid)["status"] == "TIMED_OUT"
    out = api.ok(api.post(f"/v1/intents/{iid}/retry", {}))
    new = api.intent(out["intent_id"])
    assert new["status"] == "SUBMITTED" and new["deadline_at"] is None
    later = api.ok(api.post(f"/v1/intents/{out['intent_id']}/resolve", {"status": "FAILED"}))
    assert later["intent"]["status"] == "FAILED"


def _later(now: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    at = datetime.fromisoformat(now) + timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_a_rejected_human_step_is_asked_again_and_the_agent_result_kept(api: Api) -> None:
    address, agent = api.register_agent("retry-human")
    iid = api.create(address, human_task={"title": "Approve the change"})
    delivery = agent.poll_one(address)
    agent.ok(agent.complete(iid, {"validated": True}, delivery_id=delivery["delivery_id"]))
    api.ok(api.decide(iid, outcome="rejected", comment="not today"))
    assert api.intent(iid)["status"] == "FAILED"
    out = api.ok(api.post(f"/v1/intents/{iid}/retry", {"reason": "it is tomorrow"}))
    assert out["from_step"] == "human_task" and out["status"] == "WAITING"
    new = api.intent(out["intent_id"])
    assert [(s["step_id"], s["status"]) for s in new["steps"]] == [
        ("agent", "completed"),
        ("human_task", "active"),
    ]
    assert agent.poll(address, wait=0) == []  # the agent step is not delivered again
    done = api.ok(api.decide(out["intent_id"], outcome="approved"))["intent"]
    assert done["status"] == "COMPLETED" and done["result"] == {"validated": True}


def test_an_agent_deleted_since_is_404_and_nothing_is_created(api: Api) -> None:
    address, agent = api.register_agent("retry-gone")
    iid = api.create(address)
    delivery = agent.poll_one(address)
    agent.ok(
        agent.resume(iid, {"kind": "agent_result", "outcome": "fail", "delivery_id": delivery["delivery_id"]})
    )
    assert api.delete(f"/v1/agents/{address}").status_code == 200
    resp = api.post(f"/v1/intents/{iid}/retry", {})
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "agent_not_found"
    assert resp.json()["error"]["details"]["address"] == address
    assert "retried_by" not in api.intent(iid)
