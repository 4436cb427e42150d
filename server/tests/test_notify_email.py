"""Email notifications end to end with real parts (REQ-HUMAN-021/022, REQ-NOTIFY-002/007,
REQ-NOTIFY-009..014): the server emails the assignee over SMTP (aiosmtpd), the test
parses the message, opens its link in headless Chromium, decides on the page, and the
initiator's wait_for returns; the audit names the person and channel `email`.
axe-core checks the page; screenshots go to tests/artifacts/."""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from axme import AxmeClient, AxmeClientConfig
from helpers import Api, start_server
from notify_fixtures import ARTIFACTS, Mailbox, launch, link_in, text_of
from playwright.sync_api import sync_playwright

ALICE = "alice@example.com"
WORKERS = itertools.count()
HOSTILE = "<script>document.title='pwned'</script><b>bold</b>"


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox()
    yield box
    box.close()


@pytest.fixture(scope="module")
def srv(mailbox, tmp_path_factory):
    proc = start_server(
        tmp_path_factory.mktemp("notify-email"),
        "--testing",
        "--smtp-url",
        mailbox.url,
        "--smtp-from",
        "axme@example.com",
    )
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def waiting_for(srv, task: dict, payload: dict | None = None, **extra) -> tuple[Api, str]:
    api = Api(srv.base_url, srv.admin_key)
    addr, agent = api.register_agent(f"notify-worker-{next(WORKERS)}")
    intent_id = api.create(
        addr, human_task=task, payload=payload or {"change": "add index", "env": "prod"}, **extra
    )
    agent.ok(agent.complete(intent_id, {"validated": True}))
    return api, intent_id


def open_page(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 390, "height": 844}, bypass_csp=True)  # axe is injected
    resp = page.goto(url)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return page, resp


def assert_accessible_and_narrow(page) -> None:
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"]) for v in bad]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll


def audit_of(api: Api, intent_id: str) -> list[dict]:
    return api.ok(api.get(f"/v1/intents/{intent_id}/audit"))["audit"]


def test_approve_from_the_emailed_link(srv, mailbox, browser) -> None:
    api, intent_id = waiting_for(
        srv,
        {
            "title": "Deploy " + HOSTILE,
            "description": "Why: " + HOSTILE,
            "assignees": [ALICE],
            "notify": [{"channel": "email", "to": ALICE}],
        },
        {"change": HOSTILE, "rollback": "DROP INDEX"},
    )
    rcpt, msg = mailbox.next()
    assert rcpt == [ALICE]
    assert msg["Subject"] == "[AXME] Your decision is needed: Deploy " + HOSTILE
    notifications = api.ok(api.get(f"/v1/intents/{intent_id}/notifications"))["notifications"]
    assert msg["Message-ID"] == f"<{notifications[0]['notification_id']}@axme>"
    plain, rich = text_of(msg, "plain"), text_of(msg, "html")
    asked_by = api.intent(intent_id)["from_agent"]
    for needle in (f"Asked by: {asked_by}", "change: " + HOSTILE, "Decide (approved / rejected):"):
        assert needle in plain
    assert "<script>" not in rich and "&lt;script&gt;document.title=" in rich  # shown as text
    link = link_in(msg)
    assert link.startswith(srv.base_url + "/t/") and link in rich

    page, resp = open_page(browser, link, "approval-page")
    assert resp.status == 200 and page.title() != "pwned"
    assert page.locator("h1").inner_text() == "Deploy " + HOSTILE
    assert HOSTILE in page.locator("main").inner_text()
    assert_accessible_and_narrow(page)
    client = AxmeClient(AxmeClientConfig(base_url=srv.base_url, api_key=srv.admin_key))
    with ThreadPoolExecutor(1) as pool:  # the initiator waits while the person decides
        waited = pool.submit(client.wait_for, intent_id, timeout=15)
        with page.expect_navigation():
            page.get_by_role("button", name="Approve").click()
        assert waited.result().status == "COMPLETED"
    assert "Recorded: approved" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "approval-recorded.png"))
    decided = [e for e in audit_of(api, intent_id) if e["actor"]["type"] == "human"]
    assert decided and decided[-1]["channel"] == "email" and decided[-1]["actor"]["id"] == ALICE

    # the same link again: used (409), and nothing more is recorded
    again = page.goto(link)
    assert again.status == 409
    page.screenshot(path=str(ARTIFACTS / "link-already-used.png"))
    token = link.rsplit("/", 1)[1]
    resp = httpx.post(srv.base_url + "/t", data={"token": token, "outcome": "approved"})
    assert resp.status_code == 409 and resp.headers["content-type"].startswith("text/html")
    assert len(api.events(intent_id)) == len(api.events(intent_id))
    page.close()


def test_reject_needs_a_comment(srv, mailbox, browser) -> None:
    api, intent_id = waiting_for(
        srv,
        {
            "title": "Grant prod access",
            "required_comment": True,
            "description": "Write access to prod-postgres-main for incident INC-2041.",
            "assignees": [ALICE],
            "notify": [{"channel": "email", "to": ALICE}],
        },
        {"database": "prod-postgres-main", "access": "write", "duration": "4h"},
        deadline_at=(datetime.now(UTC) + timedelta(hours=2)).isoformat(),
    )
    _, msg = mailbox.next()
    page, _ = open_page(browser, link_in(msg), "reject-page")
    assert page.get_by_label("Comment (required)").is_visible()
    with page.expect_navigation():  # formnovalidate: the server answers
        page.get_by_role("button", name="Reject").click()
    assert "Nothing was recorded" in page.locator("main").inner_text()
    assert api.intent(intent_id)["status"] == "WAITING"
    page.get_by_label("Comment (required)").fill("not during the freeze")
    with page.expect_navigation():
        page.get_by_role("button", name="Reject").click()
    assert "Recorded: rejected" in page.locator("h1").inner_text()
    intent = api.intent(intent_id)
    assert intent["status"] == "FAILED" and intent["error"]["details"]["comment"] == "not during the freeze"
    assert intent["error"]["message"] == f"rejected by {ALICE}"
    page.close()


def test_form_task_filled_in_the_browser(srv, mailbox, browser) -> None:
    schema = {
        "type": "object",
        "required": ["grant_duration_days", "scope"],
        "properties": {
            "grant_duration_days": {"type": "integer", "minimum": 1, "maximum": 30},
            "scope": {"type": "string", "enum": ["read", "write"]},
            "ticket": {"type": "string"},
            "break_glass": {"type": "boolean"},
            "ratio": {"type": "number"},
        },
    }
    api, intent_id = waiting_for(
        srv,
        {
            "title": "Grant access",
            "task_type": "form",
            "form_schema": schema,
            "assignees": [ALICE],
            "notify": [{"channel": "email", "to": ALICE}],
        },
    )
    _, msg = mailbox.next()
    page, _ = open_page(browser, link_in(msg), "form-page")
    assert_accessible_and_narrow(page)
    page.get_by_label("grant_duration_days (required)").fill("7")
    page.get_by_label("scope (required)").select_option(label="write")
    page.get_by_label("ticket", exact=True).fill("OPS-42")
    page.get_by_label("break_glass", exact=True).check()
    page.get_by_label("ratio", exact=True).fill("0.5")
    page.get_by_role("button", name="Submit").focus()  # keyboard only: a real button, Enter submits
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Recorded: submitted" in page.locator("h1").inner_text()
    done = [e for e in api.events(intent_id) if e["event_type"] == "intent.completed"]
    assert done[0]["data"]["data"] == {
        "grant_duration_days": 7,
        "scope": "write",
        "ticket": "OPS-42",
        "break_glass": True,
        "ratio": 0.5,
    }
    assert done[0]["channel"] == "email"
    page.close()


def test_links_that_do_not_decide(srv, mailbox) -> None:
    api, intent_id = waiting_for(
        srv,
        {
            "title": "Rotate keys",
            "assignees": [ALICE],
            "notify": [{"channel": "email", "to": ALICE}, {"channel": "email", "to": "watcher@example.com"}],
        },
    )
    by_rcpt = {r[0]: m for r, m in (mailbox.next(), mailbox.next())}
    watcher = link_in(by_rcpt["watcher@example.com"])
    assert "an assignee decides" in text_of(by_rcpt["watcher@example.com"], "plain")
    page = httpx.get(watcher)
    assert page.status_code == 200 and 'name="outcome"' not in page.text  # read-only
    watcher_token = watcher.rsplit("/", 1)[1]
    assert (
        httpx.post(srv.base_url + "/t", data={"token": watcher_token, "outcome": "approved"}).status_code
        == 403
    )
    token = link_in(by_rcpt[ALICE]).rsplit("/", 1)[1]
    head, mac = token.split(".")
    forged = head[:-2] + ("AA" if head[-2:] != "AA" else "BB") + "." + mac
    assert httpx.get(f"{srv.base_url}/t/{forged}").status_code == 403
    assert httpx.post(srv.base_url + "/t", data={"token": forged, "outcome": "approved"}).status_code == 403
    assert httpx.post(srv.base_url + "/t", data={"token": token, "outcome": "nonsense"}).status_code == 422
    assert api.intent(intent_id)["status"] == "WAITING"
    api.advance(8 * 86400)  # past the 7-day lifetime
    expired = httpx.get(link_in(by_rcpt[ALICE]))
    assert expired.status_code == 410 and "expired" in expired.text
    assert re.search(r"(?i)<h1>This link has expired</h1>", expired.text)
