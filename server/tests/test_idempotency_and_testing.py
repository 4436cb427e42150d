"""Idempotency-Key on POSTs, and the --testing endpoints (faults, recording, clock)."""

from __future__ import annotations

import httpx
from helpers import Api
from test_errors import err


def test_replay_and_conflict(api: Api) -> None:
    api.register_agent("w")
    body = {"intent_type": "intent.a.v1", "to_agent": "w", "payload": {"a": 1, "b": 2}}
    h = {"Idempotency-Key": "k-1"}
    first = api.post("/v1/intents", body, headers=h)
    again = api.post(
        "/v1/intents",
        content=b'{ "payload": {"b":2,"a":1}, "to_agent":"w", "intent_type":"intent.a.v1"}',
        headers={**h, "content-type": "application/json"},
    )
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(api.ok(api.get("/v1/intents"))["intents"]) == 1
    err(api.post("/v1/intents", dict(body, payload={"a": 9}), headers=h), 409, "idempotency_conflict")
    # another path or another principal: unrelated
    iid = first.json()["intent_id"]
    api.ok(api.post(f"/v1/intents/{iid}/resolve", {"status": "CANCELED"}, headers=h))
    other = api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "second"}))
    api.with_key(other["api_key"]).ok(api.with_key(other["api_key"]).post("/v1/intents", body, headers=h))
    err(api.post("/v1/intents", body, headers={"Idempotency-Key": ""}), 400, "bad_request")
    err(api.post("/v1/intents", body, headers={"Idempotency-Key": "x" * 256}), 400, "bad_request")


def test_errors_are_not_stored(api: Api) -> None:
    body = {"intent_type": "intent.a.v1", "to_agent": "later", "payload": {}}
    err(api.post("/v1/intents", body, headers={"Idempotency-Key": "k-2"}), 404, "agent_not_found")
    api.register_agent("later")
    api.ok(api.post("/v1/intents", body, headers={"Idempotency-Key": "k-2"}))


def test_resume_replay_does_not_double_apply(api: Api) -> None:
    addr, agent = api.register_agent("w")
    iid = api.create(addr)
    h = {"Idempotency-Key": "resume-1"}
    a = agent.complete(iid, {"v": 1}, headers=h)
    b = agent.complete(iid, {"v": 1}, headers=h)
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert len(api.events(iid)) == 2


def test_status_fault_and_recording(api: Api) -> None:
    fault = api.ok(
        api.http.post(
            "/_testing/faults",
            json={
                "namespace": api.namespace,
                "match": {"method": "GET", "op": "listIntents"},
                "action": {"type": "status", "status": 503, "times": 2, "retry_after": "1"},
            },
        )
    )
    assert fault["fault_id"]
    for _ in range(2):
        resp = api.get("/v1/intents")
        e = err(resp, 503, "unavailable")
        assert e["retryable"] is True and resp.headers["retry-after"] == "1"
    api.ok(api.get("/v1/intents"))
    api.ok(
        api.http.post(
            "/_testing/faults",
            json={
                "namespace": api.namespace,
                "match": {"op": "getHealth"},
                "action": {"type": "delay", "ms": 10},
            },
        )
    )
    api.ok(api.http.delete("/_testing/faults", params={"namespace": api.namespace}))
    api.post(
        "/v1/intents",
        {"intent_type": "intent.a.v1", "to_agent": "nobody", "payload": {}},
        headers={"Idempotency-Key": "abc", "User-Agent": "axme-test/1"},
    )
    recs = api.ok(api.http.get("/_testing/requests", params={"namespace": api.namespace}))["requests"]
    assert [r["status"] for r in recs[-4:]] == [503, 503, 200, 404]
    assert [r["fault_applied"] for r in recs[-4:]] == [fault["fault_id"]] * 2 + [None, None]
    last = recs[-1]
    assert last["op"] == "createIntent" and last["method"] == "POST" and last["body"]["to_agent"] == "nobody"
    assert last["headers"]["x-api-key"] == "axme_admin_" and last["headers"]["idempotency-key"] == "abc"
    assert last["headers"]["user-agent"] == "axme-test/1" and len(last["body_sha256"]) == 64
    assert [r["seq"] for r in recs] == list(range(1, len(recs) + 1))


def test_testing_endpoint_errors(api: Api) -> None:
    err(
        api.http.post("/_testing/faults", json={"namespace": "ns_nope", "action": {"type": "status"}}),
        404,
        "not_found",
    )
    err(
        api.http.post("/_testing/faults", json={"namespace": api.namespace, "action": {"type": "explode"}}),
        422,
        "validation_error",
    )
    err(
        api.http.post(
            "/_testing/faults",
            json={"namespace": api.namespace, "match": {"path": "("}, "action": {"type": "delay"}},
        ),
        422,
        "validation_error",
    )
    err(api.http.post("/_testing/clock", json={"advance_seconds": -1}), 422, "validation_error")
    before = api.ok(api.http.get("/_testing/clock"))["now"]
    after = api.advance(0.5)["now"]
    assert after > before


def test_testing_endpoints_absent_without_flag(tmp_path) -> None:
    from helpers import start_server

    srv = start_server(tmp_path / "plain")
    try:
        assert srv.admin_key and srv.admin_key.startswith("axme_admin_")
        key_file = srv.data_dir / "admin.key"
        assert key_file.read_text().strip() == srv.admin_key and (key_file.stat().st_mode & 0o777) == 0o600
        resp = httpx.post(srv.base_url + "/_testing/namespaces")
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
        metrics = httpx.get(srv.base_url + "/metrics", headers={"x-api-key": srv.admin_key})
        assert metrics.text.count("axme_open_streams") >= 1
    finally:
        assert srv.stop() == 0
    again = start_server(tmp_path / "plain")
    try:
        assert again.admin_key is None  # printed once, on the first start only
        api = Api(again.base_url, (tmp_path / "plain" / "admin.key").read_text().strip())
        api.ok(api.get("/v1/intents"))
    finally:
        again.stop()
