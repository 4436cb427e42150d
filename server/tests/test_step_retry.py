"""REQ-DELIVERY-015: an agent step with `retry {max_retries, retry_delay_seconds}` is delivered
again after the delay when its agent fails it (intent.redelivered reason step_retry), up to
max_retries times; then the failure ends the intent (T10). The delay is a stored timer."""

from __future__ import annotations

from typing import Any

from helpers import Api


def _bundle(retry: dict[str, Any]) -> dict[str, Any]:
    return {
        "scenario_id": "retry.demo.v1",
        "intent": {"type": "intent.test.retry.v1", "payload": {}},
        "agents": [{"role": "worker", "address": "retry-worker", "create_if_missing": True}],
        "humans": [],
        "workflow": {
            "steps": [
                {"step_id": "work", "assigned_to": "worker", "retry": retry},
                {"step_id": "notify", "runtime_type": "notification"},
            ]
        },
    }


def _fail(agent: Api, iid: str, delivery: dict[str, Any], n: int) -> dict[str, Any]:
    body = {
        "kind": "agent_result",
        "outcome": "fail",
        "delivery_id": delivery["delivery_id"],
        "error": {"code": "flaky", "message": f"failure {n}"},
    }
    return agent.ok(agent.resume(iid, body))["intent"]


def test_failed_step_is_retried_after_the_delay_then_fails(api: Api) -> None:
    out = api.ok(api.post("/v1/scenarios/apply", _bundle({"max_retries": 2, "retry_delay_seconds": 30})))
    iid, agent = out["intent_id"], api.with_key(out["agents"][0]["api_key"])
    address = out["agents"][0]["address"]
    for n in (1, 2):
        delivery = agent.poll_one(address)
        assert delivery["attempt"] == 1  # a retry runs the step afresh
        retried = _fail(agent, iid, delivery, n)
        assert retried["status"] == "SUBMITTED" and retried["error"] is None
        event = api.events(iid)[-1]
        assert event["event_type"] == "intent.redelivered" and event["status"] == "SUBMITTED"
        assert event["data"]["reason"] == "step_retry" and event["data"]["retry"] == n
        assert event["data"]["max_retries"] == 2 and event["data"]["error"]["message"] == f"failure {n}"
        assert event["data"]["previous_delivery_id"] == delivery["delivery_id"]
        assert agent.poll(address, wait=0) == []  # not before the delay
        api.advance(29)
        assert agent.poll(address, wait=0) == []
        api.advance(1)
    last = agent.poll_one(address)
    failed = _fail(agent, iid, last, 3)
    assert failed["status"] == "FAILED" and failed["error"]["code"] == "flaky"
    types = [e["event_type"] for e in api.events(iid)]
    assert types == ["intent.submitted"] + ["intent.delivered", "intent.redelivered"] * 2 + [
        "intent.delivered",
        "intent.failed",
    ]


def test_a_retry_that_succeeds_continues_the_workflow(api: Api) -> None:
    out = api.ok(api.post("/v1/scenarios/apply", _bundle({"max_retries": 1, "retry_delay_seconds": 5})))
    iid, agent = out["intent_id"], api.with_key(out["agents"][0]["api_key"])
    address = out["agents"][0]["address"]
    _fail(agent, iid, agent.poll_one(address), 1)
    api.advance(5)
    delivery = agent.poll_one(address)
    done = agent.ok(agent.complete(iid, {"ok": True}, delivery_id=delivery["delivery_id"]))["intent"]
    assert done["status"] == "COMPLETED" and done["result"]["runtime_type"] == "notification"


def test_without_retry_a_failure_fails_at_once(api: Api) -> None:
    out = api.ok(api.post("/v1/scenarios/apply", _bundle({"max_retries": 0})))
    iid, agent = out["intent_id"], api.with_key(out["agents"][0]["api_key"])
    failed = _fail(agent, iid, agent.poll_one(out["agents"][0]["address"]), 1)
    assert failed["status"] == "FAILED"


def test_retry_timer_survives_a_restart(tmp_path) -> None:
    from helpers import start_server

    server = start_server(tmp_path / "data", "--testing")
    try:
        api = Api(server.base_url, server.admin_key)
        out = api.ok(api.post("/v1/scenarios/apply", _bundle({"max_retries": 1, "retry_delay_seconds": 60})))
        iid, key, address = out["intent_id"], out["agents"][0]["api_key"], out["agents"][0]["address"]
        agent = api.with_key(key)
        _fail(agent, iid, agent.poll_one(address), 1)
        server.stop()
        server = start_server(tmp_path / "data", "--testing")
        api, agent = Api(server.base_url, api.key), Api(server.base_url, key)  # keys live in the data dir
        assert api.intent(iid)["status"] == "SUBMITTED"
        assert agent.poll(address, wait=0) == []  # still waiting for its delay after the restart
        api.advance(60)
        assert agent.poll_one(address)["intent_id"] == iid
    finally:
        server.stop()
