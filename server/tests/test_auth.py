"""Keys (three kinds, hashed, revocable, expiring) and who may do what."""

from __future__ import annotations

from helpers import Api
from test_errors import err


def test_missing_bad_and_bearer_keys(api: Api, anon: Api) -> None:
    err(anon.get("/v1/intents"), 401, "unauthorized")
    err(
        anon.with_key("axme_admin_0123456789abcdef_wrongwrongwrongwrong").get("/v1/intents"),
        401,
        "unauthorized",
    )
    err(anon.with_key("garbage").get("/v1/intents"), 401, "unauthorized")
    resp = anon.http.get("/v1/intents", headers={"Authorization": f"Bearer {api.key}"})
    assert resp.status_code == 200
    both = anon.http.get(
        "/v1/intents", headers={"Authorization": f"Bearer {api.key}", "x-api-key": api.key + "x"}
    )
    err(both, 401, "unauthorized")


def test_keys_admin_list_revoke_expire(api: Api) -> None:
    created = api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "ops"}))
    assert created["api_key"].startswith("axme_admin_") and "secret_hash" not in created["key"]
    other = api.with_key(created["api_key"])
    other.ok(other.get("/v1/intents"))
    keys = api.ok(api.get("/v1/admin/keys"))["keys"]
    assert created["key"]["key_id"] in {k["key_id"] for k in keys}
    assert all("secret" not in str(k) and "api_key" not in k for k in keys)
    revoked = api.ok(api.delete(f"/v1/admin/keys/{created['key']['key_id']}"))
    assert revoked["key"]["revoked_at"]
    err(other.get("/v1/intents"), 401, "unauthorized")
    err(api.delete("/v1/admin/keys/ffffffffffffffff"), 404, "key_not_found")
    expired = api.ok(
        api.post("/v1/admin/keys", {"kind": "admin", "name": "old", "expires_at": "2001-01-01T00:00:00.000Z"})
    )
    err(api.with_key(expired["api_key"]).get("/v1/intents"), 401, "unauthorized")
    err(api.post("/v1/admin/keys", {"kind": "agent", "name": "x"}), 422, "validation_error")
    err(api.post("/v1/admin/keys", {"kind": "robot", "name": "x"}), 422, "validation_error")


def test_agent_key_rules(api: Api) -> None:
    a, agent_a = api.register_agent("a")
    b, agent_b = api.register_agent("b")
    extra = api.ok(api.post(f"/v1/agents/{a}/keys"))
    assert extra["key"]["agent_address"] == a and extra["api_key"].startswith("axme_agent_")
    iid = api.create(a)
    # b is not involved: the intent is invisible to it (404), and it may not listen for a
    err(agent_b.get(f"/v1/intents/{iid}"), 404, "intent_not_found")
    err(agent_b.get(f"/v1/agents/{a}/intents", params={"wait_seconds": 0}), 403, "forbidden")
    err(agent_b.complete(iid, {}), 404, "intent_not_found")
    err(agent_b.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), 404, "intent_not_found")
    err(agent_a.post("/v1/agents", {"address": "c"}), 403, "forbidden")
    err(agent_a.get("/v1/admin/keys"), 403, "forbidden")
    err(agent_a.get("/v1/tasks"), 403, "forbidden")
    # the handler may read and resume but not resolve (it resumes instead)
    agent_a.ok(agent_a.get(f"/v1/intents/{iid}"))
    err(agent_a.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), 403, "forbidden")
    # an agent initiator: b sends to a, may read and cancel its own intent
    mine = agent_b.ok(
        agent_b.post("/v1/intents", {"intent_type": "intent.x.v1", "to_agent": "a", "payload": {}})
    )["intent_id"]
    assert agent_b.intent(mine)["from_agent"] == b
    listed = agent_b.ok(agent_b.get("/v1/intents"))["intents"]
    assert [i["intent_id"] for i in listed] == [mine]
    agent_b.ok(agent_b.post(f"/v1/intents/{mine}/resolve", {"status": "CANCELED", "reason": "oops"}))


def test_human_key_rules(api: Api) -> None:
    addr, agent = api.register_agent("w")
    alice, bob = api.human("alice"), api.human("bob")
    iid = api.create(addr, human_task={"title": "t", "assignees": ["alice"]})
    agent.ok(agent.complete(iid, {}))
    assert bob.ok(bob.get("/v1/tasks"))["tasks"] == []
    err(bob.decide(iid, outcome="approved"), 404, "intent_not_found")  # not his: invisible
    err(bob.get(f"/v1/intents/{iid}"), 404, "intent_not_found")
    assert [i["intent_id"] for i in alice.ok(alice.get("/v1/intents"))["intents"]] == [iid]
    err(alice.complete(iid, {}), 403, "forbidden")  # never a human's write, whatever the status
    err(alice.resume(iid, {"approve_current_step": True}), 403, "forbidden")  # admin only
    alice.ok(alice.get(f"/v1/intents/{iid}"))
    assert alice.ok(alice.decide(iid, outcome="approved"))["intent"]["status"] == "COMPLETED"


def test_workspaces_are_isolated(api: Api, server) -> None:
    import httpx

    other_ns = httpx.post(server.base_url + "/_testing/namespaces").json()
    other = Api(server.base_url, other_ns["admin_api_key"])
    addr, _ = api.register_agent("w")
    iid = api.create(addr)
    err(other.get(f"/v1/intents/{iid}"), 404, "intent_not_found")
    err(other.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), 404, "intent_not_found")
    err(other.get(f"/v1/agents/{addr}"), 404, "agent_not_found")
    assert other.ok(other.get("/v1/intents"))["intents"] == []
    err(
        other.post("/v1/intents", {"intent_type": "intent.a.v1", "to_agent": addr, "payload": {}}),
        404,
        "agent_not_found",
    )


def test_verified_key_still_expires(api: Api) -> None:
    """A key already verified (and cached) stops working once the clock passes expires_at."""
    import datetime

    now = datetime.datetime.fromisoformat(api.ok(api.http.get("/_testing/clock"))["now"])
    soon = (now + datetime.timedelta(seconds=100)).isoformat().replace("+00:00", "Z")
    created = api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "brief", "expires_at": soon}))
    brief = api.with_key(created["api_key"])
    for _ in range(3):
        brief.ok(brief.get("/v1/agents"))
    api.advance(200)
    err(brief.get("/v1/agents"), 401, "unauthorized")


def test_unreadable_intent_looks_absent(api: Api) -> None:
    """REQ-AUTH-007: every read of an intent the key may not read is 404 intent_not_found (as if it
    did not exist); a write by a key that can read the intent but not make that write stays 403."""
    a, agent_a = api.register_agent("a")
    _, stranger = api.register_agent("stranger")
    outsider = api.human("outsider")
    iid = api.create(a, human_task={"title": "t", "assignees": ["someone-else"]})
    for key in (stranger, outsider):
        for path in (
            f"/v1/intents/{iid}",
            f"/v1/intents/{iid}/events",
            f"/v1/intents/{iid}/audit",
            f"/v1/intents/{iid}/events/stream",
        ):
            err(key.get(path, params={"wait_seconds": 1}), 404, "intent_not_found")
    # writes by a key that cannot read the intent do not reveal it either
    err(stranger.complete(iid, {}), 404, "intent_not_found")
    err(stranger.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), 404, "intent_not_found")
    err(outsider.decide(iid, outcome="approved"), 404, "intent_not_found")
    # the handler can read it, so its forbidden write is 403
    agent_a.ok(agent_a.get(f"/v1/intents/{iid}"))
    err(agent_a.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}), 403, "forbidden")
    assert api.intent(iid)["status"] == "SUBMITTED"


def test_create_agent_key_takes_its_name_and_expiry(api: Api) -> None:
    """createAgentKey's optional body (CreateAgentKeyRequest) names the key and sets its expiry;
    without a body the key is named after the agent; unknown members and bad values are 422."""
    address, _ = api.register_agent("named-keys")
    made = api.ok(
        api.post(
            f"/v1/agents/{address}/keys", {"name": "ci-runner", "expires_at": "2099-01-01T00:00:00.000Z"}
        )
    )
    assert made["key"]["name"] == "ci-runner"
    assert made["key"]["expires_at"].startswith("2099-01-01T00:00:00")
    plain = api.ok(api.post(f"/v1/agents/{address}/keys", None))
    assert plain["key"]["name"] == f"agent {address}" and plain["key"]["expires_at"] is None
    for body, field in [
        ({"nmae": "x"}, "nmae"),
        ({"name": ""}, "name"),
        ({"expires_at": "tomorrow"}, "expires_at"),
    ]:
        resp = api.post(f"/v1/agents/{address}/keys", body)
        assert resp.status_code == 422, resp.text
        assert resp.json()["error"]["details"]["field"] == field
    expired = api.ok(api.post(f"/v1/agents/{address}/keys", {"expires_at": "2001-01-01T00:00:00.000Z"}))
    assert api.with_key(expired["api_key"]).get(f"/v1/agents/{address}").status_code == 401
