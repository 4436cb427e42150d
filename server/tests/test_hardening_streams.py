"""Streams and cursors under hostile input (REQ-LIMIT-007, -008, -013, -015, REQ-SSE-008):
garbage cursors are 422 or ignored (never 500, never a stream that does not end), backlogs go
out a page at a time, the audit pages, and revoking a key ends its open streams."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from helpers import Api, read_stream, sse_frames
from test_http_server import Raw

GARBAGE = ["²", "٣", "1²", "99999999999999999999", "9" * 30, "9" * 5000, "-1", "1e3", " 7", "0x10"]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_query_cursors_are_422(api: Api, value: str) -> None:
    address, agent = api.register_agent("cursors")
    intent_id = api.create(address)
    for path, name in [
        ("/v1/intents", "cursor"),
        ("/v1/tasks", "cursor"),
        (f"/v1/intents/{intent_id}/events", "since"),
        (f"/v1/intents/{intent_id}/events/stream", "since"),
        (f"/v1/intents/{intent_id}/audit", "since"),
        ("/v1/intents", "limit"),
    ]:
        resp = api.get(path, params={name: value})
        assert resp.status_code == 422, (path, name, value, resp.status_code, resp.text[:200])
        assert resp.json()["error"]["details"]["field"] == name
    resp = agent.get(f"/v1/agents/{address}/intents/stream", params={"since": value})
    assert resp.status_code == 422, (value, resp.text[:200])


@pytest.mark.parametrize("value", [v for v in GARBAGE if v.strip() == v])  # (a header value is trimmed)
def test_garbage_last_event_id_is_ignored(api: Api, value: str) -> None:
    address, agent = api.register_agent("leid")
    intent_id = api.create(address)
    started = time.monotonic()
    try:
        raw = value.encode("latin-1")  # the server reads header bytes as latin-1: '²' arrives as '²'
    except UnicodeEncodeError:
        raw = value.encode()
    frames = read_stream(
        api,
        f"/v1/intents/{intent_id}/events/stream",
        params={"wait_seconds": 1},
        headers={"Last-Event-ID": raw},
    )  # type: ignore[dict-item]
    assert [f["id"] for f in frames if "id" in f] == ["1"]  # replayed from 0: the value was ignored
    assert frames[-1].get("event") == "stream.timeout"
    frames = read_stream(
        agent,
        f"/v1/agents/{address}/intents/stream",
        params={"wait_seconds": 1},
        headers={"Last-Event-ID": raw},
    )  # type: ignore[dict-item]
    assert frames[-1].get("event") == "stream.timeout"
    assert time.monotonic() - started < 10


def _progress(api: Api, agent: Api, address: str, n: int) -> str:
    intent_id = api.create(address)
    agent.poll_one(address, wait=2)
    for i in range(n):
        resp = agent.resume(intent_id, {"kind": "progress", "details": {"step": i}})
        assert resp.status_code == 200, resp.text
    return intent_id


def test_backlog_goes_out_a_page_at_a_time(api: Api) -> None:
    """450 events: the first chunk on the wire holds at most one page (200 frames), not all 451."""
    address, agent = api.register_agent("pages")
    intent_id = _progress(api, agent, address, 450)
    raw = Raw(api.base_url)
    raw.send(
        f"GET /v1/intents/{intent_id}/events/stream?wait_seconds=1 HTTP/1.1\r\nHost: t\r\n"
        f"x-api-key: {api.key}\r\n\r\n".encode()
    )
    while b"\r\n\r\n" not in raw.buf:
        assert raw._fill()
    head, raw.buf = raw.buf.split(b"\r\n\r\n", 1)
    assert b" 200 " in head.split(b"\r\n")[0] and b"chunked" in head.lower()
    chunks: list[bytes] = []
    while True:
        while b"\r\n" not in raw.buf:
            assert raw._fill()
        size_line, raw.buf = raw.buf.split(b"\r\n", 1)
        size = int(size_line, 16)
        while len(raw.buf) < size + 2:
            assert raw._fill()
        chunks.append(raw.buf[:size])
        raw.buf = raw.buf[size + 2 :]
        if size == 0:
            break
    per_chunk = [c.count(b"\nevent: intent.") for c in chunks]
    assert max(per_chunk) <= 200, per_chunk
    assert sum(per_chunk) == 452  # created, delivered, 450 progress: every one, once
    raw.close()


def test_audit_pages(api: Api) -> None:
    address, agent = api.register_agent("audit-pages")
    intent_id = _progress(api, agent, address, 30)
    page = api.ok(api.get(f"/v1/intents/{intent_id}/audit", params={"limit": 10}))
    assert [e["seq"] for e in page["audit"]] == list(range(1, 11)) and page["next_seq"] == 11
    page = api.ok(api.get(f"/v1/intents/{intent_id}/audit", params={"since": 25, "limit": 10}))
    assert [e["seq"] for e in page["audit"]] == [26, 27, 28, 29, 30, 31, 32] and page["next_seq"] == 33
    page = api.ok(api.get(f"/v1/intents/{intent_id}/audit", params={"since": 32}))
    assert page["audit"] == [] and page["next_seq"] == 33
    whole = api.ok(api.get(f"/v1/intents/{intent_id}/audit"))
    assert len(whole["audit"]) == 32  # default page 500
    assert api.get(f"/v1/intents/{intent_id}/audit", params={"limit": 1001}).status_code == 422


def test_revoking_a_key_ends_its_open_streams(api: Api) -> None:
    address, _ = api.register_agent("revoked-listener")
    made = api.ok(api.post(f"/v1/agents/{address}/keys", {}))
    key_id, agent = made["key"]["key_id"], api.with_key(made["api_key"])
    observer_key = api.ok(api.post("/v1/admin/keys", {"kind": "admin", "name": "observer"}))
    observer = api.with_key(observer_key["api_key"])
    watched = api.create(address, payload={"first": True})
    ended: dict[str, float] = {}
    frames: dict[str, list] = {"agent": [], "observer": []}
    opened = threading.Barrier(3)

    def listen(name: str, client: Api, path: str) -> None:
        with (
            httpx.Client(base_url=api.base_url, timeout=30) as http,
            http.stream("GET", path, params={"wait_seconds": 60}, headers={"x-api-key": client.key}) as resp,
        ):
            assert resp.status_code == 200
            opened.wait()
            for frame in sse_frames(resp):
                frames[name].append(frame)
        ended[name] = time.monotonic()

    threads = [
        threading.Thread(target=listen, args=("agent", agent, f"/v1/agents/{address}/intents/stream")),
        threading.Thread(target=listen, args=("observer", observer, f"/v1/intents/{watched}/events/stream")),
    ]
    for t in threads:
        t.start()
    opened.wait(timeout=10)
    time.sleep(0.3)  # let the first delivery reach the stream
    revoked_at = time.monotonic()
    api.ok(api.delete(f"/v1/admin/keys/{key_id}"))
    api.ok(api.delete(f"/v1/admin/keys/{observer_key['key']['key_id']}"))
    after = api.create(address, payload={"after_revoke": True})
    api.complete(watched)  # would be an event on the observer stream, were it still open
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a revoked key's stream stayed open"
    assert ended["agent"] - revoked_at < 2 and ended["observer"] - revoked_at < 2
    delivered = [f["data"] for f in frames["agent"] if f.get("event") == "intent.delivery"]
    assert all(after not in d for d in delivered)
    assert all('"intent.completed"' not in f.get("data", "") for f in frames["observer"])
    assert agent.get(f"/v1/agents/{address}/intents/stream").status_code == 401


def test_deleting_an_agent_ends_its_open_delivery_streams(api: Api) -> None:
    """deleteAgent revokes the agent's keys in the same commit (REQ-AUTH-015), so a stream
    its key holds ends as a revoked key's does (REQ-LIMIT-015), and no delivery is framed after."""
    address, agent = api.register_agent("deleted-listener")
    ended: list[float] = []
    frames: list[dict] = []
    opened = threading.Event()

    def listen() -> None:
        with (
            httpx.Client(base_url=api.base_url, timeout=30) as http,
            http.stream(
                "GET",
                f"/v1/agents/{address}/intents/stream",
                params={"wait_seconds": 60},
                headers={"x-api-key": agent.key},
            ) as resp,
        ):
            assert resp.status_code == 200
            opened.set()
            frames.extend(sse_frames(resp))
        ended.append(time.monotonic())

    thread = threading.Thread(target=listen)
    thread.start()
    assert opened.wait(timeout=10)
    deleted_at = time.monotonic()
    api.ok(api.delete(f"/v1/agents/{address}"))
    thread.join(timeout=10)
    assert not thread.is_alive(), "a deleted agent's delivery stream stayed open"
    assert ended[0] - deleted_at < 2
    assert not [f for f in frames if f.get("event") == "intent.delivery"]
    assert agent.get(f"/v1/agents/{address}/intents/stream").status_code == 401
