"""REQ-NOTIFY-003/004: notifications are outbound work that survives a crash, and a failing
channel never touches the intent. SIGKILL the server while 50 email notifications are
pending (the SMTP relay is down); start the relay and the server again: every one is
delivered, a duplicate only ever with the same Message-ID. With the relay down for good,
a notification is retried, then marked failed, and the intent is unchanged."""

from __future__ import annotations

import re
import time

import httpx
from helpers import Api, start_server
from notify_fixtures import Mailbox, free_port

COUNT = 50


def pending_gauge(srv) -> int:
    text = httpx.get(srv.base_url + "/metrics", headers={"x-api-key": srv.admin_key}).text
    return int(re.search(r"^axme_outbound_pending (\d+)$", text, re.MULTILINE).group(1))


def wait_until(check, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_sigkill_with_50_pending_notifications_delivers_all_after_restart(tmp_path) -> None:
    port = free_port()  # nothing listens yet: every attempt fails and waits for its backoff
    smtp = f"smtp://127.0.0.1:{port}"
    data = tmp_path / "notify-k9"
    srv = start_server(data, "--testing", "--smtp-url", smtp)
    api = Api(srv.base_url, srv.admin_key)
    addr, agent = api.register_agent("k9-worker")
    intents = []
    for i in range(COUNT):
        intent_id = api.create(
            addr,
            human_task={
                "title": f"Task {i}",
                "notify": [{"channel": "email", "to": f"oncall{i}@example.com"}],
            },
        )
        agent.ok(agent.complete(intent_id, {}))
        intents.append(intent_id)
    wait_until(lambda: pending_gauge(srv) >= COUNT)
    metrics = httpx.get(srv.base_url + "/metrics", headers={"x-api-key": srv.admin_key}).text
    assert 'axme_notification_attempts_total{channel="email",outcome="failed"}' in metrics  # REQ-NOTIFY-006
    ids = {
        n["notification_id"]
        for i in intents
        for n in api.ok(api.get(f"/v1/intents/{i}/notifications"))["notifications"]
    }
    assert len(ids) == COUNT
    srv.kill9()

    mailbox = Mailbox(port)
    srv2 = start_server(data, "--testing", "--smtp-url", smtp)
    try:
        received: list[tuple[str, str]] = []
        while {mid for mid, _ in received} != {f"<{n}@axme>" for n in ids}:
            rcpt, msg = mailbox.next(timeout=20)
            received.append((msg["Message-ID"], rcpt[0]))
        by_id: dict[str, str] = {}
        for message_id, rcpt in received:  # a duplicate carries the same id and goes to the same person
            assert by_id.setdefault(message_id, rcpt) == rcpt
        api2 = Api(srv2.base_url, srv.admin_key)
        wait_until(
            lambda: all(
                n["status"] == "sent"
                for i in intents
                for n in api2.ok(api2.get(f"/v1/intents/{i}/notifications"))["notifications"]
            )
        )
        assert {api2.intent(i)["status"] for i in intents} == {"WAITING"}
    finally:
        mailbox.close()
        assert srv2.stop() == 0


def test_relay_down_retries_then_fails_and_leaves_the_intent_alone(tmp_path) -> None:
    srv = start_server(
        tmp_path / "notify-down",
        "--testing",
        "--smtp-url",
        f"smtp://127.0.0.1:{free_port()}",
        "--notify-max-attempts",
        "2",
    )
    try:
        api = Api(srv.base_url, srv.admin_key)
        addr, agent = api.register_agent("down-worker")
        intent_id = api.create(
            addr, human_task={"title": "t", "notify": [{"channel": "email", "to": "a@example.com"}]}
        )
        agent.ok(agent.complete(intent_id, {}))
        before = api.events(intent_id)

        def listed() -> dict:
            return api.ok(api.get(f"/v1/intents/{intent_id}/notifications"))["notifications"][0]

        wait_until(lambda: listed()["attempts"] >= 1)
        api.advance(1.0)  # the backoff after attempt 1 is 1 s on the server's clock
        wait_until(lambda: listed()["status"] == "failed")
        note = listed()
        assert note["attempts"] == 2 and note["last_error"]  # e.g. the connection was refused
        assert api.events(intent_id) == before and api.intent(intent_id)["status"] == "WAITING"
    finally:
        assert srv.stop() == 0


def test_email_without_a_relay_is_recorded_failed(api) -> None:
    addr, agent = api.register_agent("no-relay")
    intent_id = api.create(
        addr, human_task={"title": "t", "notify": [{"channel": "email", "to": "a@example.com"}]}
    )
    agent.ok(agent.complete(intent_id, {}))
    (note,) = api.ok(api.get(f"/v1/intents/{intent_id}/notifications"))["notifications"]
    assert (
        note["status"] == "failed" and "no SMTP relay" in note["last_error"] and note["reason"] == "assigned"
    )
    agent_key_sees = agent.get(f"/v1/intents/{intent_id}/notifications")
    assert agent_key_sees.status_code == 403  # the handler may read the intent, but is not its initiator
    assert agent_key_sees.json()["error"]["details"]["reason"] == "initiator_required"
