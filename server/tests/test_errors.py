"""Every error status gets the one envelope; bad input never becomes a 500."""

from __future__ import annotations

import pytest
from helpers import Api


def err(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, f"{resp.status_code}: {resp.text}"
    body = resp.json()
    assert body["ok"] is False and body["error"]["code"] == code
    assert body["detail"] == body["error"]["message"]
    assert set(body["error"]) == {"code", "message", "category", "retryable", "details"}
    assert resp.headers["x-request-id"]
    return body["error"]


def test_malformed_json_and_non_object(api: Api) -> None:
    err(
        api.post("/v1/intents", content=b"{nope", headers={"content-type": "application/json"}),
        400,
        "invalid_json",
    )
    err(
        api.post("/v1/intents", content=b"", headers={"content-type": "application/json"}),
        400,
        "invalid_json",
    )
    e = err(api.post("/v1/intents", [1, 2]), 422, "validation_error")
    assert e["details"]["field"] == "$"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"intent_type": 5, "to_agent": "w", "payload": {}}, "intent_type"),
        ({"intent_type": "Bad Type", "to_agent": "w", "payload": {}}, "intent_type"),
        ({"intent_type": "intent.a.v1", "to_agent": "w", "payload": []}, "payload"),
        ({"intent_type": "intent.a.v1", "to_agent": "w"}, "payload"),
        (
            {"intent_type": "intent.a.v1", "to_agent": "w", "payload": {}, "max_delivery_attempts": 0},
            "max_delivery_attempts",
        ),
        ({"intent_type": "intent.a.v1", "to_agent": "w", "payload": {}, "surprise": True}, "surprise"),
        (
            {"intent_type": "intent.a.v1", "to_agent": "w", "payload": {}, "human_task": {"title": ""}},
            "human_task.title",
        ),
        (
            {
                "intent_type": "intent.a.v1",
                "to_agent": "w",
                "payload": {},
                "human_task": {"title": "t", "x": 1},
            },
            "human_task.x",
        ),
        (
            {"intent_type": "intent.a.v1", "to_agent": "w", "payload": {}, "deadline_at": "tomorrow"},
            "deadline_at",
        ),
        (
            {
                "intent_type": "intent.a.v1",
                "to_agent": "w",
                "payload": {},
                "human_task": {"title": "t", "form_schema": {"type": "nonsense"}},
            },
            "human_task.form_schema",
        ),
    ],
)
def test_create_validation(api: Api, body: dict, field: str) -> None:
    api.register_agent("w")
    e = err(api.post("/v1/intents", body), 422, "validation_error")
    assert e["details"]["field"] == field
    assert api.ok(api.get("/v1/intents"))["intents"] == []  # nothing created


def test_unknown_agent_is_404(api: Api) -> None:
    e = err(
        api.post("/v1/intents", {"intent_type": "intent.a.v1", "to_agent": "ghost", "payload": {}}),
        404,
        "agent_not_found",
    )
    assert e["details"]["address"].endswith("/ghost")  # REQ-API-011


def test_oversized_body_is_413(api: Api) -> None:
    big = {"intent_type": "intent.a.v1", "to_agent": "w", "payload": {"blob": "x" * (1024 * 1024)}}
    e = err(api.post("/v1/intents", big), 413, "payload_too_large")
    assert e["details"]["limit_bytes"] == 1048576


def test_unknown_route_and_method(api: Api) -> None:
    err(api.get("/v1/nothing-here"), 404, "not_found")
    resp = api.delete("/v1/intents")
    err(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers["allow"] and "POST" in resp.headers["allow"]


def test_unknown_intent_and_bad_query(api: Api) -> None:
    err(api.get("/v1/intents/00000000-0000-0000-0000-000000000000"), 404, "intent_not_found")
    err(api.get("/v1/intents", params={"limit": 0}), 422, "validation_error")
    err(api.get("/v1/intents", params={"limit": "x"}), 422, "validation_error")
    err(api.get("/v1/intents", params={"status": "DONE"}), 422, "validation_error")
    err(api.get("/v1/intents", params={"cursor": "abc"}), 422, "validation_error")


def test_trace_id_echo(api: Api) -> None:
    resp = api.get("/health", headers={"X-Trace-Id": "trace-123"})
    assert resp.headers["x-trace-id"] == "trace-123"
    resp = api.get("/v1/nothing", headers={"X-Trace-Id": "trace-456"})
    assert resp.headers["x-trace-id"] == "trace-456"


def test_resume_body_errors(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    e = err(agent.resume(iid, {"result": {"a": 1}}), 422, "validation_error")
    assert e["details"]["field"] == "kind" and "kind" in e["message"]
    assert err(agent.resume(iid, {"kind": "magic"}), 422, "validation_error")["details"]["field"] == "kind"
    err(agent.resume(iid, {"kind": "agent_result", "outcome": "maybe"}), 422, "validation_error")
    err(
        agent.resume(iid, {"kind": "agent_result", "outcome": "complete", "result": [1]}),
        422,
        "validation_error",
    )
    e = err(
        agent.resume(iid, {"kind": "agent_result", "outcome": "complete", "junk": 1}), 422, "validation_error"
    )
    assert e["details"]["field"] == "junk"
    assert api.intent(iid)["status"] == "SUBMITTED"


def test_invalid_transitions_are_409(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr, human_task={"title": "t"})
    # ack before any delivery
    e = err(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": "nope"}), 409, "stale_delivery")
    assert e["details"]["current_delivery_id"] is None
    # a decision while the agent step runs
    e = err(api.decide(iid, outcome="approved"), 409, "invalid_transition")
    assert e["details"]["status"] == "SUBMITTED"
    err(agent.resume(iid, {"kind": "progress"}), 409, "invalid_transition")
    d = agent.poll_one(addr)
    agent.ok(agent.complete(iid, {}, delivery_id=d["delivery_id"]))
    # WAITING_FOR_HUMAN: agent writes and ack are refused
    err(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}), 409, "stale_delivery")
    assert err(api.complete(iid, {}), 409, "invalid_transition")["details"]["status"] == "WAITING"
    err(api.resume(iid, {"kind": "progress"}), 409, "invalid_transition")
    api.ok(api.decide(iid, outcome="approved"))
    # terminal beats everything
    for resp in (
        api.decide(iid, outcome="approved"),
        api.complete(iid, {}, delivery_id="stale"),
        api.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}),
        api.post(f"/v1/intents/{iid}/resolve", {"status": "COMPLETED"}),
        agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": d["delivery_id"]}),
    ):
        assert err(resp, 409, "intent_terminal")["details"]["status"] == "COMPLETED"
    assert api.intent(iid)["last_seq"] == len(api.events(iid))


def test_resolve_validation(api: Api) -> None:
    addr, _ = api.register_agent("w")
    iid = api.create(addr)
    err(api.post(f"/v1/intents/{iid}/resolve", {"status": "TIMED_OUT"}), 422, "validation_error")
    err(api.post(f"/v1/intents/{iid}/resolve", {"status": "FAILED", "error": "x"}), 422, "validation_error")
    err(api.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED", "why": 1}), 422, "validation_error")


def test_register_agent_errors(api: Api) -> None:
    api.register_agent("dup")
    err(api.post("/v1/agents", {"address": "dup"}), 409, "agent_exists")
    err(api.post("/v1/agents", {"address": "Bad Name!"}), 422, "validation_error")
    err(api.post("/v1/agents", {"address": "agent://other/ws/x"}), 403, "forbidden")
    err(api.post("/v1/agents", {"address": "h", "delivery_mode": "carrier-pigeon"}), 422, "validation_error")
    err(api.post("/v1/agents", {"address": "h", "delivery_mode": "http"}), 422, "validation_error")
    err(api.get("/v1/agents/ghost"), 404, "agent_not_found")


def test_the_server_sends_only_codes_of_the_spec_table() -> None:
    """errors.CODES is REQ-ERR-003's table in spec/behavior/errors.md, row for row: a code the
    server sends that SDKs cannot map from the table (or a dead row) fails here."""
    import re
    from pathlib import Path

    from axme_server.errors import CODES

    spec = Path(__file__).resolve().parents[2] / "spec" / "behavior" / "errors.md"
    row = re.compile(r"^\|\s*`([a-z][a-z0-9_]*)`\s*\|\s*(\d{3})\s*\|\s*(\w+)\s*\|\s*(true|false)\s*\|")
    table = {
        m[1]: (int(m[2]), m[3], m[4] == "true")
        for m in (row.match(line) for line in spec.read_text().splitlines())
        if m
    }
    assert CODES == table
