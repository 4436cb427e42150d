"""The console's sign-in, session cookie, CSRF and rights over plain HTTP against a real server
(REQ-CONSOLE-001..011); the browser flows are in test_console_browser.py."""

from __future__ import annotations

import re
import sqlite3
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import Api, ServerProc, start_server
from pg.databases import query_server_database
from test_tls import self_signed

from axme_server.console.sessions import COOKIE, hash_id
from axme_server.store.sqlite import SqliteStore

TASK = {"title": "Approve the change", "assignees": ["sre"], "required_comment": True}


def browser(server: ServerProc) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=10)


def sign_in(server: ServerProc, key: str) -> httpx.Client:
    client = browser(server)
    resp = client.post("/console/sign-in", data={"api_key": key})
    assert resp.status_code == 303 and resp.headers["location"] == "/console/intents", resp.text
    return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)


def waiting_intent(api: Api, **extra: Any) -> tuple[str, str, Api]:
    addr, agent = api.register_agent("validator")
    iid = api.create(addr, human_task=TASK, **extra)
    agent.ok(agent.complete(iid, {"checked": True}))
    return iid, addr, agent


def test_sign_in_sets_a_strict_httponly_cookie_and_stores_only_its_hash(server: ServerProc, api: Api) -> None:
    client = browser(server)
    assert client.get("/console/intents").headers["location"] == "/console/sign-in"
    page = client.get("/console/sign-in")
    assert page.status_code == 200 and 'type="password"' in page.text and "script" not in page.text
    resp = client.post("/console/sign-in", data={"api_key": api.key})
    cookie = resp.headers["set-cookie"]
    assert re.fullmatch(
        rf"{COOKIE}=[A-Za-z0-9_-]{{43}}; Max-Age=43200; Path=/console; HttpOnly; SameSite=Strict", cookie
    ), cookie
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert api.key not in cookie
    rows = query_server_database(server, "SELECT session_hash, key_id FROM console_sessions")
    assert (hash_id(session_id), api.key.split("_")[2]) in rows
    assert all(session_id not in r[0] for r in rows)
    listing = client.get("/console/intents")
    assert listing.status_code == 200 and api.key not in listing.text
    for name, value in (
        ("cache-control", "no-store"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ):
        assert listing.headers[name] == value
    assert "script-src 'self'" in listing.headers["content-security-policy"]
    assert "default-src 'none'" in listing.headers["content-security-policy"]


@pytest.mark.parametrize("key", ["", "nonsense", "axme_admin_0123456789abcdef_" + "x" * 32])
def test_a_key_the_api_refuses_gets_no_session(server: ServerProc, key: str) -> None:
    resp = browser(server).post("/console/sign-in", data={"api_key": key})
    assert resp.status_code == 401 and "set-cookie" not in resp.headers and "was refused" in resp.text


def test_v1_never_accepts_the_cookie(server: ServerProc, api: Api) -> None:
    client = sign_in(server, api.key)
    for path in ("/v1/intents", "/v1/me/tasks", "/v1/agents"):
        resp = client.get(path)
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "unauthorized", path
    assert client.post("/v1/intents", json={"intent_type": "x", "to_agent": "a"}).status_code == 401


def test_sign_out_deletes_the_session(server: ServerProc, api: Api) -> None:
    client = sign_in(server, api.key)
    old = client.cookies[COOKIE]
    html = client.get("/console/intents").text
    resp = client.post("/console/sign-out", data={"csrf": csrf_of(html)})
    assert resp.status_code == 303 and resp.headers["location"] == "/console/sign-in"
    assert "Max-Age=0" in resp.headers["set-cookie"]
    replay = browser(server)
    replay.cookies.set(COOKIE, old, path="/console")
    assert replay.get("/console/intents").headers["location"] == "/console/sign-in"
    gone = query_server_database(
        server, "SELECT 1 FROM console_sessions WHERE session_hash=?", (hash_id(old),)
    )
    assert gone == []


def test_csrf_token_missing_wrong_or_cross_origin_is_refused_and_changes_nothing(
    server: ServerProc, api: Api
) -> None:
    iid, _, _ = waiting_intent(api)
    client = sign_in(server, api.key)
    other = sign_in(server, api.key)
    theirs = csrf_of(other.get("/console/intents").text)
    mine = csrf_of(client.get(f"/console/intents/{iid}").text)
    assert theirs != mine  # one token per session
    decision = {"outcome": "approved", "comment": "ok"}
    for form, headers in (
        ({**decision}, {}),
        ({**decision, "csrf": theirs}, {}),
        ({**decision, "csrf": mine}, {"origin": "https://evil.example"}),
    ):
        resp = client.post(f"/console/intents/{iid}/decision", data=form, headers=headers)
        assert resp.status_code == 403 and "security token" in resp.text
    assert api.intent(iid)["status"] == "WAITING"
    assert client.post("/console/sign-out", data={}).status_code == 403
    assert client.get("/console/intents").status_code == 200  # still signed in
    cross = browser(server).post(
        "/console/sign-in", data={"api_key": api.key}, headers={"origin": "https://evil.example"}
    )
    assert cross.status_code == 403 and "set-cookie" not in cross.headers


def test_decision_without_script_is_recorded_with_channel_web(server: ServerProc, api: Api) -> None:
    iid, _, _ = waiting_intent(api)
    human = api.human("sre", "Sam")
    client = sign_in(server, human.key)
    page = client.get(f"/console/intents/{iid}").text
    assert 'action="/console/intents/' + iid + '/decision"' in page and "Comment (required)" in page
    refused = client.post(
        f"/console/intents/{iid}/decision", data={"csrf": csrf_of(page), "outcome": "approved"}
    )
    assert refused.status_code == 422 and "Nothing was recorded" in refused.text
    assert api.intent(iid)["status"] == "WAITING"
    done = client.post(
        f"/console/intents/{iid}/decision",
        data={"csrf": csrf_of(page), "outcome": "approved", "comment": "<b>looks fine</b>"},
    )
    assert done.status_code == 303 and done.headers["location"].startswith(f"/console/intents/{iid}")
    assert api.intent(iid)["status"] == "COMPLETED"
    entry = next(
        a for a in api.ok(api.get(f"/v1/intents/{iid}/audit"))["audit"] if a["outcome"] == "approved"
    )
    assert (
        entry["channel"] == "web"
        and entry["actor"]["id"] == "sre"
        and entry["comment"] == "<b>looks fine</b>"
    )
    shown = client.get(done.headers["location"]).text
    assert "&lt;b&gt;looks fine&lt;/b&gt;" in shown and "<b>looks fine</b>" not in shown  # autoescaped


def test_a_human_sees_only_its_tasks_and_not_another_workspace(server: ServerProc, api: Api) -> None:
    mine, _, _ = waiting_intent(api, correlation_id="corr-mine")
    other_task = dict(TASK, assignees=["someone-else"])
    addr, agent = api.register_agent("other")
    theirs = api.create(addr, human_task=other_task, correlation_id="corr-theirs")
    agent.ok(agent.complete(theirs, {}))
    elsewhere = Api(
        server.base_url, httpx.post(server.base_url + "/_testing/namespaces").json()["admin_api_key"]
    )
    foreign, _, _ = waiting_intent(elsewhere, correlation_id="corr-mine")
    client = sign_in(server, api.human("sre").key)
    listing = client.get("/console/intents").text
    assert mine[-8:] in listing and theirs[-8:] not in listing and foreign[-8:] not in listing
    assert "Intents per status" not in listing  # workspace counts are for admin keys
    inbox = client.get("/console/inbox").text
    assert mine in inbox and theirs not in inbox and foreign not in inbox
    for iid in (theirs, foreign):
        assert client.get(f"/console/intents/{iid}").status_code == 404
        assert client.get(f"/console/intents/{iid}/events", params={"wait_seconds": 1}).status_code == 404
    found = client.get("/console/intents", params={"q": "corr-mine"}).text
    assert mine[-8:] in found and foreign[-8:] not in found
    assert client.get("/console/agents").status_code == 403  # listAgents refuses human keys
    mine_only = client.get("/console/intents", params={"mine": "1"}).text
    assert mine[-8:] in mine_only and theirs[-8:] not in mine_only


def test_the_live_stream_needs_the_session(server: ServerProc, api: Api) -> None:
    iid, _, _ = waiting_intent(api)
    path = f"/console/intents/{iid}/events"
    assert browser(server).get(path).status_code == 401
    assert (
        httpx.get(server.base_url + path, headers={"x-api-key": api.key}).status_code == 401
    )  # keys are for /v1
    client = sign_in(server, api.key)
    with client.stream("GET", path, params={"since": 1, "wait_seconds": 1}) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        body = b"".join(resp.iter_bytes()).decode()
    assert "id: 2\nevent: intent.step_completed" in body and "id: 1\n" not in body


def test_admin_creates_and_revokes_an_agent_key_and_a_revoked_key_ends_its_sessions(
    server: ServerProc, api: Api
) -> None:
    addr, _ = api.register_agent("keyed")
    client = sign_in(server, api.key)
    page = client.get("/console/agents").text
    assert addr in page and "Create a key for" in page
    created = client.post("/console/agents/keys", data={"csrf": csrf_of(page), "address": addr})
    assert created.status_code == 200 and "shown only once" in created.text
    new_key = re.search(r'<code class="secret">(axme_agent_[^<]+)</code>', created.text).group(1)
    agent = api.with_key(new_key)
    assert agent.get(f"/v1/agents/{addr}/intents", params={"wait_seconds": 0}).status_code == 200
    agent_session = sign_in(server, new_key)
    assert agent_session.get("/console/intents").status_code == 200
    key_id = new_key.split("_")[2]
    revoked = client.post("/console/keys/revoke", data={"csrf": csrf_of(page), "key_id": key_id})
    assert revoked.status_code == 303
    assert agent.get(f"/v1/agents/{addr}/intents", params={"wait_seconds": 0}).status_code == 401
    assert agent_session.get("/console/intents").headers["location"] == "/console/sign-in"
    human = sign_in(server, api.human("h1").key)
    refused = human.post(
        "/console/keys/revoke", data={"csrf": csrf_of(human.get("/console/inbox").text), "key_id": key_id}
    )
    assert refused.status_code == 403


def test_the_session_expires_after_its_lifetime(tmp_path: Path) -> None:
    proc = start_server(tmp_path / "data", "--testing", "--console-session-hours", "1")
    try:
        ns = httpx.post(proc.base_url + "/_testing/namespaces").json()
        client = browser(proc)
        assert (
            "Max-Age=3600;"
            in client.post("/console/sign-in", data={"api_key": ns["admin_api_key"]}).headers["set-cookie"]
        )
        assert client.get("/console/intents").status_code == 200
        httpx.post(proc.base_url + "/_testing/clock", json={"advance_seconds": 3601})
        assert client.get("/console/intents").headers["location"] == "/console/sign-in"
        sign_in(proc, ns["admin_api_key"])  # a new sign-in deletes the expired session
        with sqlite3.connect(f"file:{proc.data_dir / 'axme.db'}?mode=ro", uri=True) as db:
            assert db.execute("SELECT count(*) FROM console_sessions").fetchone()[0] == 1
    finally:
        assert proc.stop() == 0


def test_over_tls_the_cookie_is_secure(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    proc = start_server(tmp_path / "data", "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        trust = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=proc.base_url, verify=trust, timeout=10) as client:
            resp = client.post("/console/sign-in", data={"api_key": proc.admin_key})
            assert resp.status_code == 303 and resp.headers["set-cookie"].endswith(
                "; HttpOnly; SameSite=Strict; Secure"
            )
            assert client.get("/console/intents").status_code == 200
    finally:
        assert proc.stop() == 0


@pytest.mark.parametrize("flag", ["0", "-1", "721"])
def test_bad_session_lifetime_flag_exits_2(tmp_path: Path, flag: str) -> None:
    with pytest.raises(RuntimeError, match="console-session-hours"):
        start_server(tmp_path / "d", "--console-session-hours", flag, timeout=10)


def test_console_reads_are_index_searches(tmp_path: Path) -> None:
    """Every store read a console page makes, planned by SQLite: no SCAN of intents (REQ-CONSOLE-007)."""
    store = SqliteStore(str(tmp_path / "s.db"))
    store.open()
    try:
        seen: list[str] = []
        store._read.set_trace_callback(seen.append)
        store.intents_by_correlation("ws", "corr-1", 50)
        for status in (None, "WAITING"):
            for to_agent in (None, "org/ws/a"):
                store.list_intents(
                    "ws",
                    status=status,
                    to_agent=to_agent,
                    from_agent=None,
                    involving=None,
                    limit=51,
                    cursor=None,
                )
            store.list_intents(
                "ws", status=status, to_agent=None, from_agent=None, involving="org/ws/a", limit=51, cursor=7
            )
            store.list_intents(
                "ws",
                status=status,
                to_agent=None,
                from_agent=None,
                involving=None,
                tasked_to=["sre"],
                limit=51,
                cursor=None,
            )
        store.list_tasks("ws", pending_only=True, assignees=["sre"], limit=51, cursor=None)
        store.list_tasks("ws", pending_only=True, assignees=None, limit=51, cursor=None)
        store.count_by_status("ws")
        store.get_console_session("0" * 64)
        store._read.set_trace_callback(None)
        selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) >= 12
        for sql in selects:
            plan = " | ".join(r[3] for r in store._read.execute("EXPLAIN QUERY PLAN " + sql))
            assert not re.search(r"\bSCAN (i|intents|tasks|t|console_sessions)\b", plan), (sql, plan)
        correlation = next(s for s in selects if "correlation_id" in s)
        plan = " ".join(r[3] for r in store._read.execute("EXPLAIN QUERY PLAN " + correlation))
        assert "intents_ws_correlation" in plan
    finally:
        store.close()


def test_bad_filters_and_files_are_4xx_pages(server: ServerProc, api: Api) -> None:
    client = sign_in(server, api.key)
    for params in ({"status": "DONE"}, {"cursor": "abc"}, {"cursor": "9" * 18}):
        resp = client.get("/console/intents", params=params)
        assert resp.status_code == 422 and resp.headers["content-type"].startswith("text/html"), params
        assert "validation_error" in resp.text
    assert client.get("/console/inbox", params={"cursor": "x"}).status_code == 422
    assert client.get("/console/intents/not-an-intent").status_code == 404
    css = client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/console/static/live.js").headers["content-type"].startswith("text/javascript")
    for name in ("nope.css", "..%2Fsessions.py", "routes.py"):
        assert client.get(f"/console/static/{name}").status_code == 404, name
    garbled = client.post("/console/sign-out", content=b"\xff\xfe", headers={"content-type": "text/plain"})
    assert garbled.status_code == 400 and garbled.headers["content-type"].startswith("text/html")
    assert client.get("/console/intents").status_code == 200
