"""What the store lets each key see and what it keeps, over HTTP (issue 15 items 2, 4, 12):
assignees match exactly and case-sensitively, a handed-off intent is listed for its new
handler, a secret-minting replay keeps no secret, the data files are owner-only."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import Api, ServerProc
from pg.databases import stored_bytes


def _ids(api: Api, path: str, **params: Any) -> list[str]:
    body = api.ok(api.get(path, params=params))
    return [x["intent_id"] for x in body["intents" if path == "/v1/intents" else "tasks"]]


def test_assignee_match_is_exact_and_case_sensitive(api: Api) -> None:
    """REQ-HUMAN-018, REQ-API-018, REQ-AUTH-010: `CAROL`, `c_rol` and `%` are not `carol`."""
    addr, agent = api.register_agent("w")
    carol = api.human("carol")
    others = [api.human(name) for name in ("CAROL", "c_rol", "car%", "%")]
    iid = api.create(addr, human_task={"title": "sign", "assignees": ["carol"]})
    agent.ok(agent.complete(iid, {}))
    assert _ids(carol, "/v1/tasks") == [iid] and _ids(carol, "/v1/intents") == [iid]
    for other in others:
        assert _ids(other, "/v1/tasks") == [] and _ids(other, "/v1/intents") == []
        assert other.get(f"/v1/intents/{iid}").status_code == 404
    assert _ids(api, "/v1/tasks", assignee="carol") == [iid]
    assert _ids(api, "/v1/tasks", assignee="CAROL") == [] and _ids(api, "/v1/tasks", assignee="c_rol") == []
    # a task open to anyone (no assignees) is every human's (REQ-HUMAN-020)
    open_iid = api.create(addr, human_task={"title": "anyone"})
    agent.ok(agent.complete(open_iid, {}))
    assert _ids(others[0], "/v1/tasks") == [open_iid] and _ids(carol, "/v1/tasks") == [iid, open_iid]
    assert _ids(carol, "/v1/tasks", status="all") == [iid, open_iid]
    carol.ok(carol.decide(iid, outcome="approved"))
    assert _ids(carol, "/v1/tasks") == [open_iid]  # decided: no longer pending
    assert _ids(carol, "/v1/tasks", status="all") == [iid, open_iid]


def test_handed_off_intent_is_listed_for_its_new_handler_only(api: Api) -> None:
    """issue 15 item 12, REQ-AUTH-007: listIntents shows what getIntent lets the agent read."""
    a, key_a = api.register_agent("a")
    b, key_b = api.register_agent("b")
    c, key_c = api.register_agent("c")
    iid = api.create(a)
    key_a.ok(key_a.resume(iid, {"kind": "control", "next_handler": b}))
    assert iid in _ids(key_b, "/v1/intents") and iid in _ids(key_b, "/v1/intents", status="SUBMITTED")
    assert iid in _ids(key_a, "/v1/intents")  # still its to_agent
    key_b.ok(key_b.resume(iid, {"kind": "control", "next_handler": c}))
    assert _ids(key_c, "/v1/intents") == [iid]
    assert _ids(key_b, "/v1/intents") == [] and key_b.get(f"/v1/intents/{iid}").status_code == 404
    assert _ids(key_c, "/v1/intents", status="COMPLETED") == []


def test_secret_minting_replays_answer_409_and_no_secret_is_stored(api: Api, server: ServerProc) -> None:
    """REQ-IDEMP-009, REQ-AUTH-003: createKey, registerAgent and createAgentKey."""
    idem = {"Idempotency-Key": "mint-once"}
    calls = [
        (
            "/v1/admin/keys",
            {"kind": "human", "name": "erin", "human": {"id": "erin", "display_name": "Erin"}},
        ),
        ("/v1/agents", {"address": "minted"}),
    ]
    secrets = []
    for path, body in calls:
        first = api.ok(api.post(path, body, headers=idem))
        secrets.append(first["api_key"])
        replay = api.post(path, body, headers=idem)
        assert replay.status_code == 409 and replay.headers["idempotent-replayed"] == "true", replay.text
        error = replay.json()["error"]
        assert error["code"] == "idempotency_conflict" and error["retryable"] is False
        assert error["details"]["reason"] == "secret_not_kept"
        assert error["details"]["key_id"] == first["api_key"].split("_")[2]
        if path == "/v1/agents":
            assert error["details"]["address"] == first["agent"]["address"]
    agent = api.with_key(secrets[1])
    address = api.ok(api.get("/v1/agents/minted"))["agent"]["address"]
    first = agent.ok(agent.post(f"/v1/agents/{address}/keys", None, headers=idem))
    secrets.append(first["api_key"])
    replay = agent.post(f"/v1/agents/{address}/keys", None, headers=idem)
    assert replay.status_code == 409 and replay.json()["error"]["details"]["key_id"] == first["key"]["key_id"]
    assert api.with_key(first["api_key"]).get("/v1/intents").status_code == 200  # the minted key itself works
    raw = stored_bytes(server)
    assert b"secret_not_kept" in raw  # (the check below reads what the database holds)
    for secret in secrets:
        assert secret.rsplit("_", 1)[1].encode() not in raw


def test_data_files_are_owner_only(server: ServerProc) -> None:
    """The database holds every payload and the key hashes: 0600 files in a 0700 dir."""
    if getattr(server, "database_url", None):
        pytest.skip("the server is on PostgreSQL: no data files (the database's own roles guard it)")
    files = [p for p in server.data_dir.iterdir() if p.name.startswith("axme.db")]
    assert {p.name for p in files} >= {"axme.db", "axme.db-wal", "axme.db-shm"}
    for p in files:
        assert p.stat().st_mode & 0o777 == 0o600, p.name
    assert server.data_dir.stat().st_mode & 0o777 == 0o700
