"""Contract checks: an intent a key may not read looks absent (404 on reads and writes alike),
while a key that can read it but may not make the write gets 403 with the missing permission
(REQ-AUTH-007, REQ-AUTH-006, REQ-HUMAN-019)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from axme_conformance.contract.checks_access import new_human_key
from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check


@dataclass(frozen=True)
class Cast:
    """Sender B sends to handler A with a human task for H; C and O are strangers to it."""

    handler: str
    handler_key: str
    sender_key: str
    stranger_key: str  # an agent key with no part in the intent
    assignee: str  # the human id the task is assigned to
    assignee_key: str
    outsider_key: str  # a human key of the workspace with no task on the intent


def _cast(c: ContractClient) -> Cast:
    handler, handler_key = c.new_agent("handler")
    _, sender_key = c.new_agent("sender")
    _, stranger_key = c.new_agent("stranger")
    assignee = c.unique("assignee")
    _, assignee_key = new_human_key(c, assignee)
    _, outsider_key = new_human_key(c, c.unique("outsider"))
    return Cast(
        handler, handler_key, sender_key, stranger_key, assignee, assignee_key, outsider_key
    )


def _send_with_task(c: ContractClient, cast: Cast) -> str:
    return c.new_intent(
        cast.handler,
        key=cast.sender_key,
        human_task={"title": "Sign", "assignees": [cast.assignee]},
    )


def _reads(c: ContractClient, intent_id: str, key: str) -> list[httpx.Response]:
    path = f"/v1/intents/{intent_id}"
    return [
        c.request("GET", path, key=key),
        c.request("GET", f"{path}/events", key=key),
        c.request("GET", f"{path}/audit", key=key),
        # Last: a refusal is a plain JSON answer; wait_seconds bounds a wrong 200 stream.
        c.request(
            "GET",
            f"{path}/events/stream",
            key=key,
            params={"wait_seconds": 1},
            headers={"accept": "text/event-stream"},
        ),
    ]


def _writes(c: ContractClient, intent_id: str, key: str) -> list[httpx.Response]:
    path = f"/v1/intents/{intent_id}"
    return [
        c.request("POST", f"{path}/ack", key=key, body={"delivery_id": str(uuid.uuid4())}),
        c.request(
            "POST",
            f"{path}/resume",
            key=key,
            body={"kind": "agent_result", "outcome": "complete", "result": {"probe": True}},
        ),
        c.request("POST", f"{path}/resolve", key=key, body={"status": "CANCELED"}),
        c.request("POST", f"/v1/tasks/{intent_id}/decision", key=key, body={"outcome": "approved"}),
    ]


def _expect_invisible(c: ContractClient, intent_id: str, key: str, who: str) -> None:
    for response in _reads(c, intent_id, key) + _writes(c, intent_id, key):
        try:
            c.not_found(response)
        except AssertionError as exc:
            raise type(exc)(f"{who}: {exc}") from exc


def _snapshot(c: ContractClient, intent_id: str) -> tuple[str, int]:
    intent = c.intent(intent_id)
    return intent["status"], len(c.events(intent_id))


@check("access/unreadable-intent-404-everywhere", requirements=["REQ-AUTH-007", "REQ-AUTH-006"])
def unreadable_is_404(c: ContractClient) -> None:
    cast = _cast(c)
    intent_id = _send_with_task(c, cast)
    # An id that does not exist: what an unreadable intent must look like.
    for response in _reads(c, str(uuid.uuid4()), cast.stranger_key):
        c.not_found(response)
    before = _snapshot(c, intent_id)
    _expect_invisible(c, intent_id, cast.stranger_key, "an unrelated agent key (SUBMITTED)")
    _expect_invisible(c, intent_id, cast.outsider_key, "an unassigned human key (SUBMITTED)")
    expect(_snapshot(c, intent_id) == before, "a refused write changed the intent")
    c.complete_agent_step(cast.handler, cast.handler_key, intent_id, {"checked": True})
    waiting = c.intent(intent_id)
    expect(waiting["status"] == "WAITING", f"the human step should be current: {waiting}")
    # Readable by its assignee: the 404s below are about the key, not the id.
    *plain, stream = _reads(c, intent_id, cast.assignee_key)
    for response in plain:
        c.ok(response)
    expect(
        stream.status_code == 200 and "intent.human_task_assigned" in stream.text,
        f"the assignee's event stream: {stream.status_code} {stream.text[:200]}",
    )
    before = _snapshot(c, intent_id)
    _expect_invisible(c, intent_id, cast.stranger_key, "an unrelated agent key (WAITING)")
    _expect_invisible(c, intent_id, cast.outsider_key, "an unassigned human key (WAITING)")
    expect(_snapshot(c, intent_id) == before, "a refused write changed the intent")


@check(
    "access/readable-but-not-writable-is-403",
    requirements=["REQ-AUTH-007", "REQ-AUTH-006", "REQ-RESOLVE-002"],
)
def readable_not_writable(c: ContractClient) -> None:
    cast = _cast(c)
    intent_id = _send_with_task(c, cast)
    path = f"/v1/intents/{intent_id}"
    delivery = c.take_delivery(cast.handler, cast.handler_key, intent_id)
    did = delivery["delivery_id"]
    before = _snapshot(c, intent_id)
    # The sender reads the intent but does not hold its step.
    c.ok(c.request("GET", path, key=cast.sender_key))
    c.forbidden(
        c.request("POST", f"{path}/ack", key=cast.sender_key, body={"delivery_id": did}),
        "current_handler_required",
    )
    c.forbidden(
        c.request(
            "POST",
            f"{path}/resume",
            key=cast.sender_key,
            body={"kind": "progress", "delivery_id": did},
        ),
        "current_handler_required",
    )
    c.forbidden(
        c.request(
            "POST",
            f"{path}/resume",
            key=cast.sender_key,
            body={"kind": "agent_result", "outcome": "complete", "result": {}, "delivery_id": did},
        ),
        "current_handler_required",
    )
    # The handler reads it but did not initiate it.
    c.forbidden(
        c.request("POST", f"{path}/resolve", key=cast.handler_key, body={"status": "CANCELED"}),
        "initiator_required",
    )
    expect(_snapshot(c, intent_id) == before, "a forbidden write changed the intent")
    c.resume(
        intent_id,
        {"kind": "agent_result", "outcome": "complete", "result": {}, "delivery_id": did},
        key=cast.handler_key,
    )
    # The assignee reads it now, but resolving is the initiator's.
    before = _snapshot(c, intent_id)
    c.forbidden(
        c.request("POST", f"{path}/resolve", key=cast.assignee_key, body={"status": "CANCELED"}),
        "initiator_required",
    )
    expect(_snapshot(c, intent_id) == before, "a forbidden resolve changed the intent")
    c.ok(c.request("POST", f"{path}/resolve", key=cast.sender_key, body={"status": "CANCELED"}))


def _decide(c: ContractClient, intent_id: str, key: str) -> httpx.Response:
    return c.request(
        "POST",
        f"/v1/tasks/{intent_id}/decision",
        key=key,
        body={"outcome": "approved", "comment": "probe"},
    )


@check("humans/who-may-decide", requirements=["REQ-HUMAN-019", "REQ-AUTH-007"])
def who_may_decide(c: ContractClient) -> None:
    cast = _cast(c)
    intent_id = _send_with_task(c, cast)
    c.complete_agent_step(cast.handler, cast.handler_key, intent_id, {"checked": True})
    before = _snapshot(c, intent_id)
    # Agent keys of the intent read it (auth table) but are no assignees: 403.
    for key in (cast.handler_key, cast.sender_key):
        c.ok(c.request("GET", f"/v1/intents/{intent_id}", key=key))
        c.forbidden(_decide(c, intent_id, key), "assignee_required")
    # Keys that may not read it: 404, as if it did not exist.
    for key in (cast.stranger_key, cast.outsider_key):
        c.not_found(_decide(c, intent_id, key))
    expect(_snapshot(c, intent_id) == before, "a refused decision changed the intent")
    done = c.ok(_decide(c, intent_id, cast.assignee_key))
    expect(done["intent"]["status"] == "COMPLETED", f"{done['intent']}")


def _two_reviews(c: ContractClient, first: str, second: str) -> dict[str, Any]:
    return {
        "scenario_id": "contract.two-reviews.v1",
        "agents": [{"role": "worker", "address": c.unique("worker"), "create_if_missing": True}],
        "humans": [{"role": "reviewer", "contact": first}, {"role": "approver", "contact": second}],
        "workflow": {
            "steps": [
                {"step_id": "work", "assigned_to": "worker"},
                {"step_id": "review", "assigned_to": "reviewer"},
                {"step_id": "approve", "assigned_to": "approver"},
            ]
        },
        "intent": {"type": "intent.contract.two_reviews.v1", "payload": {}},
    }


@check("humans/earlier-assignee-may-read-not-decide", requirements=["REQ-HUMAN-019"])
def earlier_assignee(c: ContractClient) -> None:
    """A human whose task was an earlier step still reads the intent (a task was assigned to
    it) but is no assignee of the current step: 403 assignee_required, not 404."""
    first, second = c.unique("reviewer"), c.unique("approver")
    _, first_key = new_human_key(
        c, first, human={"id": first, "display_name": first, "contact": f"{first}@example.com"}
    )
    _, second_key = new_human_key(c, second)
    applied = c.ok(
        c.request(
            "POST", "/v1/scenarios/apply", body=_two_reviews(c, f"{first}@example.com", second)
        )
    )
    intent_id, worker = applied["intent_id"], applied["agents"][0]
    c.complete_agent_step(worker["address"], worker["api_key"], intent_id, {"w": 1})
    c.ok(_decide(c, intent_id, first_key))
    moved = c.intent(intent_id)
    expect(
        moved["status"] == "WAITING" and moved["current_step"]["step_id"] == "approve",
        f"the second human step should be current: {moved['current_step']}",
    )
    c.ok(c.request("GET", f"/v1/intents/{intent_id}", key=first_key))
    before = _snapshot(c, intent_id)
    c.forbidden(_decide(c, intent_id, first_key), "assignee_required")
    expect(_snapshot(c, intent_id) == before, "a refused decision changed the intent")
    done = c.ok(_decide(c, intent_id, second_key))
    expect(done["intent"]["status"] == "COMPLETED", f"{done['intent']}")
