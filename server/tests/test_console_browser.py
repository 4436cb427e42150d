"""The console in Debian's headless Chromium against a real server (REQ-CONSOLE-001..011):
sign in, find an intent by correlation id, watch its timeline grow while an agent works it,
decide its human step and see COMPLETED arrive without a reload, a human's own view, sign-out.
Screenshots of the list, an intent's timeline and the inbox go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import Api, ServerProc
from notify_fixtures import ARTIFACTS, launch
from playwright.sync_api import Browser, Page, expect, sync_playwright

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(
    browser: Browser, server: ServerProc, key: str, viewport: dict[str, int], *, bypass_csp: bool = False
) -> Page:
    page = browser.new_context(viewport=viewport, bypass_csp=bypass_csp).new_page()
    page.goto(server.base_url + "/console")
    expect(page).to_have_url(server.base_url + "/console/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.base_url + "/console/intents")
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script sees the session
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    return page


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def no_reload_marker(page: Page) -> None:
    page.evaluate("window.__sameDocument = true")


def still_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_console_flows_in_a_browser(chromium: Browser, server: ServerProc, api: Api) -> None:
    addr, agent = api.register_agent("infra-validator")
    other, _ = api.register_agent("invoice-checker")
    for n in range(3):
        api.create(other, correlation_id=f"filler-{n}", payload={"invoice": n})
    task = {"title": "Approve the database migration", "assignees": ["sre"], "task_type": "approval"}
    iid = api.create(
        addr,
        correlation_id="change-4711",
        human_task=task,
        payload={"change_type": "database_migration", "target": "prod-postgres-main"},
    )

    admin = sign_in(chromium, server, api.key, DESKTOP)
    expect(admin.locator(".counts")).to_contain_text("SUBMITTED")
    admin.get_by_label("Intent id or correlation id").fill("change-4711")
    admin.get_by_role("button", name="Apply").click()
    rows = admin.locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(admin).to_have_url(f"{server.base_url}/console/intents/{iid}")
    expect(admin.locator("#status")).to_have_text("SUBMITTED")
    expect(admin.locator("#live")).to_be_visible()  # the stream is open
    no_reload_marker(admin)

    delivery = agent.poll_one(addr)  # the agent works it: delivered, acknowledged, progress, its result
    agent.ok(agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": delivery["delivery_id"]}))
    agent.ok(agent.resume(iid, {"kind": "progress", "details": {"checking": "schema"}}))
    agent.ok(agent.complete(iid, {"validation": "passed"}, delivery_id=delivery["delivery_id"]))
    last = api.events(iid)[-1]
    expect(admin.locator(f"#ev-{last['seq']}")).to_contain_text("intent.human_task_assigned")
    expect(admin.locator("#status")).to_have_text("WAITING")
    expect(admin.locator("#timeline li")).to_have_count(last["seq"])
    still_same_document(admin)

    sre = sign_in(chromium, server, api.human("sre", "Sam Reyes").key, PHONE)
    foreign = Api(
        server.base_url, httpx.post(server.base_url + "/_testing/namespaces").json()["admin_api_key"]
    )
    faddr, _ = foreign.register_agent("elsewhere")
    elsewhere = foreign.create(faddr, correlation_id="change-4711")
    expect(sre.locator("tbody tr")).to_have_count(1)  # only what listIntents gives this human key
    sre.get_by_role("link", name="Inbox").click()
    expect(sre.locator(".tasks li")).to_have_count(1)
    expect(sre.locator(".tasks")).to_contain_text("Approve the database migration")
    fits(sre)
    shot(sre, "console-inbox")
    sre.goto(f"{server.base_url}/console/intents/{elsewhere}")
    expect(sre.get_by_role("heading", name="Not found")).to_be_visible()
    sre.goto(f"{server.base_url}/console/intents/{iid}")
    fits(sre)
    no_reload_marker(sre)
    sre.get_by_label("Comment (optional)").fill("Schema checked; go ahead.")
    sre.get_by_role("button", name="Approve").click()
    expect(sre.get_by_role("status")).to_contain_text("Your decision (approved) was recorded")
    expect(sre.locator("#status")).to_have_text("COMPLETED")
    expect(sre.locator("#timeline li").last).to_contain_text("intent.completed")
    still_same_document(sre)
    expect(admin.locator("#status")).to_have_text("COMPLETED")  # the other viewer sees it too, live
    still_same_document(admin)
    decided = [a for a in api.ok(api.get(f"/v1/intents/{iid}/audit"))["audit"] if a["outcome"] == "approved"]
    assert decided[0]["channel"] == "web" and decided[0]["actor"]["id"] == "sre"
    admin.reload()
    expect(admin.locator("table").last).to_contain_text("Schema checked; go ahead.")
    shot(admin, "console-timeline")
    admin.goto(server.base_url + "/console/intents")
    expect(admin.locator("tbody tr").first).to_contain_text("COMPLETED")
    shot(admin, "console-intents")

    sre.get_by_role("button", name="Sign out").click()
    expect(sre).to_have_url(server.base_url + "/console/sign-in")
    sre.goto(server.base_url + "/console/inbox")
    expect(sre).to_have_url(server.base_url + "/console/sign-in")


def test_console_pages_are_accessible_at_phone_width(chromium: Browser, server: ServerProc, api: Api) -> None:
    """axe-core (serious and critical rules) and no sideways scrolling at 390 px on every page,
    the intent page with its decision form; axe is injected, so this context bypasses the CSP."""
    addr, agent = api.register_agent("a11y-agent")
    form = {
        "type": "object",
        "required": ["ticket"],
        "properties": {
            "ticket": {"type": "string", "title": "Change ticket"},
            "risk": {"enum": ["low", "high"]},
            "window_minutes": {"type": "integer", "minimum": 5},
            "rollback_tested": {"type": "boolean"},
        },
    }
    iid = api.create(
        addr,
        human_task={"title": "Approve", "task_type": "form", "form_schema": form, "evidence_required": True},
    )
    agent.ok(agent.complete(iid, {}))
    admin = sign_in(chromium, server, api.key, PHONE, bypass_csp=True)
    for path in (
        "/console/intents",
        f"/console/intents/{iid}",
        "/console/inbox",
        "/console/agents",
        "/console/intents?q=nothing-matches",
    ):
        admin.goto(server.base_url + path)
        fits(admin)
        bad = [
            (v["id"], v["help"])
            for v in Axe().run(admin).response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert bad == [], (path, bad)
    admin.goto(f"{server.base_url}/console/intents/{iid}")  # the approval page's form, from the shared macro
    for label in (
        "Change ticket (required)",
        "risk",
        "window_minutes",
        "rollback_tested",
        "Evidence (required to approve)",
    ):
        expect(admin.get_by_label(label)).to_be_visible()
    admin.get_by_role("button", name="Sign out").click()
    bad = [
        v["id"] for v in Axe().run(admin).response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert bad == []
