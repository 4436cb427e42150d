"""The happy paths and every allowed transition of the table (T1–T19)."""

from __future__ import annotations

import pytest
from helpers import Api, event_frames, read_stream


def types(events: list[dict]) -> list[str]:
    return [e["event_type"] for e in events]


def test_health(anon: Api) -> None:
    body = anon.ok(anon.get("/health"))
    assert body == {"ok": True, "service": "axme-server", "version": body["version"], "protocol": "axp/1"}


def test_create_get_and_first_event(api: Api) -> None:
    addr, _ = api.register_agent("worker")
    assert addr == f"agent://{api.namespace}/default/worker"
    resp = api.post(
        "/v1/intents",
        {
            "intent_type": "intent.demo.v1",
            "to_agent": "worker",
            "payload": {"x": 1},
            "from_agent": "agent://spoofed/x/y",
        },
    )
    body = api.ok(resp)
    assert body["status"] == "SUBMITTED" and body["created_at"].endswith("Z")
    assert resp.headers["x-request-id"]
    intent = api.intent(body["intent_id"])
    assert intent["to_agent"] == addr and intent["from_agent"].startswith("admin://")
    assert intent["lifecycle_status"] == intent["status"] == "SUBMITTED"
    assert intent["delivery_attempt"] == 0 and intent["max_delivery_attempts"] == 3
    assert intent["correlation_id"] and intent["result"] is None and intent["last_seq"] == 1
    (ev,) = api.events(body["intent_id"])
    assert ev["seq"] == 1 and ev["event_type"] == "intent.submitted" and ev["status"] == "SUBMITTED"
    assert ev["data"] == {"intent_type": "intent.demo.v1", "to_agent": addr}
    assert ev["actor"]["type"] == "admin" and ev["channel"] == "api"


def test_agent_poll_ack_progress_complete(api: Api) -> None:
    addr, agent = api.register_agent("worker")
    iid = api.create(addr)
    d = agent.poll_one(addr)
    assert d["intent_id"] == iid and d["attempt"] == 1 and d["status"] == "DELIVERED" and d["step_id"] is None
    assert d["intent"]["status"] == "DELIVERED" and d["intent"]["delivery_attempt"] == 1
    ack = agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}))
    assert ack["intent"]["status"] == "ACKNOWLEDGED" and ack["lease_expires_at"] >= d["lease_expires_at"]
    # re-ack renews without an event
    agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}))
    prog = agent.ok(
        agent.resume(iid, {"kind": "progress", "details": {"pct": 50}, "delivery_id": d["delivery_id"]})
    )
    assert prog["applied"] is True and prog["intent"]["status"] == "IN_PROGRESS"
    agent.ok(agent.resume(iid, {"kind": "progress"}))
    done = agent.ok(agent.complete(iid, {"answer": 42}, delivery_id=d["delivery_id"]))
    assert done["intent"]["status"] == "COMPLETED" and done["intent"]["result"] == {"answer": 42}
    evs = api.events(iid)
    assert types(evs) == [
        "intent.submitted",
        "intent.delivered",
        "intent.acknowledged",
        "intent.progress",
        "intent.progress",
        "intent.completed",
    ]
    assert [e["seq"] for e in evs] == [1, 2, 3, 4, 5, 6]
    assert evs[1]["actor"]["type"] == "system" and evs[1]["data"]["binding"] == "poll"
    assert evs[3]["data"]["details"] == {"pct": 50} and evs[4]["data"]["details"] == {}
    assert evs[-1]["actor"]["type"] == "agent" and evs[-1]["data"]["result"] == {"answer": 42}
    final = api.intent(iid)
    assert final["pending_with"] is None and final["waiting_reason"] is None and final["last_seq"] == 6
    assert final["updated_at"] == evs[-1]["at"]


def test_human_task_flow_and_stream(api: Api) -> None:
    addr, agent = api.register_agent("validator")
    human = api.human("sre")
    iid = api.create(addr, human_task={"title": "Approve the change", "assignees": ["sre"]})
    intent = api.intent(iid)
    assert [s["step_id"] for s in intent["steps"]] == ["agent", "human_task"]
    assert intent["current_step"] == {"step_id": "agent", "index": 0, "kind": "agent", "assigned_to": addr}
    d = agent.poll_one(addr)
    assert d["step_id"] == "agent"
    waiting = agent.ok(agent.complete(iid, {"validation": "passed"}, delivery_id=d["delivery_id"]))["intent"]
    assert waiting["status"] == "WAITING" and waiting["waiting_reason"] == "WAITING_FOR_HUMAN"
    assert waiting["pending_with"] == {"type": "human", "ref": "sre", "name": "sre"}
    assert waiting["current_step"]["kind"] == "human" and waiting["current_step"]["assigned_to"] == "sre"
    tasks = human.ok(human.get("/v1/tasks"))["tasks"]
    assert [t["intent_id"] for t in tasks] == [iid] and tasks[0]["status"] == "pending"
    assert tasks[0]["step_id"] == "human_task" and tasks[0]["assignees"] == ["sre"]
    done = human.ok(human.decide(iid, outcome="approved", comment="ship it"))["intent"]
    assert done["status"] == "COMPLETED" and done["result"] == {"validation": "passed"}
    frames = read_stream(api, f"/v1/intents/{iid}/events/stream")
    assert frames[0] == {"retry": "2000"}
    evs = event_frames(frames)
    assert types(evs) == [
        "intent.submitted",
        "intent.delivered",
        "intent.step_completed",
        "intent.human_task_assigned",
        "intent.completed",
    ]
    assert [f["id"] for f in frames if "id" in f] == ["1", "2", "3", "4", "5"]
    assert evs[2]["status"] == "WAITING" and evs[2]["data"]["result"] == {"validation": "passed"}
    assert (
        evs[3]["data"]["assignees"] == ["sre"]
        and evs[3]["data"]["human_task"]["title"] == "Approve the change"
    )
    assert evs[4]["actor"] == {"type": "human", "id": "sre", "display_name": "sre"}
    assert evs[4]["data"]["outcome"] == "approved" and evs[4]["data"]["comment"] == "ship it"
    all_tasks = api.ok(api.get("/v1/tasks", params={"status": "all"}))["tasks"]
    assert all_tasks[0]["status"] == "decided"
    audit = api.ok(api.get(f"/v1/intents/{iid}/audit"))
    last = audit["audit"][-1]
    assert last["outcome"] == "approved" and last["comment"] == "ship it" and last["actor"]["id"] == "sre"


def test_reject_fails_with_code_rejected(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr, human_task={"title": "ok?"})
    agent.ok(agent.complete(iid, {}))
    out = api.ok(api.decide(iid, outcome="rejected", comment="no"))["intent"]
    assert out["status"] == "FAILED" and out["error"]["code"] == "rejected" and out["result"] is None
    ev = api.events(iid)[-1]
    assert ev["event_type"] == "intent.failed" and ev["data"]["outcome"] == "rejected"


def test_agent_fail_and_default_error(api: Api) -> None:
    addr, agent = api.register_agent("w")
    a = api.create(addr)
    out = agent.ok(
        agent.resume(
            a, {"kind": "agent_result", "outcome": "fail", "error": {"code": "boom", "message": "it broke"}}
        )
    )["intent"]
    assert out["status"] == "FAILED" and out["error"] == {"code": "boom", "message": "it broke"}
    b = api.create(addr)
    out = agent.ok(agent.resume(b, {"kind": "agent_result", "outcome": "fail"}))["intent"]
    assert out["error"] == {"code": "agent_error", "message": "agent reported failure"}


def test_resolve_statuses(api: Api) -> None:
    addr, _ = api.register_agent("w")
    for status, extra, check in [
        ("COMPLETED", {"result": {"r": 1}}, lambda i: i["result"] == {"r": 1} and i["error"] is None),
        ("FAILED", {}, lambda i: i["error"]["code"] == "failed" and i["result"] is None),
        (
            "CANCELED",
            {"reason": "changed my mind"},
            lambda i: i["error"] == {"code": "canceled", "message": "changed my mind"},
        ),
    ]:
        iid = api.create(addr)
        out = api.ok(api.post(f"/v1/intents/{iid}/resolve", {"status": status, **extra}))
        assert out["applied"] is True and out["intent"]["status"] == status and check(out["intent"])
        assert (
            api.events(iid)[-1]["event_type"]
            == {"COMPLETED": "intent.completed", "FAILED": "intent.failed", "CANCELED": "intent.canceled"}[
                status
            ]
        )


def test_legacy_resume_forms(api: Api) -> None:
    addr, agent = api.register_agent("w")
    a = api.create(addr)
    out = agent.ok(agent.resume(a, {"action": "complete", "validation": "passed"}))["intent"]
    assert out["status"] == "COMPLETED" and out["result"] == {"validation": "passed"}
    b = api.create(addr)
    out = agent.ok(agent.resume(b, {"action": "fail", "reason": "nope"}))["intent"]
    assert out["error"]["code"] == "agent_error" and out["error"]["message"] == "nope"
    c = api.create(addr, human_task={"title": "t", "task_type": "form", "allowed_outcomes": ["submitted"]})
    agent.ok(agent.complete(c))
    out = api.ok(api.resume(c, {"task_result": {"outcome": "submitted", "size": 3, "data": {"x": 1}}}))[
        "intent"
    ]
    assert out["status"] == "COMPLETED"
    assert api.events(c)[-1]["data"]["data"] == {"size": 3, "x": 1}
    d = api.create(addr, human_task={"title": "t"})
    agent.ok(agent.complete(d))
    out = api.ok(api.resume(d, {"approve_current_step": True, "actor": "human:CAB", "reason": "ok"}))[
        "intent"
    ]
    assert out["status"] == "COMPLETED"


def test_task_result_kind_equals_decide(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr, human_task={"title": "t", "task_type": "confirmation"})
    agent.ok(agent.complete(iid))
    out = api.ok(api.resume(iid, {"kind": "task_result", "outcome": "confirmed"}))["intent"]
    assert out["status"] == "COMPLETED"


def test_list_intents_filters_and_pagination(api: Api) -> None:
    a, _ = api.register_agent("a")
    b, _ = api.register_agent("b")
    ids = [api.create(a) for _ in range(3)] + [api.create(b) for _ in range(2)]
    body = api.ok(api.get("/v1/intents", params={"limit": 2}))
    seen = [i["intent_id"] for i in body["intents"]]
    while body["next_cursor"]:
        body = api.ok(api.get("/v1/intents", params={"limit": 2, "cursor": body["next_cursor"]}))
        seen += [i["intent_id"] for i in body["intents"]]
    assert seen == list(reversed(ids))
    only_a = api.ok(api.get("/v1/intents", params={"to_agent": "a"}))["intents"]
    assert {i["intent_id"] for i in only_a} == set(ids[:3])
    api.ok(api.post(f"/v1/intents/{ids[0]}/resolve", {"status": "CANCELED"}))
    canceled = api.ok(api.get("/v1/intents", params={"status": "CANCELED"}))["intents"]
    assert [i["intent_id"] for i in canceled] == [ids[0]]


@pytest.mark.parametrize(
    ("status", "outcome"), [("COMPLETED", "completed"), ("FAILED", "failed"), ("CANCELED", "canceled")]
)
def test_a_resolve_shows_its_status_and_reason_in_the_audit(api: Api, status: str, outcome: str) -> None:
    """REQ-AUDIT-002: a resolve's audit entry carries the lowercase status as outcome and the
    reason as comment."""
    address, _ = api.register_agent("resolved-audit")
    intent_id = api.create(address)
    api.ok(api.post(f"/v1/intents/{intent_id}/resolve", {"status": status, "reason": "ops said so"}))
    last = api.ok(api.get(f"/v1/intents/{intent_id}/audit"))["audit"][-1]
    assert (last["status"], last["outcome"], last["comment"]) == (status, outcome, "ops said so")
