"""HTTP push to agents with delivery_mode http (REQ-PUSH-*), against real receivers on
loopback: signed Delivery JSON, delivered = 2xx, failures redelivered with backoff on
the test clock until FAILED, and the outbound limits (timeout, redirects, answer cap)."""

from __future__ import annotations

import json
import queue
import re
import sqlite3
import time
from collections.abc import Iterator

import pytest
from helpers import Api, ServerProc, event_frames, read_stream, start_server
from push_receiver import Receiver, verify

TIMEOUT = 1.0  # the push timeout of this module's server (the spec's default is 10 s)


@pytest.fixture(scope="module")
def push_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    proc = start_server(
        tmp_path_factory.mktemp("push"), "--testing", "--outbound-timeout-seconds", str(TIMEOUT)
    )
    yield proc
    assert proc.stop() == 0


@pytest.fixture()
def api(push_server: ServerProc) -> Iterator[Api]:
    admin = Api(push_server.base_url, None)
    ns = admin.http.post("/_testing/namespaces").json()
    client = admin.with_key(ns["admin_api_key"])
    yield client
    client.http.close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


SECRET = "whsec_test_0123456789abcdef"


def http_agent(api: Api, receiver: Receiver, path: str, **extra) -> tuple[str, Api]:
    body = api.ok(
        api.post(
            "/v1/agents",
            {
                "address": f"pusher-{path.strip('/').replace('/', '-')}",
                "delivery_mode": "http",
                "callback_url": receiver.url + path,
                "callback_secret": SECRET,
                **extra,
            },
        )
    )
    assert "callback_secret" not in body  # chosen by the client: nothing to show
    return body["agent"]["address"], api.with_key(body["api_key"])


def wait_event(api: Api, intent_id: str, event_type: str, timeout: float = 15) -> dict:
    """The intent's first `event_type` event, read from its event stream as it commits."""
    deadline = time.monotonic() + timeout
    since = 0
    while time.monotonic() < deadline:
        frames = read_stream(
            api, f"/v1/intents/{intent_id}/events/stream", params={"since": since, "wait_seconds": 1}
        )
        for ev in event_frames(frames):
            if ev["event_type"] == event_type:
                return ev
            since = ev["seq"]
    raise AssertionError(
        f"no {event_type} on {intent_id}: {[e['event_type'] for e in api.events(intent_id)]}"
    )


def outbox(server: ServerProc, intent_id: str) -> list[tuple[dict, list[dict]]]:
    db = sqlite3.connect(f"file:{server.data_dir / 'axme.db'}?mode=ro", uri=True)
    try:
        rows = [
            json.loads(r[0])
            for r in db.execute("SELECT doc FROM outbox WHERE intent_id=? ORDER BY rid", (intent_id,))
        ]
        return [
            (
                row,
                [
                    json.loads(a[0])
                    for a in db.execute(
                        "SELECT doc FROM outbox_attempts WHERE outbox_id=? ORDER BY rid", (row["outbox_id"],)
                    )
                ],
            )
            for row in rows
        ]
    finally:
        db.close()


def test_signature_matches_the_spec_vector() -> None:
    from axme_server.outbound import secrets

    body = b'{"delivery_id":"dlv_01hx7k2m9q","intent_id":"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10"}'
    header = secrets.signature_header([SECRET], 1795255200, body)
    assert header == "t=1795255200,v1=1f723a324da80f85e0bcd5977fd15a9c23ee3a73447542af42fbb67195ab270b"
    assert verify(SECRET, header, body)


def test_push_delivered_signed_and_completed(api: Api, receiver: Receiver, push_server: ServerProc) -> None:
    addr, agent = http_agent(api, receiver, "/ok/a")
    intent_id = api.create(addr)
    got = receiver.next()
    assert got.headers["content-type"] == "application/json"
    delivery = json.loads(got.body)
    assert got.headers["x-axme-delivery-id"] == delivery["delivery_id"]
    assert (
        delivery["intent_id"] == intent_id and delivery["attempt"] == 1 and delivery["status"] == "DELIVERED"
    )
    assert delivery["intent"]["intent_id"] == intent_id
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", got.headers["x-axme-signature"])
    assert verify(SECRET, got.headers["x-axme-signature"], got.body)
    assert not verify(SECRET, got.headers["x-axme-signature"], got.body + b" ")
    events = api.events(intent_id)
    assert events[-1]["event_type"] == "intent.delivered" and events[-1]["data"]["binding"] == "http"
    assert api.intent(intent_id)["status"] == "DELIVERED"  # a 2xx: the lease stands
    agent.ok(agent.post(f"/v1/intents/{intent_id}/ack", {"delivery_id": delivery["delivery_id"]}))
    agent.ok(agent.complete(intent_id, {"done": True}, delivery_id=delivery["delivery_id"]))
    assert api.intent(intent_id)["status"] == "COMPLETED"
    [(row, attempts)] = outbox(push_server, intent_id)
    assert row["status"] == "sent" and row["outbox_id"] == delivery["delivery_id"]
    metrics = api.get("/metrics").text
    assert re.search(r'^axme_outbound_attempts_total\{outcome="delivered"\} [1-9]', metrics, re.MULTILINE)
    assert re.search(r"^axme_outbound_pending \d+$", metrics, re.MULTILINE)
    assert [(a["attempt"], a["http_status"], a["error"]) for a in attempts] == [(1, 200, None)]
    assert attempts[0]["duration_ms"] >= 0 and attempts[0]["started_at"] > 0


def test_generated_secret_is_shown_once_and_signs(api: Api, receiver: Receiver) -> None:
    body = api.ok(
        api.post(
            "/v1/agents",
            {"address": "gen", "delivery_mode": "http", "callback_url": receiver.url + "/ok/gen"},
        )
    )
    secret = body["callback_secret"]
    assert re.fullmatch(r"whsec_[0-9A-Za-z]{32}", secret)
    addr = body["agent"]["address"]
    shown = api.ok(api.get(f"/v1/agents/{addr}"))
    assert secret not in json.dumps(shown) and secret not in json.dumps(api.ok(api.get("/v1/agents")))
    api.create(addr)
    got = receiver.next()
    assert verify(secret, got.headers["x-axme-signature"], got.body)


def test_rotation_signs_with_both_secrets_during_the_overlap(api: Api, receiver: Receiver) -> None:
    addr, agent = http_agent(api, receiver, "/ok/rot")

    def push_one() -> tuple[str, bytes]:
        """Send an intent, take its push, finish it (so no lease expiry pushes it again)."""
        intent_id = api.create(addr)
        got = receiver.next()
        assert json.loads(got.body)["intent_id"] == intent_id
        agent.ok(agent.complete(intent_id, {}))
        return got.headers["x-axme-signature"], got.body

    rotated = agent.ok(agent.post(f"/v1/agents/{addr}/callback-secret", {"overlap_seconds": 3600}))
    new = rotated["callback_secret"]
    assert re.fullmatch(r"whsec_[0-9A-Za-z]{32}", new) and rotated["previous_expires_at"] is not None
    assert "callback_secret" not in rotated["agent"]
    header, body = push_one()
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}", header)
    assert verify(new, header, body) and verify(SECRET, header, body)
    assert verify(new, header.rsplit(",", 1)[0], body)  # the new secret's entry comes first
    api.advance(3601)  # the overlap ends: the old secret no longer signs
    header, body = push_one()
    assert verify(new, header, body) and not verify(SECRET, header, body)
    chosen = "my-own-secret-0123456789"
    again = api.ok(
        api.post(f"/v1/agents/{addr}/callback-secret", {"callback_secret": chosen, "overlap_seconds": 0})
    )
    assert again["callback_secret"] == chosen and again["previous_expires_at"] is None
    header, body = push_one()
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header) and verify(chosen, header, body)


def test_failed_push_is_redelivered_after_the_backoff(
    api: Api, receiver: Receiver, push_server: ServerProc
) -> None:
    addr, agent = http_agent(api, receiver, "/flaky")
    receiver.script["/flaky"] = ["fail"]  # then 200
    intent_id = api.create(addr)
    first = receiver.next()
    ev = wait_event(api, intent_id, "intent.redelivered")
    assert ev["status"] == "SUBMITTED"
    assert ev["data"]["reason"] == "push_failed" and ev["data"]["attempt"] == 1
    assert ev["data"]["previous_delivery_id"] == first.headers["x-axme-delivery-id"]
    assert "HTTP 500" in ev["data"]["error"]
    assert ev["data"]["retry_at"] == _plus(ev["at"], 1)  # min(2^(1-1), 60) = 1 s
    api.advance(1)
    second = receiver.next()
    d2 = json.loads(second.body)
    assert d2["attempt"] == 2 and d2["delivery_id"] != first.headers["x-axme-delivery-id"]
    delivered = [e for e in api.events(intent_id) if e["event_type"] == "intent.delivered"]
    assert delivered[1]["at"] >= ev["data"]["retry_at"]  # not before the backoff
    agent.ok(agent.complete(intent_id, {"second": True}, delivery_id=d2["delivery_id"]))
    assert api.intent(intent_id)["status"] == "COMPLETED"
    (row1, attempts1), (row2, attempts2) = outbox(push_server, intent_id)
    assert (row1["status"], attempts1[0]["http_status"]) == ("failed", 500)
    assert (row2["status"], attempts2[0]["http_status"]) == ("sent", 200)


def test_attempts_exhausted_fail_the_intent(api: Api, receiver: Receiver) -> None:
    addr, _ = http_agent(api, receiver, "/fail/always")
    intent_id = api.create(addr, max_delivery_attempts=3)
    for attempt, backoff in ((1, 1), (2, 2)):
        receiver.next()
        ev = wait_event(api, intent_id, "intent.redelivered") if attempt == 1 else None
        if ev is not None:
            assert ev["data"]["retry_at"] == _plus(ev["at"], backoff)
        _wait_status(api, intent_id, "SUBMITTED")
        api.advance(backoff)
    receiver.next()
    failed = wait_event(api, intent_id, "intent.delivery_failed")
    assert failed["status"] == "FAILED" and failed["data"]["delivery_attempt"] == 3
    assert api.intent(intent_id)["error"]["code"] == "delivery_failed"
    redelivered = [e for e in api.events(intent_id) if e["event_type"] == "intent.redelivered"]
    assert [e["data"]["attempt"] for e in redelivered] == [1, 2]
    assert [e["data"]["retry_at"] for e in redelivered] == [
        _plus(e["at"], 2**i) for i, e in enumerate(redelivered)
    ]


def test_hanging_receiver_fails_after_the_timeout(api: Api, receiver: Receiver) -> None:
    addr, _ = http_agent(api, receiver, "/hang")
    intent_id = api.create(addr)
    receiver.next()
    t0 = time.monotonic()
    assert api.get("/health").status_code == 200  # the server answers while the push hangs
    ev = wait_event(api, intent_id, "intent.redelivered")
    assert time.monotonic() - t0 < TIMEOUT + 3
    assert ev["data"]["reason"] == "push_failed" and f"within {TIMEOUT:g} s" in ev["data"]["error"]


def test_redirect_is_not_followed(api: Api, receiver: Receiver, push_server: ServerProc) -> None:
    addr, _ = http_agent(api, receiver, "/redirect")
    intent_id = api.create(addr, max_delivery_attempts=1)  # one push, then FAILED: nothing else is sent
    assert receiver.next().path == "/redirect"
    wait_event(api, intent_id, "intent.delivery_failed")
    [(row, [attempt])] = outbox(push_server, intent_id)
    assert row["status"] == "failed" and attempt["http_status"] == 302
    assert attempt["error"] == "HTTP 302: redirect not followed"
    with pytest.raises(queue.Empty):
        receiver.next(timeout=0.3)  # /ok/redirected was never requested


def test_huge_answer_is_capped(api: Api, receiver: Receiver, push_server: ServerProc) -> None:
    addr, _ = http_agent(api, receiver, "/huge")
    intent_id = api.create(addr)
    receiver.next()
    ev = wait_event(api, intent_id, "intent.redelivered")
    assert "65536-byte cap" in ev["data"]["error"]
    _, [attempt] = outbox(push_server, intent_id)[0]  # (the retry after 1 s may have started)
    assert attempt["http_status"] == 200 and attempt["duration_ms"] < TIMEOUT * 1000


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "/relative/hook",
        "http://",
        "example.com/hook",
        "http://host/hook#frag",
        "https://exa mple.com/",
        "http://host:port/",
        42,
        "https://example.com/" + "x" * 2048,
    ],
)
def test_bad_callback_url_is_422(api: Api, url: object) -> None:
    resp = api.post("/v1/agents", {"address": "bad-url", "delivery_mode": "http", "callback_url": url})
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["details"]["field"] == "callback_url"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"delivery_mode": "http", "callback_url": "https://example.com/h", "callback_secret": "short"},
            "callback_secret",
        ),
        (
            {"delivery_mode": "http", "callback_url": "https://example.com/h", "callback_secret": "x" * 129},
            "callback_secret",
        ),
        ({"delivery_mode": "stream", "callback_secret": "long-enough-secret-123"}, "callback_secret"),
        ({"delivery_mode": "http"}, "callback_url"),
    ],
)
def test_bad_callback_secret_is_422(api: Api, body: dict, field: str) -> None:
    resp = api.post("/v1/agents", {"address": "bad-secret", **body})
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["details"]["field"] == field
    assert api.get("/v1/agents/bad-secret").status_code == 404  # nothing registered


def test_rotation_operations_errors(api: Api, push_server: ServerProc) -> None:
    addr, agent = api.register_agent("streamer")
    resp = api.post(f"/v1/agents/{addr}/callback-secret")
    assert resp.status_code == 409 and resp.json()["error"]["details"]["delivery_mode"] == "stream"
    http_addr = api.ok(
        api.post(
            "/v1/agents", {"address": "h2", "delivery_mode": "http", "callback_url": "https://example.com/h"}
        )
    )["agent"]["address"]
    assert agent.post(f"/v1/agents/{http_addr}/callback-secret").status_code == 403  # another agent's key
    for body, field in (
        ({"overlap_seconds": -1}, "overlap_seconds"),
        ({"overlap_seconds": 604801}, "overlap_seconds"),
        ({"callback_secret": "short"}, "callback_secret"),
        ({"nope": 1}, "nope"),
    ):
        resp = api.post(f"/v1/agents/{http_addr}/callback-secret", body)
        assert resp.status_code == 422 and resp.json()["error"]["details"]["field"] == field, resp.text
    assert api.post("/v1/agents/nobody/callback-secret").status_code == 404


def test_workspace_webhook_and_server_link_secrets(api: Api, push_server: ServerProc) -> None:
    first = api.ok(api.post("/v1/workspace/webhook-secret", {"overlap_seconds": 0}))
    assert (
        re.fullmatch(r"whsec_[0-9A-Za-z]{32}", first["webhook_secret"])
        and first["previous_expires_at"] is None
    )
    second = api.ok(api.post("/v1/workspace/webhook-secret"))  # default overlap: one day
    assert second["webhook_secret"] != first["webhook_secret"]
    assert second["previous_expires_at"] is not None
    _, agent = api.register_agent("not-admin")
    assert agent.post("/v1/workspace/webhook-secret").status_code == 403
    resp = api.post("/v1/server/link-secret")  # a namespace's admin is no operator
    assert resp.status_code == 403 and resp.json()["error"]["details"]["reason"] == "operator_required"
    operator = api.with_key(push_server.admin_key)
    rotated = operator.ok(operator.post("/v1/server/link-secret", {"overlap_seconds": 60}))
    assert set(rotated) == {"ok", "rotated_at", "previous_expires_at"}  # the secret never leaves the server
    assert operator.post("/v1/server/link-secret", {"overlap_seconds": "1"}).status_code == 422


def _plus(at: str, seconds: float) -> str:
    from datetime import datetime, timedelta

    t = datetime.fromisoformat(at) + timedelta(seconds=seconds)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _wait_status(api: Api, intent_id: str, status: str) -> None:
    deadline = time.monotonic() + 10
    while api.intent(intent_id)["status"] != status:
        assert time.monotonic() < deadline, api.intent(intent_id)
        time.sleep(0.02)


def test_rotation_replay_does_not_keep_the_secret(api: Api) -> None:
    """REQ-SECRET-002: an idempotent replay of a rotation does not show the secret again."""
    address = api.ok(
        api.post(
            "/v1/agents",
            {"address": "replayed", "delivery_mode": "http", "callback_url": "https://example.com/h"},
        )
    )["agent"]["address"]
    for path in (f"/v1/agents/{address}/callback-secret", "/v1/workspace/webhook-secret"):
        first = api.ok(api.post(path, {}, headers={"idempotency-key": "rot-1"}))
        again = api.post(path, {}, headers={"idempotency-key": "rot-1"})
        assert again.status_code == 409 and again.json()["error"]["details"]["reason"] == "secret_not_kept"
        secret = first.get("callback_secret") or first["webhook_secret"]
        assert secret not in again.text


def test_scenario_http_agents_need_a_callback_url(api: Api, receiver: Receiver) -> None:
    """REQ-PUSH-001 for scenario agents: checked with the bundle, 422 naming the agent's callback_url."""

    def bundle(agent: dict) -> dict:
        return {
            "scenario_id": "push.scenario.v1",
            "title": "push",
            "agents": [{"role": "worker", "address": "scen-pusher", "create_if_missing": True, **agent}],
            "workflow": {
                "steps": [{"step_id": "work", "tool_id": "tool.agent.task.v1", "assigned_to": "worker"}]
            },
            "intent": {"type": "intent.test.scenario.v1", "payload": {"n": 1}},
        }

    for agent in ({"delivery_mode": "http"}, {"delivery_mode": "http", "callback_url": "ftp://x/y"}):
        checked = api.ok(api.post("/v1/scenarios/validate", bundle(agent)))
        assert checked["valid"] is False
        assert [p["path"] for p in checked["problems"]] == ["/agents/0/callback_url"], checked
        resp = api.post("/v1/scenarios/apply", bundle(agent))
        assert resp.status_code == 422, resp.text
    applied = api.ok(
        api.post(
            "/v1/scenarios/apply",
            bundle({"delivery_mode": "http", "callback_url": receiver.url + "/ok/scen"}),
        )
    )
    got = receiver.next()  # the scenario's first step is pushed, signed with the agent's generated secret
    assert json.loads(got.body)["intent_id"] == applied["intent_id"]
