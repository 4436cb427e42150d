"""Contract checks: leasing (promptly, one at a time), the agent stream cursor, and
internal workflow steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from axme_conformance.contract.client import ContractClient, expect, parse_frames
from axme_conformance.contract.registry import check


def _seconds_between(earlier: str, later: str) -> float:
    def parse(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return (parse(later) - parse(earlier)).total_seconds()


def _deliveries(text: str) -> list[dict[str, Any]]:
    return [f for f in parse_frames(text) if f.get("event") == "intent.delivery"]


@check(
    "delivery/leased-within-a-second-of-an-open-stream",
    requirements=["REQ-DELIVERY-001", "REQ-SSE-004"],
)
def lease_on_availability(c: ContractClient) -> None:
    address, key = c.new_agent(delivery_mode="stream")
    created: list[str] = []

    def create_once_open(text: str) -> bool:
        if not created and text.startswith("retry:"):
            created.append(c.new_intent(address))
        return bool(created) and any(
            f["json"]["intent_id"] == created[0] for f in _deliveries(text) if "json" in f
        )

    status, text, _ = c.stream(
        f"/v1/agents/{quote(address, safe='')}/intents/stream",
        params={"wait_seconds": 5},
        key=key,
        until=create_once_open,
    )
    expect(status == 200 and bool(created), f"agent stream: {status} {text[:200]}")
    frames = _deliveries(text)
    expect(len(frames) == 1, f"one delivery frame expected: {text[:400]}")
    delivery = frames[0]["json"]
    expect(delivery["attempt"] == 1 and delivery["status"] == "DELIVERED", f"{delivery}")
    events = c.events(created[0])
    expect(events[1]["event_type"] == "intent.delivered", f"{events[1]}")
    lag = _seconds_between(events[0]["at"], events[1]["at"])
    expect(lag <= 1.0, f"leased {lag:.3f} s after it became available (limit 1 s)")
    expect(
        events[1]["data"]["delivery_id"] == delivery["delivery_id"]
        and events[1]["data"]["binding"] == "stream",
        f"{events[1]['data']}",
    )


@check("delivery/one-lease-at-a-time", requirements=["REQ-DELIVERY-002"])
def one_lease(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    first = c.take_delivery(address, key, intent_id)
    poll = c.ok(
        c.request(
            "GET",
            f"/v1/agents/{quote(address, safe='')}/intents",
            key=key,
            params={"status": "pending", "wait_seconds": 1},
        )
    )
    expect(
        all(d["intent_id"] != intent_id for d in poll["deliveries"]),
        f"a leased intent was offered again: {poll['deliveries']}",
    )
    status, text, _ = c.stream(
        f"/v1/agents/{quote(address, safe='')}/intents/stream",
        params={"wait_seconds": 1},
        key=key,
        timeout_s=10,
    )
    expect(
        status == 200 and intent_id not in text,
        f"a leased intent was sent on a new stream: {text[:300]}",
    )
    intent = c.intent(intent_id)
    expect(intent["delivery_attempt"] == 1 and first["attempt"] == 1, f"{intent}")


@check("delivery/agent-stream-cursor", requirements=["REQ-DELIVERY-012", "REQ-SSE-004"])
def stream_cursor(c: ContractClient) -> None:
    address, key = c.new_agent(delivery_mode="stream")
    ids = [c.new_intent(address) for _ in range(2)]
    path = f"/v1/agents/{quote(address, safe='')}/intents/stream"
    _, text, _ = c.stream(
        path, params={"wait_seconds": 5}, key=key, until=lambda t: len(_deliveries(t)) >= 2
    )
    frames = _deliveries(text)
    expect(sorted(f["json"]["intent_id"] for f in frames) == sorted(ids), f"{text[:400]}")
    cursors = [f.get("id", "") for f in frames]
    expect(all(cur.isdigit() for cur in cursors), f"cursors must be integer strings: {cursors}")
    expect(int(cursors[1]) > int(cursors[0]), f"cursors must increase: {cursors}")
    for frame in frames:
        c.resume(
            frame["json"]["intent_id"],
            {"kind": "agent_result", "outcome": "complete", "result": {}},
            key=key,
        )
    third = c.new_intent(address)
    _, text, _ = c.stream(
        path,
        params={"wait_seconds": 5, "since": cursors[-1]},
        key=key,
        until=lambda t: len(_deliveries(t)) >= 1,
    )
    later = _deliveries(text)
    expect(len(later) == 1 and later[0]["json"]["intent_id"] == third, f"{text[:300]}")
    expect(
        int(later[0]["id"]) > max(int(cur) for cur in cursors),
        f"a later delivery needs a larger cursor: {later[0]['id']} after {cursors}",
    )


@check("scenarios/internal-delay-and-notification-steps", requirements=["REQ-SCEN-010"])
def internal_steps(c: ContractClient) -> None:
    agent = c.unique("worker")
    bundle = {
        "scenario_id": "contract.internal.v1",
        "agents": [{"role": "worker", "address": agent, "create_if_missing": True}],
        "workflow": {
            "steps": [
                {"step_id": "work", "assigned_to": "worker"},
                {
                    "step_id": "tell",
                    "runtime_type": "notification",
                    "runtime_config": {"notify": []},
                },
                {"step_id": "pause", "runtime_type": "delay", "runtime_config": {"seconds": 1}},
            ]
        },
        "intent": {"type": "intent.contract.internal.v1", "payload": {}},
    }
    applied = c.ok(c.request("POST", "/v1/scenarios/apply", body=bundle))
    intent_id, worker = applied["intent_id"], applied["agents"][0]
    intent = c.complete_agent_step(worker["address"], worker["api_key"], intent_id, {"w": 1})
    expect(
        intent["status"] == "WAITING" and intent["waiting_reason"] == "WAITING_FOR_TIME",
        f"a delay step holds the intent WAITING_FOR_TIME: {intent['status']} "
        f"{intent['waiting_reason']}",
    )
    waiting = [e for e in c.events(intent_id) if e["event_type"] == "intent.waiting"]
    expect(len(waiting) == 1 and waiting[0]["data"]["step_id"] == "pause", f"{waiting}")
    done = c.wait_intent(intent_id, lambda i: i["status"] == "COMPLETED", timeout_s=10)
    steps = [
        e["data"].get("step_id")
        for e in c.events(intent_id)
        if e["event_type"] in ("intent.step_completed", "intent.completed")
    ]
    expect(steps[:2] == ["work", "tell"], f"the notification step continues at once: {steps}")
    expect(done["result"] is not None, f"{done}")
