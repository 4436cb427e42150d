"""Slack (REQ-NOTIFY-008, REQ-NOTIFY-015): a local receiver stands in for Slack's
incoming webhook; the message parses through slack_sdk's Block Kit models; a correctly
signed button click decides the task (channel slack, the Slack user in the actor); a
wrong or stale signature is 401 and records nothing. A webhook target gets a JSON POST
signed like REQ-PUSH-004 with the workspace's webhook-signing secret."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import httpx
import pytest
from helpers import Api, start_server
from push_receiver import Receiver, verify
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, SectionBlock
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    proc = start_server(
        tmp_path_factory.mktemp("slack"), "--testing", "--slack-signing-secret", SIGNING_SECRET
    )
    yield proc
    assert proc.stop() == 0


def signed(body: str, secret: str = SIGNING_SECRET, at: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if at is None else at)
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }


def waiting(srv, task: dict, name: str) -> tuple[Api, str]:
    api = Api(srv.base_url, srv.admin_key)
    addr, agent = api.register_agent(name)
    intent_id = api.create(addr, human_task=task)
    agent.ok(agent.complete(intent_id, {}))
    return api, intent_id


def test_slack_message_and_signed_click_decides(srv, receiver) -> None:
    hook = receiver.url + "/ok/slack-hook"
    api, intent_id = waiting(
        srv,
        {"title": "Restart <prod> & db", "notify": [{"channel": "slack_webhook", "to": hook}]},
        "slack-worker",
    )
    got = receiver.next(timeout=10)
    assert got.path == "/ok/slack-hook" and got.headers["x-axme-notification-id"].startswith("ntf_")
    message = json.loads(got.body)
    blocks = Block.parse_all(message["blocks"])
    assert [type(b) for b in blocks] == [SectionBlock, ContextBlock, ActionsBlock]
    assert "Restart &lt;prod&gt; &amp; db" in blocks[0].text.text  # mrkdwn-escaped
    buttons = blocks[2].elements
    assert all(isinstance(b, ButtonElement) for b in buttons)
    assert [b.action_id for b in buttons] == ["axme_decide:approved", "axme_decide:rejected", "axme_open"]
    assert [b.text.text for b in buttons] == ["Approve", "Reject", "Open the task"]
    assert buttons[2].url.startswith(srv.base_url + "/t/")
    token = buttons[0].value

    payload = {
        "type": "block_actions",
        "user": {"id": "U024BE7LH", "username": "alice.sre"},
        "actions": [{"action_id": "axme_decide:approved", "block_id": "axme_task", "value": token}],
        "response_url": receiver.url + "/ok/slack-response",
    }
    body = urlencode({"payload": json.dumps(payload)})
    url = srv.base_url + "/slack/interactions"
    assert httpx.post(url, content=body, headers=signed(body, secret="not-the-secret")).status_code == 401
    assert httpx.post(url, content=body, headers=signed(body, at=int(time.time()) - 301)).status_code == 401
    assert (
        httpx.post(
            url, content=body, headers={**signed(body), "x-slack-request-timestamp": "soon"}
        ).status_code
        == 401
    )
    assert httpx.post(url, content=body + "&x=1", headers=signed(body)).status_code == 401
    assert api.intent(intent_id)["status"] == "WAITING"  # nothing recorded

    answer = httpx.post(url, content=body, headers=signed(body))
    assert answer.status_code == 200, answer.text
    assert answer.json()["replace_original"] is True and answer.json()["text"].startswith(
        "Approved by alice.sre at "
    )
    update = receiver.next(timeout=10)
    assert update.path == "/ok/slack-response" and json.loads(update.body) == answer.json()
    assert api.intent(intent_id)["status"] == "COMPLETED"
    decided = api.ok(api.get(f"/v1/intents/{intent_id}/audit"))["audit"][-1]
    assert decided["channel"] == "slack"
    assert decided["actor"]["slack_user_id"] == "U024BE7LH" and decided["actor"]["id"] == hook
    again = httpx.post(url, content=body, headers=signed(body))  # used: a message, nothing recorded
    assert again.status_code == 200 and again.json()["replace_original"] is False
    assert json.loads(receiver.next(timeout=10).body)["text"].startswith("This link was already used")


def test_a_click_the_task_refuses_records_nothing(srv, receiver) -> None:
    api, intent_id = waiting(
        srv,
        {
            "title": "Needs a why",
            "required_comment": True,
            "notify": [{"channel": "slack_webhook", "to": receiver.url + "/ok/slack-comment"}],
        },
        "slack-comment-worker",
    )
    message = json.loads(receiver.next(timeout=10).body)
    token = Block.parse_all(message["blocks"])[2].elements[0].value
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "bob"},
        "actions": [{"action_id": "axme_decide:approved", "value": token}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    answer = httpx.post(srv.base_url + "/slack/interactions", content=body, headers=signed(body))
    assert answer.status_code == 200 and answer.json()["replace_original"] is False
    assert "Nothing was recorded" in answer.json()["text"] and "comment" in answer.json()["text"]
    assert api.intent(intent_id)["status"] == "WAITING"


def test_signed_webhook_notification(srv, receiver) -> None:
    api = Api(srv.base_url, srv.admin_key)
    secret = api.ok(api.post("/v1/workspace/webhook-secret", {"overlap_seconds": 0}))["webhook_secret"]
    hook = receiver.url + "/ok/webhook"
    _, intent_id = waiting(
        srv,
        {
            "title": "Approve",
            "assignees": ["ops@example.com"],
            "notify": [{"channel": "webhook", "to": hook}],
        },
        "webhook-worker",
    )
    got = receiver.next(timeout=10)
    assert verify(secret, got.headers["x-axme-signature"], got.body)  # REQ-PUSH-004 with the workspace secret
    body = json.loads(got.body)
    assert body["notification_id"] == got.headers["x-axme-notification-id"]
    assert body["reason"] == "assigned" and body["intent_id"] == intent_id
    assert body["links"]["can_decide"] is False  # the webhook is not among the assignees: read-only
    deadline = time.monotonic() + 5
    while True:  # the receiver answered; the attempt's record commits right after
        listed = api.ok(api.get(f"/v1/intents/{intent_id}/notifications"))["notifications"]
        if listed[0]["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert [(n["channel"], n["status"], n["attempts"]) for n in listed] == [("webhook", "sent", 1)]


def test_interactions_need_a_signing_secret(server) -> None:
    resp = httpx.post(server.base_url + "/slack/interactions", content="payload={}")
    assert resp.status_code == 404
