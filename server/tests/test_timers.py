"""Leases, redelivery, exhaustion, reminders -> escalation -> on_timeout and
deadlines, driven by the server's controllable clock (no sleeps)."""

from __future__ import annotations

import pytest
from helpers import Api
from test_errors import err


def types(api: Api, iid: str) -> list[str]:
    return [e["event_type"] for e in api.events(iid)]


def test_lease_expiry_redelivers_then_fails(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr, max_delivery_attempts=2)
    d1 = agent.poll_one(addr)
    api.advance(61)
    intent = api.intent(iid)
    assert intent["status"] == "SUBMITTED" and intent["delivery_attempt"] == 1
    red = api.events(iid)[-1]
    assert (
        red["event_type"] == "intent.redelivered" and red["data"]["previous_delivery_id"] == d1["delivery_id"]
    )
    assert red["data"]["reason"] == "lease_expired" and red["actor"]["type"] == "system"
    d2 = agent.poll_one(addr)
    assert d2["attempt"] == 2 and d2["delivery_id"] != d1["delivery_id"]
    # the slow first agent comes back: stale
    e = err(agent.complete(iid, {}, delivery_id=d1["delivery_id"]), 409, "stale_delivery")
    assert e["details"]["current_delivery_id"] == d2["delivery_id"]
    api.advance(61)
    final = api.intent(iid)
    assert final["status"] == "FAILED" and final["error"]["code"] == "delivery_failed"
    last = api.events(iid)[-1]
    assert last["event_type"] == "intent.delivery_failed"
    assert last["data"]["delivery_attempt"] == 2 and last["data"]["max_delivery_attempts"] == 2


def test_ack_and_progress_renew_the_lease(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    d = agent.poll_one(addr)
    api.advance(40)
    agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}))
    api.advance(40)  # 80 s after delivery, 40 s after ack: still leased
    assert api.intent(iid)["status"] == "ACKNOWLEDGED"
    agent.ok(agent.resume(iid, {"kind": "progress", "delivery_id": d["delivery_id"]}))
    api.advance(40)
    assert api.intent(iid)["status"] == "IN_PROGRESS"
    api.advance(30)
    assert api.intent(iid)["status"] == "SUBMITTED"


def test_reminders_then_escalation_then_timeout(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(
        addr,
        human_task={"title": "t", "assignees": ["alice"]},
        remind_after_seconds=30,
        remind_interval_seconds=30,
        max_reminders=2,
        escalate_to="bob",
    )
    agent.ok(agent.complete(iid, {}))
    api.advance(30)
    assert api.intent(iid)["remind_count"] == 1
    api.advance(30)
    assert api.intent(iid)["remind_count"] == 2
    api.advance(30)
    intent = api.intent(iid)
    assert intent["pending_with"]["ref"] == "bob" and intent["human_task"]["assignees"] == ["bob"]
    esc = api.events(iid)[-1]
    assert esc["event_type"] == "intent.escalated" and esc["data"]["escalated_to"] == "bob"
    assert esc["data"]["previous_assignees"] == ["alice"] and esc["data"]["reason"] == "reminders_exhausted"
    bob = api.human("bob")
    assert [t["intent_id"] for t in bob.ok(bob.get("/v1/tasks"))["tasks"]] == [iid]
    assert intent["remind_count"] == 0
    api.advance(30)  # the reminder cycle restarts for bob
    assert api.intent(iid)["remind_count"] == 1
    assert types(api, iid)[-1] == "intent.reminder"
    assert bob.ok(bob.decide(iid, outcome="approved"))["intent"]["status"] == "COMPLETED"


def test_one_advance_fires_everything_in_order(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(
        addr,
        human_task={"title": "t"},
        remind_after_seconds=10,
        remind_interval_seconds=10,
        max_reminders=3,
        deadline_at="2100-01-01T00:00:00.000Z",
    )
    agent.ok(agent.complete(iid, {}))
    api.advance(100)
    assert types(api, iid)[-3:] == ["intent.reminder"] * 3


@pytest.mark.parametrize(
    "action,status,code",
    [
        ("fail", "TIMED_OUT", "timed_out"),
        ("cancel", "CANCELED", "canceled"),
        ("approve", "COMPLETED", None),
        ("reject", "FAILED", "rejected"),
    ],
)
def test_on_timeout_actions(api: Api, action: str, status: str, code: str | None) -> None:
    bundle = {
        "scenario_id": f"timeout.{action}",
        "agents": [{"role": "w", "address": "w", "create_if_missing": True}],
        "humans": [{"role": "ops"}],
        "workflow": {
            "steps": [
                {"step_id": "do", "assigned_to": "w"},
                {
                    "step_id": "ok",
                    "assigned_to": "ops",
                    "step_deadline_seconds": 600,
                    "on_timeout": action,
                    "human_task": {"title": "approve"},
                },
            ]
        },
        "intent": {"type": "intent.timeout.test.v1", "payload": {}},
    }
    out = api.ok(api.post("/v1/scenarios/apply", bundle))
    agent = api.with_key(out["agents"][0]["api_key"])
    iid = out["intent_id"]
    agent.ok(agent.complete(iid, {"r": 1}))
    api.advance(599)
    assert api.intent(iid)["status"] == "WAITING"
    api.advance(2)
    final = api.intent(iid)
    assert final["status"] == status
    assert (final["error"] or {}).get("code") == code
    tasks = api.ok(api.get("/v1/tasks", params={"status": "all"}))["tasks"]
    assert tasks[0]["status"] == ("decided" if action in ("approve", "reject") else "expired")


def test_on_timeout_escalate(api: Api) -> None:
    bundle = {
        "scenario_id": "timeout.escalate",
        "agents": [{"role": "w", "address": "w", "create_if_missing": True}],
        "humans": [{"role": "ops"}],
        "workflow": {
            "steps": [
                {"step_id": "do", "assigned_to": "w"},
                {
                    "step_id": "ok",
                    "assigned_to": "ops",
                    "step_deadline_seconds": 100,
                    "on_timeout": "escalate",
                    "escalate_to": "boss",
                    "human_task": {"title": "approve"},
                },
            ]
        },
        "intent": {"type": "intent.timeout.test.v1", "payload": {}},
    }
    out = api.ok(api.post("/v1/scenarios/apply", bundle))
    agent = api.with_key(out["agents"][0]["api_key"])
    iid = out["intent_id"]
    agent.ok(agent.complete(iid, {}))
    api.advance(101)
    intent = api.intent(iid)
    assert intent["status"] == "WAITING" and intent["pending_with"]["ref"] == "boss"
    assert api.events(iid)[-1]["data"]["reason"] == "timeout"
    api.advance(101)
    assert api.intent(iid)["status"] == "TIMED_OUT"


def test_intent_deadline_times_out(api: Api) -> None:
    import datetime

    addr, _ = api.register_agent("w")
    now = api.ok(api.http.get("/_testing/clock"))["now"]
    at = datetime.datetime.fromisoformat(now) + datetime.timedelta(seconds=50)
    iid = api.create(addr, deadline_at=at.isoformat().replace("+00:00", "Z"))
    api.advance(49)
    assert api.intent(iid)["status"] == "SUBMITTED"
    api.advance(2)
    final = api.intent(iid)
    assert final["status"] == "TIMED_OUT" and final["error"]["code"] == "timed_out"
    ev = api.events(iid)[-1]
    assert ev["event_type"] == "intent.timed_out" and ev["data"]["deadline_at"] == final["deadline_at"]


def test_agent_step_deadline(api: Api) -> None:
    bundle = {
        "scenario_id": "agent.deadline",
        "agents": [{"role": "w", "address": "w", "create_if_missing": True}],
        "workflow": {"steps": [{"step_id": "do", "assigned_to": "w", "step_deadline_seconds": 30}]},
        "intent": {"type": "intent.deadline.test.v1", "payload": {}},
    }
    iid = api.ok(api.post("/v1/scenarios/apply", bundle))["intent_id"]
    api.advance(31)
    assert api.intent(iid)["status"] == "TIMED_OUT"
