"""The auth table of spec/behavior/auth.md, row by row, for agent and human keys (admin keys
may do everything: REQ-AUTH-008, covered by every other test). Each row checks what the
column allows and what it forbids; forbidden actions are 403 and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import Api, read_stream
from test_errors import err

INTENT = {"intent_type": "intent.test.table.v1", "payload": {}}


def forbidden(resp: Any, reason: str) -> None:
    """403 forbidden whose details.reason names the missing permission (REQ-AUTH-006)."""
    details = err(resp, 403, "forbidden")["details"]
    assert details.get("reason") == reason, details


@pytest.fixture()
def world(api: Api) -> dict[str, Any]:
    """Agent A handles intents that agent B sends; human H holds a task on one of them."""
    a, agent_a = api.register_agent("a")
    b, agent_b = api.register_agent("b")
    body = api.ok(
        api.post(
            "/v1/admin/keys",
            {
                "kind": "human",
                "name": "h",
                "human": {"id": "h-1", "display_name": "H", "contact": "h@example.com"},
            },
        )
    )
    human = api.with_key(body["api_key"])
    return {"api": api, "a": a, "agent_a": agent_a, "b": b, "agent_b": agent_b, "human": human}


def _send(w: dict[str, Any], **extra: Any) -> str:
    body = w["agent_b"].ok(w["agent_b"].post("/v1/intents", {**INTENT, "to_agent": w["a"], **extra}))
    return body["intent_id"]


def test_create_intent(world: dict[str, Any]) -> None:
    iid = _send(world)
    assert world["api"].intent(iid)["from_agent"] == world["b"]
    forbidden(
        world["human"].post("/v1/intents", {**INTENT, "to_agent": world["a"]}), "agent_or_admin_required"
    )


def test_reads_and_list_intents(world: dict[str, Any]) -> None:
    api, agent_a, agent_b, human = world["api"], world["agent_a"], world["agent_b"], world["human"]
    _, agent_c = api.register_agent("c")
    plain = _send(world)
    # reply_to names an agent but is no read right: only from A, to A or a step of A
    replied = _send(world, reply_to=api.ok(api.get("/v1/agents/c"))["agent"]["address"])
    for key in (agent_a, agent_b):
        for iid in (plain, replied):
            key.ok(key.get(f"/v1/intents/{iid}"))
            key.ok(key.get(f"/v1/intents/{iid}/events"))
            key.ok(key.get(f"/v1/intents/{iid}/audit"))
    err(agent_c.get(f"/v1/intents/{replied}"), 404, "intent_not_found")
    assert agent_c.ok(agent_c.get("/v1/intents"))["intents"] == []
    # a human reads (and lists) the intents with a task assigned to it, here by its contact
    tasked = _send(world, human_task={"title": "sign", "assignees": ["h@example.com"]})
    err(human.get(f"/v1/intents/{tasked}"), 404, "intent_not_found")  # no task yet: the agent step runs
    assert human.ok(human.get("/v1/intents"))["intents"] == []
    agent_a.ok(agent_a.complete(tasked, {}))
    assert human.intent(tasked)["status"] == "WAITING"
    human.ok(human.get(f"/v1/intents/{tasked}/events"))
    human.ok(human.get(f"/v1/intents/{tasked}/audit"))
    frames = read_stream(human, f"/v1/intents/{tasked}/events/stream", params={"wait_seconds": 1})
    assert any(f.get("event") == "intent.human_task_assigned" for f in frames)
    assert [i["intent_id"] for i in human.ok(human.get("/v1/intents"))["intents"]] == [tasked]
    err(human.get(f"/v1/intents/{plain}"), 404, "intent_not_found")


def test_ack_progress_agent_result(world: dict[str, Any]) -> None:
    agent_a, agent_b, human = world["agent_a"], world["agent_b"], world["human"]
    iid = _send(world, human_task={"title": "sign", "assignees": ["h-1"]})
    delivery = agent_a.poll_one(world["a"])
    did = delivery["delivery_id"]
    # the initiator can read the intent but is not its handler
    forbidden(agent_b.post(f"/v1/intents/{iid}/ack", {"delivery_id": did}), "current_handler_required")
    forbidden(agent_b.resume(iid, {"kind": "progress", "delivery_id": did}), "current_handler_required")
    forbidden(agent_b.complete(iid, {}), "current_handler_required")
    agent_a.ok(agent_a.post(f"/v1/intents/{iid}/ack", {"delivery_id": did}))
    agent_a.ok(agent_a.resume(iid, {"kind": "progress", "delivery_id": did}))
    agent_a.ok(agent_a.complete(iid, {}, delivery_id=did))
    # the human can read the intent now, but agent writes are not its to make
    forbidden(human.resume(iid, {"kind": "progress"}), "current_handler_required")


def test_resume_control(world: dict[str, Any]) -> None:
    api, agent_a, human = world["api"], world["agent_a"], world["human"]
    api.register_agent("c")
    iid = _send(world, human_task={"title": "sign", "assignees": ["h-1"]})
    # the current handler may hand off (next_handler) but not approve its own step
    forbidden(agent_a.resume(iid, {"kind": "control", "approve_current_step": True}), "admin_required")
    forbidden(
        world["agent_b"].resume(iid, {"kind": "control", "next_handler": "c"}), "current_handler_required"
    )
    assert api.intent(iid)["status"] == "SUBMITTED"
    handed = agent_a.ok(agent_a.resume(iid, {"kind": "control", "next_handler": "c"}))["intent"]
    assert handed["pending_with"]["ref"].endswith("/c")
    api.ok(api.resume(iid, {"kind": "control", "approve_current_step": True}))
    assert api.intent(iid)["status"] == "WAITING"
    # a human assignee decides; control is not in the human column
    forbidden(human.resume(iid, {"kind": "control", "next_handler": "someone"}), "current_handler_required")
    forbidden(
        human.resume(iid, {"kind": "control", "approve_current_step": True}), "current_handler_required"
    )
    assert api.intent(iid)["pending_with"]["ref"] == "h-1"


def test_resolve(world: dict[str, Any]) -> None:
    iid = _send(world, human_task={"title": "sign", "assignees": ["h-1"]})
    forbidden(
        world["agent_a"].post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), "initiator_required"
    )
    world["agent_a"].ok(world["agent_a"].complete(iid, {}))
    forbidden(world["human"].post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), "initiator_required")
    world["agent_b"].ok(world["agent_b"].post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}))


def test_tasks_and_decisions(world: dict[str, Any]) -> None:
    agent_a, human = world["agent_a"], world["human"]
    iid = _send(world, human_task={"title": "sign", "assignees": ["h@example.com"]})
    agent_a.ok(agent_a.complete(iid, {}))
    forbidden(agent_a.get("/v1/tasks"), "human_or_admin_required")
    forbidden(agent_a.decide(iid, outcome="approved"), "assignee_required")  # it can read the intent: 403
    forbidden(agent_a.resume(iid, {"kind": "task_result", "outcome": "approved"}), "assignee_required")
    tasks = human.ok(human.get("/v1/tasks"))["tasks"]
    assert [t["intent_id"] for t in tasks] == [iid]  # assigned by contact (REQ-HUMAN-018)
    assert human.ok(human.decide(iid, outcome="approved"))["intent"]["status"] == "COMPLETED"


def test_agents(world: dict[str, Any]) -> None:
    agent_a, human, a, b = world["agent_a"], world["human"], world["a"], world["b"]
    forbidden(agent_a.post("/v1/agents", {"address": "d"}), "admin_required")
    forbidden(human.post("/v1/agents", {"address": "d"}), "admin_required")
    listed = agent_a.ok(agent_a.get("/v1/agents"))["agents"]
    assert {a, b} <= {x["address"] for x in listed}
    assert agent_a.ok(agent_a.get(f"/v1/agents/{b}"))["agent"]["address"] == b  # any agent of the workspace
    forbidden(human.get("/v1/agents"), "agent_or_admin_required")
    forbidden(human.get(f"/v1/agents/{a}"), "agent_or_admin_required")
    forbidden(
        human.get("/v1/agents/nobody"), "agent_or_admin_required"
    )  # not allowed at all: 403 before any lookup


def test_create_agent_key(world: dict[str, Any]) -> None:
    agent_a, a, b = world["agent_a"], world["a"], world["b"]
    made = agent_a.ok(agent_a.post(f"/v1/agents/{a}/keys"))
    assert made["key"]["agent_address"] == a and made["key"]["kind"] == "agent"
    second = agent_a.with_key(made["api_key"])
    second.ok(second.get(f"/v1/agents/{a}/intents", params={"wait_seconds": 0}))
    forbidden(agent_a.post(f"/v1/agents/{b}/keys"), "own_agent_required")
    forbidden(world["human"].post(f"/v1/agents/{a}/keys"), "own_agent_required")
    keys = world["api"].ok(world["api"].get("/v1/admin/keys"))["keys"]
    assert sum(k.get("agent_address") == a for k in keys) == 2  # the registration key and the new one


def test_delivery_streams_and_polls(world: dict[str, Any]) -> None:
    agent_a, human, a, b = world["agent_a"], world["human"], world["a"], world["b"]
    agent_a.ok(agent_a.get(f"/v1/agents/{a}/intents", params={"wait_seconds": 0}))
    for key, target in ((agent_a, b), (agent_a, "nobody"), (human, a), (human, "nobody")):
        forbidden(key.get(f"/v1/agents/{target}/intents", params={"wait_seconds": 0}), "own_agent_required")
        forbidden(
            key.get(f"/v1/agents/{target}/intents/stream", params={"wait_seconds": 1}), "own_agent_required"
        )


def test_admin_only_rows(world: dict[str, Any]) -> None:
    bundle = {
        "scenario_id": "table.v1",
        "agents": [],
        "humans": [],
        "workflow": {"steps": []},
        "intent": {"type": "intent.test.table.v1"},
    }
    for key in (world["agent_a"], world["human"]):
        forbidden(key.post("/v1/scenarios/apply", bundle), "admin_required")
        forbidden(key.post("/v1/scenarios/validate", bundle), "admin_required")
        forbidden(key.post("/v1/admin/keys", {"kind": "admin", "name": "x"}), "admin_required")
        forbidden(key.get("/v1/admin/keys"), "admin_required")
        forbidden(key.delete("/v1/admin/keys/ffffffffffffffff"), "admin_required")
