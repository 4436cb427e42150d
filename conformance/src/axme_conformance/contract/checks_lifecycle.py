"""Contract checks: delivery, ack, resume kinds, terminal immutability, transitions."""

from __future__ import annotations

from typing import Any

import httpx

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check


def _resume(
    c: ContractClient, intent_id: str, key: str | bool, body: dict[str, Any]
) -> httpx.Response:
    return c.request("POST", f"/v1/intents/{intent_id}/resume", key=key, body=body)


@check(
    "delivery/poll-lease-ack", requirements=["REQ-DELIVERY-013", "REQ-DELIVERY-003", "REQ-ACK-001"]
)
def poll_lease_ack(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    delivery = c.take_delivery(address, key, intent_id)
    expect(delivery["attempt"] == 1 and bool(delivery["delivery_id"]), f"{delivery}")
    expect(bool(delivery.get("lease_expires_at")), "delivery needs lease_expires_at")
    expect(delivery["intent"]["intent_id"] == intent_id, "delivery carries the intent")
    expect(c.intent(intent_id)["status"] == "DELIVERED", "leased intent is DELIVERED")
    acked = c.ok(
        c.request(
            "POST",
            f"/v1/intents/{intent_id}/ack",
            key=key,
            body={"delivery_id": delivery["delivery_id"]},
        )
    )
    expect(acked["intent"]["status"] == "ACKNOWLEDGED", f"{acked}")
    expect(bool(acked.get("lease_expires_at")), "ack returns lease_expires_at")


@check("lifecycle/progress-then-complete", requirements=["REQ-RESUME-004", "REQ-EVENT-001"])
def progress_then_complete(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    delivery = c.take_delivery(address, key, intent_id)
    progressed = c.ok(
        _resume(
            c,
            intent_id,
            key,
            {"kind": "progress", "details": {"pct": 50}, "delivery_id": delivery["delivery_id"]},
        )
    )
    expect(progressed["intent"]["status"] == "IN_PROGRESS", f"{progressed}")
    done = c.ok(
        _resume(
            c, intent_id, key, {"kind": "agent_result", "outcome": "complete", "result": {"ok": 1}}
        )
    )
    expect(done["applied"] is True and done["intent"]["status"] == "COMPLETED", f"{done}")
    expect(done["intent"]["result"] == {"ok": 1}, "result stored as sent")
    types = [e["event_type"] for e in c.events(intent_id)]
    expect(
        types == ["intent.submitted", "intent.delivered", "intent.progress", "intent.completed"],
        f"events: {types}",
    )
    seqs = [e["seq"] for e in c.events(intent_id)]
    expect(seqs == list(range(1, len(seqs) + 1)), f"seq must be 1,2,3…: {seqs}")


@check("lifecycle/fail-outcome", requirements=["REQ-RESUME-003", "REQ-LIFECYCLE-009"])
def fail_outcome(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    c.take_delivery(address, key, intent_id)
    body = c.ok(
        _resume(
            c,
            intent_id,
            key,
            {
                "kind": "agent_result",
                "outcome": "fail",
                "error": {"code": "validation_failed", "message": "bad plan"},
            },
        )
    )
    intent = body["intent"]
    expect(
        intent["status"] == "FAILED" and intent["error"]["code"] == "validation_failed", f"{intent}"
    )


@check("lifecycle/terminal-is-immutable-409", requirements=["REQ-LIFECYCLE-003", "REQ-RESOLVE-003"])
def terminal_immutable(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    c.error(
        c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "COMPLETED"}),
        409,
        "intent_terminal",
    )
    c.error(
        _resume(c, intent_id, True, {"kind": "agent_result", "outcome": "complete", "result": {}}),
        409,
        "intent_terminal",
    )
    expect(c.intent(intent_id)["status"] == "CANCELED", "terminal status must not change")


@check("lifecycle/stale-delivery-409", requirements=["REQ-DELIVERY-008"])
def stale_delivery(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    c.take_delivery(address, key, intent_id)
    c.error(
        _resume(
            c,
            intent_id,
            key,
            {
                "kind": "agent_result",
                "outcome": "complete",
                "result": {},
                "delivery_id": "not-the-current-one",
            },
        ),
        409,
        "stale_delivery",
    )


@check("lifecycle/bare-resume-body-422", requirements=["REQ-RESUME-002"])
def bare_resume(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    c.take_delivery(address, key, intent_id)
    c.error(_resume(c, intent_id, key, {"answer": 42}), 422, "validation_error")


@check("lifecycle/legacy-action-complete", requirements=["REQ-RESUME-005"])
def legacy_action(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    c.take_delivery(address, key, intent_id)
    body = c.ok(_resume(c, intent_id, key, {"action": "complete", "answer": 42}))
    expect(body["intent"]["status"] == "COMPLETED", f"{body}")
    expect(body["intent"]["result"] == {"answer": 42}, f"legacy result: {body['intent']}")


@check("lifecycle/resolve-cancel", requirements=["REQ-RESOLVE-001"])
def resolve_cancel(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    body = c.ok(
        c.request(
            "POST",
            f"/v1/intents/{intent_id}/resolve",
            body={"status": "CANCELED", "reason": "not needed"},
        )
    )
    expect(body["intent"]["status"] == "CANCELED", f"{body}")
    last = c.events(intent_id)[-1]
    expect(last["event_type"] == "intent.canceled" and last["status"] == "CANCELED", f"{last}")


@check("events/since-is-exclusive", requirements=["REQ-API-017", "REQ-EVENT-002"])
def events_since(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    events = c.events(intent_id)
    expect(
        events[0]["seq"] == 1
        and events[0]["event_type"] == "intent.submitted"
        and events[0]["status"] == "SUBMITTED",
        f"first event: {events[0]}",
    )
    later = c.events(intent_id, since=1)
    expect([e["seq"] for e in later] == [e["seq"] for e in events[1:]], f"since=1: {later}")
