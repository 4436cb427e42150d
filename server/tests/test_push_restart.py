"""REQ-PUSH-008: pushes survive a crash. SIGKILL the server while 20 pushes are leased
and their receiver has not answered; after a restart every one is pushed again with the
same X-Axme-Delivery-Id and body, and all 20 intents complete through the receiver.
A push whose lease moved on before it was sent is not sent."""

from __future__ import annotations

import json
import sqlite3
import time

from helpers import Api, start_server
from push_receiver import Receiver, verify

COUNT = 20
SECRET = "whsec_restart_0123456789abcdef"


def test_sigkill_with_unanswered_pushes_resends_them_all(tmp_path) -> None:
    receiver = Receiver()
    receiver.script["/k9"] = ["hang"] * COUNT  # the first COUNT pushes get no answer; later ones 200
    data = tmp_path / "push-k9"
    srv = start_server(data, "--testing")
    try:
        api = Api(srv.base_url, srv.admin_key)
        body = api.ok(
            api.post(
                "/v1/agents",
                {
                    "address": "k9",
                    "delivery_mode": "http",
                    "callback_url": receiver.url + "/k9",
                    "callback_secret": SECRET,
                },
            )
        )
        addr, agent_key = body["agent"]["address"], body["api_key"]
        intents = {api.create(addr) for _ in range(COUNT)}
        first = [receiver.next() for _ in range(COUNT)]  # every push is in flight, none answered
        assert {json.loads(r.body)["intent_id"] for r in first} == intents
        assert all(api.intent(i)["status"] == "DELIVERED" for i in intents)
        srv.kill9()
    finally:
        receiver.release.set()  # the hanging answers go to a dead server
    srv2 = start_server(data, "--testing")
    try:
        agent = Api(srv2.base_url, agent_key)
        again = {}
        for _ in range(COUNT):
            r = receiver.next(timeout=15)
            assert verify(SECRET, r.headers["x-axme-signature"], r.body)
            delivery = json.loads(r.body)
            agent.ok(
                agent.complete(
                    delivery["intent_id"], {"after_restart": True}, delivery_id=delivery["delivery_id"]
                )
            )
            again[r.headers["x-axme-delivery-id"]] = r.body
        # the same deliveries, byte for byte: receivers dedupe by the id
        assert again == {r.headers["x-axme-delivery-id"]: r.body for r in first}
        api2 = Api(srv2.base_url, srv.admin_key)
        assert {api2.intent(i)["status"] for i in intents} == {"COMPLETED"}
    finally:
        receiver.close()
        assert srv2.stop() == 0


def test_push_whose_lease_moved_on_is_not_sent(tmp_path) -> None:
    """One push slot, held by a hanging receiver: a second intent canceled while its push
    waits for the slot is never pushed; its outbox row ends `canceled`."""
    receiver = Receiver()
    srv = start_server(
        tmp_path / "push-moot", "--testing", "--outbound-concurrency", "1", "--outbound-timeout-seconds", "1"
    )
    try:
        api = Api(srv.base_url, srv.admin_key)
        body = api.ok(
            api.post(
                "/v1/agents",
                {
                    "address": "moot",
                    "delivery_mode": "http",
                    "callback_url": receiver.url + "/hang",
                    "callback_secret": SECRET,
                },
            )
        )
        holder = api.create(body["agent"]["address"], max_delivery_attempts=1)
        assert json.loads(receiver.next().body)["intent_id"] == holder  # the one slot hangs
        waiting = api.create(body["agent"]["address"])
        api.ok(api.post(f"/v1/intents/{waiting}/resolve", {"status": "CANCELED", "reason": "moot"}))
        deadline = time.monotonic() + 10
        while (rows := outbox_rows(srv, waiting)) and rows[0]["status"] == "pending":
            assert time.monotonic() < deadline, rows
            time.sleep(0.05)
        assert [r["status"] for r in rows] == ["canceled"]
        assert receiver.received.empty()  # the canceled intent never reached the receiver
    finally:
        receiver.close()
        assert srv.stop() == 0


def outbox_rows(srv, intent_id: str) -> list[dict]:
    db = sqlite3.connect(f"file:{srv.data_dir / 'axme.db'}?mode=ro", uri=True)
    try:
        return [
            json.loads(r[0]) for r in db.execute("SELECT doc FROM outbox WHERE intent_id=?", (intent_id,))
        ]
    finally:
        db.close()
