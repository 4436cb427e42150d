"""The built-in HTTP/1.1 server (httpserver.py) on raw sockets: keep-alive and
pipelining, chunked request bodies, Expect: 100-continue, HEAD, malformed
requests, an h2c upgrade offer answered in HTTP/1.1, and event streams."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from helpers import Api


class Raw:
    def __init__(self, base_url: str) -> None:
        u = urlparse(base_url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=10)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def response(self, is_head: bool = False) -> tuple[int, dict[str, str], bytes]:
        """One response (Content-Length or chunked body; none for HEAD)."""
        while b"\r\n\r\n" not in self.buf:
            assert self._fill(), "connection closed before a response head"
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        if status == 100 or is_head:
            return status, headers, b""
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buf:
                    assert self._fill()
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                size = int(size_line, 16)
                while len(self.buf) < size + 2:
                    assert self._fill()
                body, self.buf = body + self.buf[:size], self.buf[size + 2 :]
                if size == 0:
                    return status, headers, body
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            assert self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed(self) -> bool:
        return not self._fill()

    def close(self) -> None:
        self.sock.close()


def test_pipelined_requests_answer_in_order(api: Api) -> None:
    raw = Raw(api.base_url)
    raw.send(
        b"GET /health HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    assert raw.response()[0] == 200
    status, _, body = raw.response()
    assert status == 404 and b'"not_found"' in body
    status, headers, _ = raw.response()
    assert status == 200 and headers["connection"] == "close"
    assert raw.closed()


def test_http10_closes_and_head_has_no_body(api: Api) -> None:
    raw = Raw(api.base_url)
    raw.send(b"HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, _ = raw.response(is_head=True)
    assert status == 200 and int(headers["content-length"]) > 0 and raw.buf == b""
    raw.send(b"GET /health HTTP/1.0\r\n\r\n")
    status, headers, body = raw.response()
    assert status == 200 and headers["connection"] == "close" and b'"ok":true' in body
    assert raw.closed()


def test_chunked_body_and_expect_continue(api: Api) -> None:
    raw = Raw(api.base_url)
    key = api.key.encode()
    raw.send(
        b"POST /v1/agents HTTP/1.1\r\nHost: t\r\nx-api-key: "
        + key
        + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'8\r\n{"addres\r\n10\r\ns": "chunked-1"}\r\n0\r\n\r\n'
    )
    status, _, body = raw.response()
    assert status == 200, body
    payload = b'{"address": "continued"}'
    raw.send(
        b"POST /v1/agents HTTP/1.1\r\nHost: t\r\nx-api-key: "
        + key
        + b"\r\nExpect: 100-continue\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(payload)
    )
    assert raw.response()[0] == 100
    raw.send(payload)
    status, _, body = raw.response()
    assert status == 200 and b"continued" in body
    raw.close()


def test_malformed_request_is_400_and_closed(api: Api) -> None:
    raw = Raw(api.base_url)
    raw.send(b"NOT HTTP AT ALL\r\n\r\n")
    assert raw.response()[0] == 400
    assert raw.closed()


def test_h2c_upgrade_offer_is_answered_in_http11(api: Api) -> None:
    raw = Raw(api.base_url)
    raw.send(
        b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
    )
    assert raw.response()[0] == 200
    raw.send(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
    assert raw.response()[0] == 200
    raw.close()


def test_event_stream_is_chunked_and_ends(api: Api) -> None:
    addr, agent = api.register_agent("raw")
    iid = api.create(addr)
    agent.ok(agent.complete(iid, {"done": True}))
    raw = Raw(api.base_url)
    raw.send(
        f"GET /v1/intents/{iid}/events/stream HTTP/1.1\r\nHost: t\r\nx-api-key: {api.key}\r\n\r\n".encode()
    )
    status, headers, body = raw.response()
    assert status == 200 and headers["transfer-encoding"] == "chunked"
    assert body.startswith(b"retry: 2000\n\n") and b"event: intent.completed" in body
    raw.send(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")  # the connection stays usable
    assert raw.response()[0] == 200
    raw.close()


def test_uvicorn_fallback_serves_the_same_app(tmp_path) -> None:
    from helpers import event_frames, read_stream, start_server

    srv = start_server(tmp_path, "--http-server", "uvicorn")
    try:
        api = Api(srv.base_url, srv.admin_key)
        addr, agent = api.register_agent("fallback")
        iid = api.create(addr)
        agent.ok(agent.complete(iid, {"done": True}))
        events = event_frames(read_stream(api, f"/v1/intents/{iid}/events/stream"))
        assert [e["event_type"] for e in events] == ["intent.submitted", "intent.completed"]
        api.http.close()
    finally:
        assert srv.stop() == 0


def test_idle_connections_close_after_the_keepalive_timeout() -> None:
    """httpserver.serve in-process with a tiny app and a 0.3 s idle timeout."""
    import asyncio
    import threading
    import time

    from axme_server.httpserver import serve

    async def app(scope, receive, send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()
    thread = threading.Thread(
        target=lambda: loop.run_until_complete(
            serve(app, sock, stop, keepalive_timeout=0.3, on_ready=ready.set)
        )
    )
    thread.start()
    try:
        assert ready.wait(10)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        busy, idle = Raw(base), Raw(base)
        t0 = time.monotonic()
        for _ in range(4):  # requests keep `busy` alive past one timeout
            busy.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            assert busy.response()[0] == 200
            idle.sock.settimeout(0.15)
            try:
                assert idle.sock.recv(1) == b""  # closed once idle for the timeout
                break
            except TimeoutError:
                pass
        idle.sock.settimeout(5)
        assert idle.closed()
        assert time.monotonic() - t0 >= 0.25
        busy.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert busy.response()[0] == 200
        busy.sock.settimeout(5)
        assert busy.closed()  # and it closes too once idle
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
