"""Contract checks: what the console shows and does (REQ-CONSOLE-006..011): the API's
rights, the intents list, one intent with its live stream, deciding, inbox and agents,
and the headers and markup a browser can trust. SKIP on a server without a console."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

import httpx

from axme_conformance.contract.checks_access import new_human_key
from axme_conformance.contract.client import ContractClient, expect, parse_frames
from axme_conformance.contract.console import ConsoleBrowser, console_or_skip, signed_in
from axme_conformance.contract.registry import check

HOSTILE = "<script>alert('x')</script>"


def _href(intent_id: str) -> str:
    return f'href="/console/intents/{intent_id}"'


def _waiting_for_human(c: ContractClient, human_task: dict[str, Any]) -> str:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task=human_task)
    c.complete_agent_step(address, key, intent_id, {"validated": True})
    return intent_id


@check("console/same-rights-as-the-api", requirements=["REQ-CONSOLE-006"])
def same_rights(c: ContractClient) -> None:
    console_or_skip(c)
    mine, my_key = c.new_agent()
    other, _ = c.new_agent()
    readable, hidden = c.new_intent(mine), c.new_intent(other)
    browser = signed_in(c, my_key)
    for intent_id in (readable, hidden):
        api = c.request("GET", f"/v1/intents/{intent_id}", key=my_key).status_code
        page = browser.get(f"/console/intents/{intent_id}").status_code
        expect(page == api, f"console page {page} where getIntent answers {api} for the same key")
    expect(
        c.request("GET", f"/v1/intents/{hidden}", key=my_key).status_code == 404, "hidden is hidden"
    )
    listed = browser.get("/console/intents").text
    expect(
        _href(readable) in listed and _href(hidden) not in listed,
        "the console lists exactly what listIntents returns to the key",
    )
    stream = browser.get(f"/console/intents/{hidden}/events")
    expect(stream.status_code == 404, f"the stream of an unreadable intent: {stream.status_code}")


@check("console/intents-list-newest-first-filters-and-search", requirements=["REQ-CONSOLE-007"])
def intents_list(c: ContractClient) -> None:
    console_or_skip(c)
    address, _ = c.new_agent()
    older_cid, newer_cid = c.unique("cid-old"), c.unique("cid-new")
    older = c.new_intent(address, correlation_id=older_cid)
    newer = c.new_intent(address, correlation_id=newer_cid)
    browser = signed_in(c)
    page = browser.get("/console/intents", agent=address).text
    expect(_href(older) in page and _href(newer) in page, "the agent filter lists both intents")
    expect(page.index(_href(newer)) < page.index(_href(older)), "newest first")
    for q, found, absent in ((newer_cid, newer, older), (older, older, newer)):
        page = browser.get("/console/intents", q=q).text
        expect(
            _href(found) in page and _href(absent) not in page, f"search q={q} finds only {found}"
        )
    c.ok(c.request("POST", f"/v1/intents/{older}/resolve", body={"status": "CANCELED"}))
    page = browser.get("/console/intents", agent=address, status="CANCELED").text
    expect(_href(older) in page and _href(newer) not in page, "the status filter")
    page = browser.get("/console/intents", agent=address, type="intent.contract.check.v1").text
    expect(_href(older) in page and _href(newer) in page, "the type filter")


def _console_stream(browser: ConsoleBrowser, intent_id: str, last_event_id: str | None) -> str:
    assert browser.cookie is not None
    headers = {
        "cookie": f"{browser.cookie.name}={browser.cookie.value}",
        "accept": "text/event-stream",
    }
    if last_event_id is not None:
        headers["last-event-id"] = last_event_id
    http = browser.c.http
    chunks: list[str] = []
    deadline = time.monotonic() + 5
    try:
        with http.stream(
            "GET",
            f"/console/intents/{intent_id}/events",
            headers=headers,
            params={"wait_seconds": 2},
            timeout=httpx.Timeout(5),
        ) as response:
            expect(response.status_code == 200, f"the console stream: {response.status_code}")
            for chunk in response.iter_text():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    break
    finally:
        http.cookies.clear()
    return "".join(chunks)


@check("console/intent-page-and-live-stream", requirements=["REQ-CONSOLE-008"])
def intent_page(c: ContractClient) -> None:
    console_or_skip(c)
    address, key = c.new_agent()
    intent_id = c.new_intent(address, payload={"ticket": "T-4711"})
    c.complete_agent_step(address, key, intent_id, {"answer": "R-42"})
    events = c.events(intent_id)
    browser = signed_in(c)
    page = browser.get(f"/console/intents/{intent_id}")
    expect(page.status_code == 200, f"the intent page: {page.status_code}")
    for shown in ("T-4711", "R-42", *(e["event_type"] for e in events)):
        expect(shown in page.text, f"the intent page must show {shown!r}")
    frames = [f for f in parse_frames(_console_stream(browser, intent_id, None)) if "id" in f]
    expect(
        [f["id"] for f in frames] == [str(e["seq"]) for e in events],
        f"the console stream frames every event: {[f['id'] for f in frames]}",
    )
    resumed = [f for f in parse_frames(_console_stream(browser, intent_id, "1")) if "id" in f]
    expect(
        [f["id"] for f in resumed] == [str(e["seq"]) for e in events[1:]],
        f"Last-Event-ID: 1 resumes after seq 1: {[f['id'] for f in resumed]}",
    )


@check("console/decide-from-the-console", requirements=["REQ-CONSOLE-009"])
def decide(c: ContractClient) -> None:
    console_or_skip(c)
    intent_id = _waiting_for_human(
        c, {"title": "Ship?", "task_type": "approval", "required_comment": True}
    )
    browser = signed_in(c)
    path = f"/console/intents/{intent_id}"
    page = browser.get(path).text
    expect(f'action="{path}/decision"' in page, "the intent page offers the decision form")
    token = browser.csrf(path)
    refused = browser.post(
        f"{path}/decision", {"csrf": token, "outcome": "approved"}, origin=c.base_url
    )
    expect(
        refused.status_code == 422 and "comment" in refused.text.lower(),
        f"a decision the task refuses: 422 with the reason: {refused.status_code}",
    )
    expect(c.intent(intent_id)["status"] == "WAITING", "a refused decision records nothing")
    done = browser.post(
        f"{path}/decision",
        {"csrf": token, "outcome": "approved", "comment": "ok"},
        origin=c.base_url,
    )
    expect(
        done.status_code == 303 and done.headers.get("location", "").startswith(path),
        f"a decision answers 303 back to the intent: {done.status_code} "
        f"{done.headers.get('location')}",
    )
    expect(c.intent(intent_id)["status"] == "COMPLETED", "the decision was recorded")
    audit = c.ok(c.request("GET", f"/v1/intents/{intent_id}/audit"))["audit"]
    last = audit[-1]
    expect(last.get("channel") == "web", f"a console decision has channel web: {last}")


@check("console/inbox-and-agents", requirements=["REQ-CONSOLE-010"])
def inbox_and_agents(c: ContractClient) -> None:
    console_or_skip(c)
    human_id = c.unique("reviewer")
    _, human_key = new_human_key(c, human_id)
    assigned = _waiting_for_human(c, {"title": "Review", "assignees": [human_id]})
    other = _waiting_for_human(c, {"title": "Not yours", "assignees": [c.unique("someone")]})
    inbox = signed_in(c, human_key).get("/console/inbox").text
    expect(
        _href(assigned) in inbox and _href(other) not in inbox,
        "the inbox holds the key's own tasks",
    )
    address, _ = c.new_agent()
    admin = signed_in(c)
    agents = admin.get("/console/agents").text
    expect(address in agents, "the agents page lists the workspace's agents")
    keys_path = f"/v1/agents/{quote(address, safe='')}/keys"
    before = {k["key_id"] for k in c.ok(c.request("GET", keys_path))["keys"]}
    token = admin.csrf("/console/agents")
    created = admin.post(
        "/console/agents/keys", {"csrf": token, "address": address}, origin=c.base_url
    )
    expect(
        created.status_code == 200
        and re.search(r"axme_agent_[a-z0-9]+_\S+", created.text) is not None,
        f"creating a key shows it once: {created.status_code}",
    )
    new = {k["key_id"] for k in c.ok(c.request("GET", keys_path))["keys"]} - before
    expect(len(new) == 1, f"one new key: {new}")
    key_id = new.pop()
    expect(
        re.search(r"axme_agent_[a-z0-9]+_\S+", admin.get("/console/agents").text) is None,
        "a key is shown only once",
    )
    revoked = admin.post(
        "/console/keys/revoke", {"csrf": token, "key_id": key_id}, origin=c.base_url
    )
    expect(revoked.status_code == 303, f"revoking answers 303: {revoked.status_code}")
    keys = {k["key_id"]: k for k in c.ok(c.request("GET", keys_path))["keys"]}
    expect(bool(keys[key_id].get("revoked_at")), f"the key is revoked: {keys[key_id]}")


def _csp_sources(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@check("console/pages-a-browser-can-trust", requirements=["REQ-CONSOLE-011"])
def trusted_pages(c: ContractClient) -> None:
    console_or_skip(c)
    address, _ = c.new_agent()
    intent_id = c.new_intent(address, payload={"note": HOSTILE}, correlation_id=HOSTILE)
    browser = signed_in(c)
    pages = {
        path: browser.get(path)
        for path in (
            "/console/intents",
            f"/console/intents/{intent_id}",
            "/console/inbox",
            "/console/agents",
        )
    }
    pages["/console/sign-in"] = ConsoleBrowser(c).get("/console/sign-in")
    for path, page in pages.items():
        expect(page.status_code == 200, f"{path}: {page.status_code}")
        h = page.headers
        expect("no-store" in h.get("cache-control", ""), f"{path}: Cache-Control no-store")
        expect(h.get("referrer-policy") == "same-origin", f"{path}: Referrer-Policy same-origin")
        expect(h.get("x-frame-options", "").upper() == "DENY", f"{path}: X-Frame-Options DENY")
        csp = _csp_sources(h.get("content-security-policy", ""))
        for directive in ("script-src", "style-src", "connect-src"):
            sources = csp.get(directive, csp.get("default-src"))
            expect(
                sources is not None
                and all(
                    s in ("'self'", "'none'") or s.startswith(("'nonce-", "'sha")) for s in sources
                ),
                f"{path}: CSP {directive} must allow only the server itself: {sources}",
            )
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', page.text):
            expect(
                not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)
                or url.startswith(c.base_url),
                f"{path} loads or links {url!r} from another host",
            )
        expect(HOSTILE not in page.text, f"{path} shows intent text as markup")
        expect('name="viewport"' in page.text, f"{path}: no viewport meta (390 px wide screens)")
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page.text):
            if re.search(r'type="(?:hidden|submit)"', control):
                continue
            ident = re.search(r'id="([^"]+)"', control)
            labelled = "aria-label" in control or (
                ident is not None and f'for="{ident.group(1)}"' in page.text
            )
            expect(labelled, f"{path}: a control without a label: {control}")
    expect(
        "&lt;script&gt;" in pages[f"/console/intents/{intent_id}"].text,
        "the intent page shows the payload's markup as text",
    )
