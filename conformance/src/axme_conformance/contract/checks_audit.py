"""Contract checks: the audit trail as a projection of the (immutable) event log."""

from __future__ import annotations

from typing import Any

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check

PROJECTED = ("seq", "at", "event_type", "actor", "channel")


def _audit(c: ContractClient, intent_id: str, key: str | bool = True) -> list[dict[str, Any]]:
    return list(c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit", key=key))["audit"])


def _decided_intent(c: ContractClient) -> tuple[str, str, str]:
    """An intent through agent step, a rejected decision attempt, then an approval."""
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign", "required_comment": True})
    c.complete_agent_step(address, key, intent_id, {"v": 1})
    path = f"/v1/tasks/{intent_id}/decision"
    c.error(c.request("POST", path, body={"outcome": "approved"}), 422, "task_validation_failed")
    c.ok(c.request("POST", path, body={"outcome": "approved", "comment": "ok"}))
    return intent_id, address, key


@check("audit/one-entry-per-event", requirements=["REQ-AUDIT-001"])
def one_entry_per_event(c: ContractClient) -> None:
    intent_id, _, _ = _decided_intent(c)
    events = c.events(intent_id)
    audit = _audit(c, intent_id)
    expect(len(audit) == len(events), f"{len(audit)} audit entries for {len(events)} events")
    for event, entry in zip(events, audit, strict=True):
        for member in PROJECTED:
            expect(
                entry.get(member) == event.get(member),
                f"audit seq {entry.get('seq')}: {member} {entry.get(member)!r} differs from "
                f"the event's {event.get(member)!r}",
            )


@check("audit/immutable-and-no-rejected-decisions", requirements=["REQ-AUDIT-005"])
def audit_immutable(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign", "required_comment": True})
    c.complete_agent_step(address, key, intent_id, {"v": 1})
    before = _audit(c, intent_id)
    path = f"/v1/tasks/{intent_id}/decision"
    c.error(c.request("POST", path, body={"outcome": "approved"}), 422, "task_validation_failed")
    c.error(
        c.request("POST", path, body={"outcome": "maybe", "comment": "x"}),
        422,
        "task_validation_failed",
    )
    expect(_audit(c, intent_id) == before, "a rejected decision changed the audit trail")
    c.ok(c.request("POST", path, body={"outcome": "approved", "comment": "ok"}))
    after = _audit(c, intent_id)
    expect(after[: len(before)] == before, "earlier audit entries changed after a decision")
    outcomes = [a["outcome"] for a in after if a.get("outcome")]
    expect(
        outcomes.count("approved") == 1 and "maybe" not in outcomes,
        f"only the accepted decision is audited: {outcomes}",
    )


@check("audit/same-visibility-as-intent", requirements=["REQ-AUDIT-006"])
def audit_visibility(c: ContractClient) -> None:
    sender, sender_key = c.new_agent("sender")
    target, target_key = c.new_agent("target")
    _, outsider_key = c.new_agent("outsider")
    intent_id = c.new_intent(target, key=sender_key)
    for who, key in (
        ("admin", True),
        ("sender", sender_key),
        ("target", target_key),
        ("outsider", outsider_key),
    ):
        read = c.request("GET", f"/v1/intents/{intent_id}", key=key)
        audit = c.request("GET", f"/v1/intents/{intent_id}/audit", key=key)
        expect(
            read.status_code == audit.status_code,
            f"{who}: getIntent {read.status_code} but getIntentAudit {audit.status_code}",
        )
        if audit.status_code != 200:
            expect(
                read.json()["error"]["code"] == audit.json()["error"]["code"],
                f"{who}: getIntent and getIntentAudit must fail alike",
            )
    expect(sender in str(c.intent(intent_id)), "the sender reads its intent")


@check("events/immutable", requirements=["REQ-EVENT-007"])
def events_immutable(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task={"title": "Sign"})
    first = c.events(intent_id)
    c.complete_agent_step(address, key, intent_id, {"v": 1})
    second = c.events(intent_id)
    c.ok(c.request("POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved"}))
    third = c.events(intent_id)
    expect(
        second[: len(first)] == first and third[: len(second)] == second,
        "an event changed after later transitions",
    )
    expect(c.events(intent_id) == third, "listIntentEvents must return identical objects")
