"""Transport hardening of the built-in server (REQ-LIMIT-001..006, REQ-ERR-001/009, REQ-LIMIT-011):
size limits, the header timeout, the connection and stream caps answer with the error envelope."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from helpers import Api, ServerProc, start_server
from test_http_server import Raw

LIMIT_FLAGS = (
    "--header-timeout",
    "1",
    "--max-connections",
    "40",
    "--max-streams-per-key",
    "3",
    "--max-streams",
    "5",
    "--keepalive-seconds",
    "0.5",
)


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> ServerProc:
    proc = start_server(tmp_path_factory.mktemp("limits"), "--testing", *LIMIT_FLAGS)
    yield proc
    assert proc.stop() == 0


def admin_of(proc: ServerProc) -> Api:
    ns = httpx.post(proc.base_url + "/_testing/namespaces").json()
    return Api(proc.base_url, ns["admin_api_key"])


def envelope_of(status: int, headers: dict[str, str], body: bytes, code: str) -> dict:
    assert headers["content-type"] == "application/json", (status, headers, body)
    assert headers.get("x-request-id")
    doc = json.loads(body)
    assert doc["ok"] is False and doc["error"]["code"] == code, doc
    return doc


def test_overlong_url_is_414_envelope(server: ServerProc) -> None:
    raw = Raw(server.base_url)
    raw.send(b"GET /health?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    status, headers, body = raw.response()
    assert status == 414
    assert envelope_of(status, headers, body, "uri_too_long")["error"]["details"] == {"limit_bytes": 8192}
    assert raw.closed()


def test_oversized_header_in_one_piece_is_431(server: ServerProc) -> None:
    raw = Raw(server.base_url)
    raw.send(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 65536 + b"\r\n\r\n")
    status, headers, body = raw.response()
    assert status == 431
    assert envelope_of(status, headers, body, "headers_too_large")["error"]["details"] == {
        "limit_bytes": 16384
    }


def test_unfinished_huge_header_is_cut_off_early(server: ServerProc) -> None:
    """The server stops buffering at the limit: it answers and closes long before 4 MiB arrive."""
    raw = Raw(server.base_url)
    raw.send(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
    sent = 0
    try:
        while sent < 4 * 1024 * 1024:
            raw.send(b"c" * 16384)
            sent += 16384
    except OSError:
        pass  # the server closed the connection: what we want
    status, headers, body = raw.response()
    assert status == 431
    envelope_of(status, headers, body, "headers_too_large")
    assert sent < 4 * 1024 * 1024


def test_bad_content_length_is_400_envelope(server: ServerProc) -> None:
    raw = Raw(server.base_url)
    raw.send(b"POST /v1/intents HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}")
    status, headers, body = raw.response()
    assert status == 400
    assert "malformed HTTP request" in envelope_of(status, headers, body, "bad_request")["error"]["message"]


def test_v1_body_must_be_json(api: Api) -> None:
    resp = api.post(
        "/v1/intents",
        content=b'{"intent_type":"intent.a.b.v1","to_agent":"x","payload":{}}',
        headers={"content-type": "text/plain"},
    )
    assert resp.status_code == 415, resp.text
    assert resp.json()["error"]["code"] == "unsupported_media_type"
    resp = api.post("/v1/intents", content=b"{}", headers={"content-type": "application/json; charset=utf-8"})
    assert resp.status_code == 422  # the media type passes; the body is checked next


def test_invalid_utf8_says_so(api: Api) -> None:
    resp = api.post(
        "/v1/intents", content=b'{"payload": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "invalid_json" and "UTF-8" in err["message"] and "surrogate" not in err["message"]


def test_trace_id_longer_than_128_is_400(api: Api) -> None:
    resp = api.get("/v1/intents", headers={"x-trace-id": "t" * 129})
    assert resp.status_code == 400
    assert resp.json()["error"]["details"] == {"field": "X-Trace-Id"}
    assert api.get("/v1/intents", headers={"x-trace-id": "t" * 128}).headers["x-trace-id"] == "t" * 128


def test_header_timeout_is_408(limited: ServerProc) -> None:
    started = time.monotonic()
    slow = Raw(limited.base_url)
    slow.send(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never finished
    status, headers, body = slow.response()
    assert status == 408
    envelope_of(status, headers, body, "request_timeout")
    assert slow.closed()
    silent = Raw(limited.base_url)  # a connection that never sends a byte is answered and closed too
    assert silent.response()[0] == 408
    assert silent.closed()
    assert time.monotonic() - started < 5


def test_connection_cap_is_503_with_retry_after(limited: ServerProc) -> None:
    u = urlparse(limited.base_url)
    held = [socket.create_connection((u.hostname, u.port), timeout=5) for _ in range(40)]
    try:
        time.sleep(0.1)  # let the server accept them all (accepting is asynchronous)
        extra = Raw(limited.base_url)
        status, headers, body = extra.response()
        assert status == 503 and headers["retry-after"] == "1"
        envelope_of(status, headers, body, "unavailable")
    finally:
        for s in held:
            s.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the slots come back
        try:
            if httpx.get(limited.base_url + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    else:
        pytest.fail("health did not come back after the held connections closed")


def test_stream_caps_are_429(limited: ServerProc) -> None:
    admin = admin_of(limited)
    address, agent = admin.register_agent("capped")
    path = f"/v1/agents/{address}/intents/stream"
    with httpx.Client(base_url=limited.base_url, timeout=10) as http:
        opened = []
        try:
            for _ in range(3):
                cm = http.stream("GET", path, params={"wait_seconds": 20}, headers={"x-api-key": agent.key})
                resp = cm.__enter__()
                assert resp.status_code == 200
                opened.append(cm)
            over = http.get(path, params={"wait_seconds": 20}, headers={"x-api-key": agent.key})
            assert over.status_code == 429, over.text
            assert over.headers["retry-after"] == "1"
            assert over.json()["error"]["code"] == "rate_limited"
            assert over.json()["error"]["details"]["limit_streams"] == 3
            # the server-wide cap (5): two more streams of another key fit, the third does not
            intent = admin.create(address)
            for _ in range(2):
                cm = http.stream(
                    "GET",
                    f"/v1/intents/{intent}/events/stream",
                    params={"wait_seconds": 20},
                    headers={"x-api-key": admin.key},
                )
                assert cm.__enter__().status_code == 200
                opened.append(cm)
            over = http.get(f"/v1/intents/{intent}/events/stream", headers={"x-api-key": admin.key})
            assert over.status_code == 429 and over.json()["error"]["details"]["limit_streams"] == 5
        finally:
            for cm in opened:
                cm.__exit__(None, None, None)
        # closed streams free their slots
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with http.stream("GET", path, params={"wait_seconds": 1}, headers={"x-api-key": agent.key}) as r:
                if r.status_code == 200:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("stream slots were not released")


def test_a_500_leaks_no_internals(tmp_path: Path) -> None:
    """REQ-ERR-009: an app that fails answers the envelope, no trace, no exception text."""
    from axme_server.httpserver import serve

    async def broken(scope, receive, send):  # type: ignore[no-untyped-def]
        raise RuntimeError("SELECT secret FROM keys -- Traceback")

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()
    thread = threading.Thread(
        target=lambda: loop.run_until_complete(
            serve(broken, sock, stop, on_ready=ready.set, grace_seconds=1)
        ),
        daemon=True,
    )
    thread.start()
    assert ready.wait(5)
    try:
        raw = Raw(f"http://127.0.0.1:{port}")
        raw.send(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = raw.response()
        assert status == 500
        doc = envelope_of(status, headers, body, "internal_error")
        assert "SELECT" not in body.decode() and "Traceback" not in body.decode()
        assert doc["error"]["retryable"] is True
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)
