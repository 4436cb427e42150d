"""Contract checks (REQ-NOTIFY-*, REQ-HUMAN-021/022/025): notify targets, notifications as
signed webhooks written with the transition, listNotifications, decision links and the
page outside /v1, Slack interactions refusing unsigned requests, escalation chains.
The webhook checks run a real receiver on 127.0.0.1 (a --testing server on the same
machine reaches it), as the push checks do."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

from axme_conformance.contract.checks_push import receiver, signed_by
from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.registry import check

WAIT_S = 10.0


def _waiting(c: ContractClient, human_task: dict[str, Any], **extra: Any) -> tuple[str, str]:
    """(intent id, the handler agent's key) once the intent waits for a human."""
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task=human_task, **extra)
    c.complete_agent_step(address, key, intent_id, {"checked": True})
    return intent_id, key


def _notifications(c: ContractClient, intent_id: str) -> list[dict[str, Any]]:
    return list(c.ok(c.request("GET", f"/v1/intents/{intent_id}/notifications"))["notifications"])


def _until(c: ContractClient, intent_id: str, predicate: Any, what: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + WAIT_S
    while True:
        listed = _notifications(c, intent_id)
        if predicate(listed):
            return listed
        expect(time.monotonic() < deadline, f"{what} within {WAIT_S}s: {listed}")
        time.sleep(0.05)


@check("notify/target-shape", requirements=["REQ-NOTIFY-001"])
def target_shape(c: ContractClient) -> None:
    address, _ = c.new_agent()
    good = {
        "title": "t",
        "notify": [
            {"channel": "email", "to": "alice@example.com"},
            {"channel": "webhook", "to": "https://hooks.example.com/x"},
        ],
    }
    intent = c.intent(c.new_intent(address, human_task=good))
    expect(
        intent["human_task"]["notify"] == good["notify"], f"notify as given: {intent['human_task']}"
    )
    for notify, field in (
        ([{"channel": "sms", "to": "+15550100"}], "human_task.notify[0].channel"),
        ([{"channel": "email", "to": "not an address"}], "human_task.notify[0].to"),
        ([{"channel": "webhook", "to": "/relative"}], "human_task.notify[0].to"),
    ):
        body = c.error(
            c.request(
                "POST",
                "/v1/intents",
                body={
                    "intent_type": "intent.contract.check.v1",
                    "to_agent": address,
                    "payload": {},
                    "human_task": {"title": "t", "notify": notify},
                },
            ),
            422,
            "validation_error",
        )
        got = body["error"]["details"].get("field", "")
        expect(got.startswith(field), f"{notify}: details.field {got!r}, want {field!r}")


@check(
    "notify/webhook-signed-with-the-transition",
    needs="testing",
    requirements=[
        "REQ-NOTIFY-002",
        "REQ-NOTIFY-003",
        "REQ-NOTIFY-005",
        "REQ-NOTIFY-008",
        "REQ-HUMAN-021",
    ],
)
def webhook_signed(c: ContractClient) -> None:
    secret = c.ok(c.request("POST", "/v1/workspace/webhook-secret", body={"overlap_seconds": 0}))[
        "webhook_secret"
    ]
    with receiver() as r:
        intent_id, agent_key = _waiting(
            c, {"title": "Deploy", "notify": [{"channel": "webhook", "to": r.url + "/ok/hook"}]}
        )
        path, headers, body = r.next("the assignment's webhook notification")
        expect(path == "/ok/hook", f"posted to {path}")
        expect(
            signed_by(secret, headers.get("x-axme-signature", ""), body),
            "X-Axme-Signature must verify with the workspace webhook-signing secret",
        )
        nid = headers.get("x-axme-notification-id", "")
        listed = _until(
            c, intent_id, lambda n: n and n[0]["status"] == "sent", "the notification sent"
        )
        expect([n["notification_id"] for n in listed] == [nid], f"listed {listed}, header id {nid}")
        expect(listed[0]["reason"] == "assigned" and listed[0]["channel"] == "webhook", f"{listed}")
    c.forbidden(
        c.request("GET", f"/v1/intents/{intent_id}/notifications", key=agent_key),
        "initiator_required",
    )


@check(
    "notify/failing-channel-leaves-the-intent",
    needs="testing",
    requirements=["REQ-NOTIFY-004", "REQ-NOTIFY-003"],
)
def failing_channel(c: ContractClient) -> None:
    with receiver() as r:
        intent_id, _ = _waiting(
            c, {"title": "t", "notify": [{"channel": "webhook", "to": r.url + "/fail/hook"}]}
        )
        before = c.events(intent_id)
        listed = _until(c, intent_id, lambda n: n and n[0]["attempts"] >= 1, "a failed attempt")
        expect(
            listed[0]["last_error"] and listed[0]["status"] in ("pending", "failed"), f"{listed}"
        )
        expect(c.events(intent_id) == before, "a failed notification appended events")
        expect(c.intent(intent_id)["status"] == "WAITING", "a failed notification moved the intent")


def _page_link(c: ContractClient, r: Any, task: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    intent_id, _ = _waiting(c, task)
    _, _, body = r.next("the webhook notification with its page link")
    note = json.loads(body)
    link = note["links"]["page"]
    expect(urlsplit(link).path.startswith("/t/"), f"page link {link}")
    return intent_id, link, note


@check(
    "notify/decision-link-and-page",
    needs="testing",
    requirements=[
        "REQ-NOTIFY-009",
        "REQ-NOTIFY-010",
        "REQ-NOTIFY-011",
        "REQ-NOTIFY-013",
        "REQ-NOTIFY-014",
        "REQ-HUMAN-022",
    ],
)
def decision_link(c: ContractClient) -> None:
    with receiver() as r:
        hook = r.url + "/ok/page"
        intent_id, link, note = _page_link(
            c, r, {"title": "<b>Ship</b> it", "notify": [{"channel": "webhook", "to": hook}]}
        )  # no assignees: every target may decide
        expect(note["links"]["can_decide"] is True, f"{note['links']}")
        page = c.http.get(link)
        expect(
            page.status_code == 200 and page.headers["content-type"].startswith("text/html"),
            f"GET page: {page.status_code} {page.headers.get('content-type')}",
        )
        expect(
            "&lt;b&gt;Ship&lt;/b&gt;" in page.text and "<b>Ship</b>" not in page.text,
            "the title must be shown as text",
        )
        expect(
            page.headers.get("cache-control") == "no-store"
            and "script-src" not in page.headers.get("content-security-policy", "script-src"),
            f"page headers: {dict(page.headers)}",
        )
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        expect(token is not None, "the page's form carries the token")
        assert token is not None
        form = {"token": token.group(1), "outcome": "approved"}
        forged = dict(
            form, token=form["token"][:-3] + ("AAA" if not form["token"].endswith("AAA") else "BBB")
        )
        expect(c.http.post("/t", data=forged).status_code == 403, "a forged token must be 403")
        done = c.http.post("/t", data=form)
        expect(done.status_code == 200, f"deciding on the page: {done.status_code}")
        intent = c.intent(intent_id)
        expect(intent["status"] == "COMPLETED", f"after the page: {intent['status']}")
        last = c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit"))["audit"][-1]
        expect(
            last["actor"]["type"] == "human"
            and last["actor"]["id"] == hook
            and last["channel"] == "web",
            f"the decision's actor and channel: {last}",
        )
        expect(c.http.post("/t", data=form).status_code == 409, "a used token must be 409")
        expect(c.http.get(link).status_code == 409, "the page of a decided task must be 409")

        _, ro_link, ro_note = _page_link(
            c,
            r,
            {
                "title": "t",
                "assignees": ["someone@example.com"],
                "notify": [{"channel": "webhook", "to": hook}],
            },
        )
        expect(
            ro_note["links"]["can_decide"] is False, "a target outside the assignees is read-only"
        )
        ro_page = c.http.get(ro_link)
        ro_token = re.search(r"/t/([^/?#]+)$", ro_link)
        assert ro_token is not None
        expect(
            ro_page.status_code == 200 and 'name="outcome"' not in ro_page.text, "read-only page"
        )
        expect(
            c.http.post("/t", data={"token": ro_token.group(1), "outcome": "approved"}).status_code
            == 403,
            "a read-only token must not decide",
        )


@check("notify/page-form-fields", needs="testing", requirements=["REQ-NOTIFY-012"])
def page_form(c: ContractClient) -> None:
    schema = {
        "type": "object",
        "required": ["days"],
        "properties": {
            "days": {"type": "integer"},
            "scope": {"enum": ["read", "write"]},
            "urgent": {"type": "boolean"},
        },
    }
    with receiver() as r:
        intent_id, link, _ = _page_link(
            c,
            r,
            {
                "title": "t",
                "task_type": "form",
                "form_schema": schema,
                "notify": [{"channel": "webhook", "to": r.url + "/ok/f"}],
            },
        )
        page = c.http.get(link)
        for name in ("days", "scope", "urgent"):
            expect(f'name="data.{name}"' in page.text, f"no control for {name}")
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token is not None
        bad = c.http.post(
            "/t", data={"token": token.group(1), "outcome": "submitted", "data.days": "x"}
        )
        expect(bad.status_code == 422, f"a non-number for an integer field: {bad.status_code}")
        done = c.http.post(
            "/t",
            data={
                "token": token.group(1),
                "outcome": "submitted",
                "data.days": "3",
                "data.scope": "1",
                "data.urgent": "true",
            },
        )
        expect(done.status_code == 200, f"submitting the form: {done.status_code}")
        data = c.events(intent_id)[-1]["data"]["data"]
        expect(data == {"days": 3, "scope": "write", "urgent": True}, f"typed form data: {data}")


@check("notify/slack-interactions-refuse-unsigned", requirements=["REQ-NOTIFY-015"])
def slack_unsigned(c: ContractClient) -> None:
    got = c.http.post(
        "/slack/interactions",
        content=b"payload=%7B%7D",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": str(int(time.time())),
            "x-slack-signature": "v0=" + "0" * 64,
        },
    )
    expect(got.status_code in (401, 404), f"an unsigned Slack request: {got.status_code}")


@check("notify/metrics-count-notifications", requirements=["REQ-NOTIFY-006"])
def metrics(c: ContractClient) -> None:
    text = c.request("GET", "/metrics").text
    expect("axme_notification_attempts_total" in text, "/metrics has no notification counts")


@check("humans/escalation-chain", needs="testing", requirements=["REQ-HUMAN-025", "REQ-HUMAN-013"])
def escalation_chain(c: ContractClient) -> None:
    chain = [
        {"after_seconds": 30, "assignees": ["b@example.com"]},
        {"after_seconds": 30, "assignees": ["c1@example.com", "c2@example.com"]},
    ]
    intent_id, _ = _waiting(c, {"title": "t", "assignees": ["a@example.com"]}, escalation=chain)

    def escalated() -> list[dict[str, Any]]:
        return [e for e in c.events(intent_id) if e["event_type"] == "intent.escalated"]

    c.ok(c.request("POST", "/_testing/clock", key=None, body={"advance_seconds": 29}))
    expect(escalated() == [], "a level fired before its after_seconds")
    for level, who in ((1, ["b@example.com"]), (2, ["c1@example.com", "c2@example.com"])):
        c.ok(
            c.request(
                "POST",
                "/_testing/clock",
                key=None,
                body={"advance_seconds": 1.5 if level == 1 else 30},
            )
        )
        events = escalated()
        expect(len(events) == level, f"after level {level}'s time: {events}")
        data = events[-1]["data"]
        expect(
            data["level"] == level and data["assignees"] == who and data["escalated_to"] == who[0],
            f"{data}",
        )
    intent = c.intent(intent_id)
    expect(
        intent["pending_with"]["ref"] == "c1@example.com", f"pending_with: {intent['pending_with']}"
    )
    body = c.error(
        c.request(
            "POST",
            "/v1/intents",
            body={
                "intent_type": "intent.contract.check.v1",
                "to_agent": c.new_agent()[0],
                "payload": {},
                "human_task": {"title": "t"},
                "escalation": chain,
                "escalate_to": "x",
            },
        ),
        422,
        "validation_error",
    )
    expect(body["error"]["details"].get("field") == "escalation", f"{body['error']}")
