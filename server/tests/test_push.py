"""HTTP push to agents with delivery_mode http (REQ-PUSH-*), against real receivers on
loopback: signed Delivery JSON, delivered = 2xx, failures redelivered with backoff on
the test clock until FAILED, and the outbound limits (timeout, redirects, answer cap)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator

import pytest
from helpers import Api, ServerProc, start_server
from push_receiver import Receiver, verify

TIMEOUT = 1.0  # the push timeout of this module's server (the spec's default is 10 s)


@pytest.fixture(scope="module")
def push_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    proc = start_server(tmp_path_factory.mktemp("push"), "--testing", "--outbound-timeout-seconds", str(TIMEOUT))
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
    body = api.ok(api.post("/v1/agents", {"address": f"pusher-{path.strip('/').replace('/', '-')}",
                                          "delivery_mode": "http", "callback_url": receiver.url + path,
                                          "callback_secret": SECRET, **extra}))
    assert "callback_secret" not in body  # chosen by the client: nothing to show
    return body["agent"]["address"], api.with_key(body["api_key"])


def wait_status(api: Api, intent_id: str, status: str, tries: int = 100) -> dict:
    for _ in range(tries):
        doc = api.intent(intent_id)
        if doc["status"] == status:
            return doc
        api.http.get("/v1/health")  # (a round trip, not a sleep: the push settles meanwhile)
        import time

        time.sleep(0.05)
    raise AssertionError(f"{intent_id} stayed {doc['status']}, wanted {status}")


def outbox(server: ServerProc, intent_id: str) -> list[tuple[dict, list[dict]]]:
    db = sqlite3.connect(f"file:{server.data_dir / 'axme.db'}?mode=ro", uri=True)
    try:
        rows = [json.loads(r[0]) for r in db.execute("SELECT doc FROM outbox WHERE intent_id=? ORDER BY rid",
                                                     (intent_id,))]
        return [(row, [json.loads(a[0]) for a in db.execute(
            "SELECT doc FROM outbox_attempts WHERE outbox_id=? ORDER BY rid", (row["outbox_id"],))]) for row in rows]
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
    assert delivery["intent_id"] == intent_id and delivery["attempt"] == 1 and delivery["status"] == "DELIVERED"
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
    assert [(a["attempt"], a["http_status"], a["error"]) for a in attempts] == [(1, 200, None)]
    assert attempts[0]["duration_ms"] >= 0 and attempts[0]["started_at"] > 0
