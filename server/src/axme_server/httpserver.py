"""A small HTTP/1.1 server for the ASGI app, on httptools (uvicorn stays the fallback).

Why not uvicorn: on a loopback socket each write is a syscall that runs the
peer's TCP receive path, and an approval cycle is ~20 small writes. This server
writes a JSON response's head and body in one `transport.write`, and SSE frames
as chunks, and skips the per-request middleware and header re-validation.

Supported: keep-alive and HTTP/1.0 close, pipelining (one request at a time per
connection), Content-Length and chunked request bodies (streamed to the app,
reading paused while a body chunk waits), `Expect: 100-continue`, HEAD, write
flow control, an idle keep-alive timeout, and a graceful shutdown that lets
in-flight JSON requests finish and then closes event streams."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote

import httptools

log = logging.getLogger("axme_server.httpserver")

_REASONS = {
    100: b"Continue", 200: b"OK", 204: b"No Content", 304: b"Not Modified", 400: b"Bad Request",
    401: b"Unauthorized", 403: b"Forbidden", 404: b"Not Found", 405: b"Method Not Allowed", 408: b"Request Timeout",
    409: b"Conflict", 413: b"Content Too Large", 422: b"Unprocessable Content", 429: b"Too Many Requests",
    500: b"Internal Server Error", 502: b"Bad Gateway", 503: b"Service Unavailable", 504: b"Gateway Timeout",
}
_STATUS_LINES: dict[int, bytes] = {}
_MAX_BUFFERED_BODY = 64 * 1024  # pause reading while this much request body waits for the app
_DISCONNECT = {"type": "http.disconnect"}


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = _STATUS_LINES[status] = b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b""))
    return line


class _Date:
    """The Date header, formatted once per second."""

    second = -1
    header = b""

    @classmethod
    def get(cls) -> bytes:
        now = int(time.time())
        if now != cls.second:
            cls.second = now
            cls.header = b"date: " + formatdate(now, usegmt=True).encode() + b"\r\n"
        return cls.header


class ServerState:
    def __init__(self, app: Any, keepalive_timeout: float) -> None:
        self.app = app
        self.keepalive_timeout = keepalive_timeout
        self.connections: set[HttpProtocol] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.closing = False


class Cycle:
    """One request/response exchange: the ASGI receive/send pair."""

    __slots__ = ("body", "chunked", "conn", "disconnected", "expect_100", "head", "headers", "keep_alive",
                 "more_body", "response_complete", "response_started", "scope", "status", "streaming", "waiter")

    def __init__(self, conn: HttpProtocol, scope: dict[str, Any], keep_alive: bool, expect_100: bool) -> None:
        self.conn = conn
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_100 = expect_100
        self.head = scope["method"] == "HEAD"
        self.body = bytearray()
        self.more_body: bool | None = True  # see receive()
        self.headers: list[tuple[bytes, bytes]] = []
        self.disconnected = False
        self.response_started = False
        self.response_complete = False
        self.streaming = False  # a chunked (event-stream) response is in progress
        self.chunked = False
        self.status = 0
        self.waiter: asyncio.Future[None] | None = None

    def connection_open(self) -> bool:
        """False once the peer is gone or the transport is closing: bytes written now are lost."""
        return not self.disconnected and not self.conn.transport.is_closing()

    def wake(self) -> None:
        w = self.waiter
        if w is not None and not w.done():
            w.set_result(None)

    async def _wait(self) -> None:
        self.waiter = self.conn.loop.create_future()
        try:
            await self.waiter
        finally:
            self.waiter = None

    # -- ASGI receive ------------------------------------------------------
    async def receive(self) -> dict[str, Any]:
        """The request body (more_body: True = more to come, False = all received and not yet
        handed over, None = handed over); after it, waits for the disconnect or the response's end."""
        if self.expect_100 and not self.response_started and not self.disconnected:
            self.expect_100 = False
            self.conn.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        while not self.body and self.more_body is True and not self.disconnected and not self.response_complete:
            self.conn.resume_reading()
            await self._wait()
        if self.more_body is None:
            while not self.disconnected and not self.response_complete:
                await self._wait()
            return _DISCONNECT
        if self.disconnected or self.response_complete:
            return _DISCONNECT
        body = bytes(self.body)
        self.body.clear()
        more = self.more_body is True
        if not more:
            self.more_body = None
        self.conn.resume_reading()
        return {"type": "http.request", "body": body, "more_body": more}

    # -- ASGI send -----------------------------------------------------------
    async def send(self, message: dict[str, Any]) -> None:
        conn = self.conn
        if conn.write_paused is not None and not self.disconnected:
            await conn.write_paused
        if self.disconnected or self.response_complete:
            return
        kind = message["type"]
        if not self.response_started:
            if kind != "http.response.start":
                raise RuntimeError(f"expected http.response.start, got {kind}")
            self.response_started = True
            self.status = message["status"]
            self.headers = message.get("headers", [])
            return
        if kind != "http.response.body":
            raise RuntimeError(f"expected http.response.body, got {kind}")
        body = message.get("body", b"")
        more = message.get("more_body", False)
        out: list[bytes] = []
        if not self.streaming:  # the head goes out with the first body bytes: one write
            out.append(self._head())
            self.streaming = True
        if self.head:
            pass
        elif self.chunked:
            if body:
                out += [b"%x\r\n" % len(body), body, b"\r\n"]
            if not more:
                out.append(b"0\r\n\r\n")
        elif body:
            out.append(body)
        if out:
            conn.transport.write(b"".join(out) if len(out) > 1 else out[0])
        if not more:
            self.response_complete = True
            self.wake()
            conn.response_done(self)

    def _head(self) -> bytes:
        parts = [_status_line(self.status), _Date.get()]
        has_length = False
        for name, value in self.headers:
            if name == b"content-length":
                has_length = True
            elif name == b"connection" and b"close" in value.lower():
                self.keep_alive = False
            parts += [name, b": ", value, b"\r\n"]
        if not has_length and self.status not in (204, 304):  # no length given: chunked, as uvicorn does
            self.chunked = True
            parts.append(b"transfer-encoding: chunked\r\n")
        if not self.keep_alive or self.conn.state.closing:
            self.keep_alive = False
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        return b"".join(parts)


class HttpProtocol(asyncio.Protocol):
    def __init__(self, state: ServerState, loop: asyncio.AbstractEventLoop) -> None:
        self.state = state
        self.loop = loop
        self.parser = httptools.HttpRequestParser(self)
        try:
            self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        except AttributeError:  # httptools < 0.6.3
            pass
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.server: tuple[str, int] | None = None
        self.client: tuple[str, int] | None = None
        self.cycle: Cycle | None = None  # the request being parsed
        self.active: Cycle | None = None  # the request the app is answering
        self.pipeline: deque[Cycle] = deque()
        self.write_paused: asyncio.Future[None] | None = None
        self.read_paused = False
        self.keepalive: asyncio.TimerHandle | None = None
        self.idle_since: float | None = None  # loop time the connection went idle; None while busy
        self._expect_100 = False
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []

    # -- transport callbacks -------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state.connections.add(self)
        sockname = transport.get_extra_info("sockname")
        peername = transport.get_extra_info("peername")
        self.server = tuple(sockname[:2]) if isinstance(sockname, tuple) else None  # type: ignore[assignment]
        self.client = tuple(peername[:2]) if isinstance(peername, tuple) else None  # type: ignore[assignment]
        self._arm_keepalive()

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.connections.discard(self)
        self._cancel_keepalive()
        for cycle in (self.cycle, self.active, *self.pipeline):
            if cycle is not None:
                cycle.disconnected = True
                cycle.wake()
        self.pipeline.clear()
        if self.write_paused is not None and not self.write_paused.done():
            self.write_paused.set_result(None)
        self.write_paused = None

    def pause_writing(self) -> None:
        if self.write_paused is None:
            self.write_paused = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.write_paused is not None:
            if not self.write_paused.done():
                self.write_paused.set_result(None)
            self.write_paused = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # e.g. Java's HttpClient offers h2c: answer in HTTP/1.1 (like uvicorn), the request already runs
            pass
        except httptools.HttpParserError as exc:
            self._reject(b"malformed HTTP request: " + str(exc).encode(errors="replace")[:200])

    def _reject(self, message: bytes) -> None:
        if self.active is None or not self.active.response_started:
            self.transport.write(b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                 b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(message), message))
        self.transport.close()

    # -- parser callbacks ------------------------------------------------------
    def on_message_begin(self) -> None:
        self._disarm_keepalive()
        self._url = b""
        self._headers = []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect_100 = True
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        parsed = httptools.parse_url(self._url)
        raw_path = parsed.path
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = unquote(path)
        parser = self.parser
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": parser.get_http_version(), "server": self.server, "client": self.client,
            "scheme": "http", "method": parser.get_method().decode("ascii"), "root_path": "", "path": path,
            "raw_path": raw_path, "query_string": parsed.query or b"", "headers": self._headers,
        }
        expect_100, self._expect_100 = self._expect_100, False
        cycle = Cycle(self, scope, parser.should_keep_alive() and not self.state.closing, expect_100)
        scope["extensions"] = {"axme.connection_open": cycle.connection_open}
        self.cycle = cycle
        if self.active is None:
            self._start(cycle)
        else:  # pipelined behind the current request
            self.pipeline.append(cycle)
            self.pause_reading()

    def on_body(self, body: bytes) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        cycle.body += body
        if len(cycle.body) > _MAX_BUFFERED_BODY:
            self.pause_reading()
        cycle.wake()

    def on_message_complete(self) -> None:
        cycle = self.cycle
        if cycle is not None:
            if cycle.more_body is True:
                cycle.more_body = False
            cycle.wake()
        self.cycle = None

    # -- running the app -------------------------------------------------------
    def _start(self, cycle: Cycle) -> None:
        self.active = cycle
        task = self.loop.create_task(self._run(cycle))
        self.state.tasks.add(task)
        task.add_done_callback(self.state.tasks.discard)

    async def _run(self, cycle: Cycle) -> None:
        try:
            await self.state.app(cycle.scope, cycle.receive, cycle.send)
        except BaseException as exc:
            if not isinstance(exc, asyncio.CancelledError):
                log.exception("unhandled error in the ASGI app")
            if not cycle.response_started and not cycle.disconnected:
                msg = b"Internal Server Error"
                self.transport.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\n"
                                     b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(msg), msg))
            if not cycle.disconnected:
                self.transport.close()
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        if not cycle.response_complete and not cycle.disconnected:
            log.error("the app returned without completing its response")
            self.transport.close()

    def response_done(self, cycle: Cycle) -> None:
        if self.active is cycle:
            self.active = None
        if not cycle.keep_alive:
            self.transport.close()
            return
        if self.pipeline:
            self._start(self.pipeline.popleft())
            if not self.pipeline:
                self.resume_reading()
        else:
            self.resume_reading()
            self._arm_keepalive()

    # -- flow, timeouts, shutdown ------------------------------------------------
    def pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.read_paused and not self.pipeline:
            self.read_paused = False
            self.transport.resume_reading()

    # The idle timer is armed once and re-checks when it fires, instead of a new timer per request.
    def _arm_keepalive(self) -> None:
        self.idle_since = self.loop.time()
        if self.keepalive is None:
            self.keepalive = self.loop.call_later(self.state.keepalive_timeout, self._idle_timeout)

    def _disarm_keepalive(self) -> None:
        self.idle_since = None

    def _cancel_keepalive(self) -> None:
        if self.keepalive is not None:
            self.keepalive.cancel()
            self.keepalive = None

    def _idle_timeout(self) -> None:
        self.keepalive = None
        if self.idle_since is None or self.active is not None or self.cycle is not None:
            return  # busy: the next idle moment arms it again
        remaining = self.idle_since + self.state.keepalive_timeout - self.loop.time()
        if remaining > 0:
            self.keepalive = self.loop.call_later(remaining, self._idle_timeout)
        else:
            self.transport.close()

    def busy_with_request(self) -> bool:
        """True while a plain request (not an event stream) is being answered."""
        c = self.active
        return c is not None and not c.response_complete and not c.chunked and not c.disconnected

    def shutdown(self) -> None:
        """Close now if idle; otherwise after the current response."""
        if self.active is None and self.cycle is None:
            self.transport.close()
        elif self.active is not None:
            self.active.keep_alive = False


async def serve(app: Any, sock: Any, stop: asyncio.Event, *, keepalive_timeout: float = 75.0,
                on_ready: Any = None, grace_seconds: float = 10.0) -> None:
    """Serve `app` on the bound, listening socket until `stop` is set, then shut down gracefully."""
    loop = asyncio.get_running_loop()
    state = ServerState(app, keepalive_timeout)
    server = await loop.create_server(lambda: HttpProtocol(state, loop), sock=sock, backlog=2048)
    if on_ready is not None:
        on_ready()
    try:
        await stop.wait()
    finally:
        state.closing = True
        server.close()
        for conn in list(state.connections):
            conn.shutdown()
        deadline = loop.time() + grace_seconds
        while any(c.busy_with_request() for c in state.connections) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        for conn in list(state.connections):  # event streams end here; clients resume with Last-Event-ID
            conn.transport.close()
        for task in list(state.tasks):
            task.cancel()
        if state.tasks:
            await asyncio.wait(list(state.tasks), timeout=grace_seconds)
