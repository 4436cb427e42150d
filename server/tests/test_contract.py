"""The response contract (contract.py) and the spec details it guards: base62
key secrets (REQ-AUTH-002) and omitted optional members (REQ-API-020)."""

from __future__ import annotations

import copy
import json
import re

import contract
import pytest
from helpers import Api, ServerProc, read_stream
from test_errors import err
from test_scenarios import EXAMPLE

API_KEY = re.compile(r"^axme_(admin|agent|human)_[a-z0-9]{8,32}_[A-Za-z0-9]{16,128}$")


# -- the checker itself can fail -------------------------------------------------
def _intent_body() -> dict:
    ts = "2026-11-21T10:00:00.123Z"
    return {
        "ok": True,
        "intent": {
            "intent_id": "0b7e7f4e-5c49-4a43-9a8e-3f1a0c0f2a11",
            "intent_type": "intent.test.thing.v1",
            "from_agent": "admin://k",
            "to_agent": "agent://local/default/w",
            "correlation_id": "c",
            "reply_to": None,
            "payload": {},
            "status": "WAITING",
            "lifecycle_status": "WAITING",
            "waiting_reason": "WAITING_FOR_HUMAN",
            "pending_with": None,
            "result": None,
            "error": None,
            "human_task": {"title": "t"},
            "current_step": None,
            "steps": None,
            "delivery_attempt": 1,
            "max_delivery_attempts": 3,
            "remind_count": 0,
            "deadline_at": None,
            "created_at": ts,
            "updated_at": ts,
            "last_seq": 3,
        },
    }


def test_checker_accepts_a_conforming_body() -> None:
    contract.check_body("IntentResponse", _intent_body(), "unit")


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda b: b["intent"]["human_task"].update(description=None), "human_task/description"),
        (lambda b: b["intent"]["human_task"].update(form_schema=None), "human_task/form_schema"),
        (lambda b: b["intent"].pop("result"), "'result' is a required property"),
        (lambda b: b["intent"].update(updated_at="2026-11-21T10:00:00Z"), "updated_at"),
        (
            lambda b: b["intent"].update(
                steps=[
                    {"step_id": "s", "index": 0, "kind": "agent", "assigned_to": "a", "status": "canceled"}
                ]
            ),
            "steps/0/status",
        ),
    ],
)
def test_checker_rejects_drift(mutate, needle: str) -> None:
    body = _intent_body()
    mutate(body)
    with pytest.raises(contract.ContractError, match=re.escape(needle)):
        contract.check_body("IntentResponse", body, "unit")


def test_checker_rejects_undocumented_success_status() -> None:
    op = contract.operation_of("POST", "/v1/intents")
    assert op is not None and op["operationId"] == "createIntent"
    with pytest.raises(contract.ContractError, match="not in the spec"):
        contract.response_schema(op, 201)
    assert contract.response_schema(op, 418) == "ErrorEnvelope"


def test_operation_matching_prefers_the_specific_template() -> None:
    for method, path, op_id in [
        ("GET", "/v1/agents/agent://o/w/x/intents/stream", "streamAgentDeliveries"),
        ("GET", "/v1/agents/agent%3A%2F%2Fo%2Fw%2Fx/intents", "pollAgentDeliveries"),
        ("GET", "/v1/agents/x", "getAgent"),
        ("POST", "/v1/tasks/abc/decision", "decideTask"),
        ("DELETE", "/v1/admin/keys/k1", "revokeKey"),
    ]:
        assert contract.operation_of(method, path)["operationId"] == op_id  # type: ignore[index]
    assert contract.operation_of("PUT", "/v1/intents") is None


# -- REQ-AUTH-002 --------------------------------------------------------------------
def test_key_secrets_are_base62(api: Api) -> None:
    keys = [api.register_agent(f"k{i}")[1].key for i in range(5)]
    keys += [api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "second"}))["api_key"]]
    keys += [
        api.ok(
            api.post(
                "/v1/admin/keys", {"kind": "human", "name": "h", "human": {"id": "h1", "display_name": "H"}}
            )
        )["api_key"]
    ]
    for key in keys:
        assert API_KEY.match(key), key
        secret = key.rsplit("_", 1)[1]
        assert len(secret) >= 22  # 22 base62 characters carry > 128 bits
        assert api.with_key(key).get("/v1/agents").status_code in (200, 403)
    assert len({k.rsplit("_", 1)[1] for k in keys}) == len(keys)


def test_malformed_and_foreign_keys_are_401(api: Api) -> None:
    good = api.key
    prefix = good.rsplit("_", 1)[0]
    for bad in [
        prefix + "_short",
        prefix + "_" + "x" * 129,
        "axme_robot_abcdef12_" + "A" * 32,
        prefix + "_" + "A-B_" * 8,
        good + "!",
    ]:
        err(api.with_key(bad).get("/v1/agents"), 401, "unauthorized")


# -- REQ-API-020, seen through every operation ---------------------------------------
def test_every_operation_answers_per_spec(api: Api, server: ServerProc) -> None:
    """A tour that calls every operation of the spec; the hook checks each response,
    and the asserts pin the REQ-API-020 members (omitted vs present-as-null)."""
    contract.SEEN.clear()
    assert api.ok(api.get("/health"))["protocol"] == "axp/1"
    assert api.ok(api.get("/health/ready"))["protocol"] == "axp/1"  # the store answers (REQ-API-021)
    addr, agent = api.register_agent("tour")
    api.ok(api.get("/v1/agents"))
    api.ok(api.get(f"/v1/agents/{addr}"))
    api.ok(api.post(f"/v1/agents/{addr}/keys", {"name": "second"}))
    api.ok(api.get(f"/v1/agents/{addr}/keys"))
    gone, _ = api.register_agent("tour-gone")
    api.ok(api.delete(f"/v1/agents/{gone}"))
    operator = api.with_key(server.admin_key)
    operator.ok(operator.post("/v1/admin/workspaces", {"org": f"tour-{api.namespace}", "name": "w"}))
    operator.ok(operator.get("/v1/admin/workspaces"))
    pushed = api.ok(
        api.post(
            "/v1/agents",
            {"address": "tour-http", "delivery_mode": "http", "callback_url": "https://example.com/hook"},
        )
    )["agent"]["address"]
    api.ok(api.post(f"/v1/agents/{pushed}/callback-secret", {"overlap_seconds": 0}))
    api.ok(api.post("/v1/workspace/webhook-secret"))
    operator.ok(operator.post("/v1/server/link-secret"))
    plain = api.ok(
        api.post(
            "/v1/admin/keys", {"kind": "human", "name": "h", "human": {"id": "ann", "display_name": "Ann"}}
        )
    )
    assert "contact" not in plain["key"]["human"]
    api.with_key(plain["api_key"]).ok(api.with_key(plain["api_key"]).get("/v1/me/tasks"))
    with_contact = api.ok(
        api.post(
            "/v1/admin/keys",
            {
                "kind": "human",
                "name": "h2",
                "human": {"id": "bob", "display_name": "Bob", "contact": "bob@example.com"},
            },
        )
    )
    assert with_contact["key"]["human"]["contact"] == "bob@example.com"
    listed = api.ok(api.get("/v1/admin/keys"))["keys"]
    assert all("contact" not in k["human"] for k in listed if k["human"] and k["human"]["id"] == "ann")

    iid = api.create(addr, human_task={"title": "Approve"})
    fresh = api.intent(iid)
    for nullable in ("waiting_reason", "pending_with", "result", "error", "current_step", "deadline_at"):
        assert nullable in fresh
    assert fresh["result"] is None and fresh["error"] is None
    assert set(fresh["human_task"]) & {"description", "form_schema"} == set()
    assert "metadata" not in fresh and "scenario_id" not in fresh
    api.ok(api.get("/v1/intents"))

    (delivery,) = agent.poll(addr, wait=5, limit=1)
    agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": delivery["delivery_id"]}))
    agent.ok(
        agent.resume(
            iid, {"kind": "progress", "details": {"pct": 50}, "delivery_id": delivery["delivery_id"]}
        )
    )
    waiting = agent.ok(agent.complete(iid, {"checked": True}))["intent"]
    assert waiting["waiting_reason"] == "WAITING_FOR_HUMAN" and waiting["result"] is None
    tasks = api.ok(api.get("/v1/tasks"))["tasks"]
    assert "description" not in tasks[0]["human_task"]
    done = api.ok(api.decide(iid, outcome="approved"))["intent"]
    assert done["status"] == "COMPLETED" and done["waiting_reason"] is None and done["error"] is None
    api.ok(api.get(f"/v1/intents/{iid}/events"))
    api.ok(api.get(f"/v1/intents/{iid}/audit"))
    api.ok(api.get(f"/v1/intents/{iid}/notifications"))
    read_stream(api, f"/v1/intents/{iid}/events/stream")

    other = api.create(addr)
    frames = read_stream(agent, f"/v1/agents/{addr}/intents/stream", params={"wait_seconds": 1})
    assert [f["event"] for f in frames if "event" in f] == ["intent.delivery", "stream.timeout"]
    canceled = api.ok(api.post(f"/v1/intents/{other}/resolve", {"status": "CANCELED", "reason": "tour"}))
    assert canceled["intent"]["steps"] in (None, []) or canceled["intent"]["steps"][0]["status"] == "failed"
    failing = api.create(addr)
    api.ok(api.post(f"/v1/intents/{failing}/resolve", {"status": "FAILED", "reason": "tour"}))
    retried = api.ok(api.post(f"/v1/intents/{failing}/retry", {"reason": "tour"}))
    assert api.intent(failing)["retried_by"] == retried["intent_id"] and retried["retry_of"] == failing

    assert api.ok(api.post("/v1/scenarios/validate", EXAMPLE))["valid"] is True
    bundle = copy.deepcopy(EXAMPLE)
    bundle["scenario_id"] = "tour.approval.v1"
    applied = api.ok(api.post("/v1/scenarios/apply", bundle))
    assert api.intent(applied["intent_id"])["scenario_id"] == "tour.approval.v1"
    key_id = plain["key"]["key_id"]
    api.ok(api.delete(f"/v1/admin/keys/{key_id}"))

    documented = {
        op["operationId"]
        for item in contract._doc()["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert documented - contract.SEEN == set()


def test_agent_stream_timeout_carries_next_seq(api: Api) -> None:
    addr, agent = api.register_agent("quiet")
    iid = api.create(addr)
    frames = read_stream(agent, f"/v1/agents/{addr}/intents/stream", params={"wait_seconds": 1})
    delivery = next(f for f in frames if f.get("event") == "intent.delivery")
    assert json.loads(delivery["data"])["intent_id"] == iid
    timeout = json.loads(frames[-1]["data"])
    assert timeout == {"next_seq": int(delivery["id"]) + 1}
    # nothing sent on this connection: next_seq = the client's cursor + 1
    frames = read_stream(
        agent,
        f"/v1/agents/{addr}/intents/stream",
        params={"wait_seconds": 1, "since": 41},
        headers={"Last-Event-ID": "7"},
    )
    assert json.loads(frames[-1]["data"]) == {"next_seq": 42}
