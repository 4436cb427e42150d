"""A small HTTP/1.1 server for the ASGI app, on httptools (uvicorn stays the fallback).

Why not uvicorn: on a loopback socket each write is a syscall that runs the
peer's TCP receive path, and an approval cycle is ~20 small writes. This server
writes a JSON response's head and body in one `transport.write`, and SSE frames
as chunks, and skips the per-request middleware and header re-validation.

Supported: keep-alive and HTTP/1.0 close, pipelining (one request at a time per
connection), Content-Length and chunked request bodies (streamed to the app,
reading paused while a body chunk waits), `Expect: 100-continue`, HEAD, write
flow control, an idle keep-alive timeout, and a graceful shutdown that lets
in-flight JSON requests finish and then closes event streams.

Hostile clients (REQ-LIMIT-001..003): the request line and head are capped while they
arrive (httptools buffers a header until it ends, so the raw bytes are counted), a head
must be complete within the header timeout, and connections beyond the cap are refused;
each answer is the JSON error envelope, then the connection closes."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from typing import Any
from urllib.parse import unquote

import httptools

from axme_server.errors import envelope
from axme_server.httpcycle import Cycle, status_line
from axme_server.jsonutil import dumps
from axme_server.limits import DEFAULT, Limits

log = logging.getLogger("axme_server.httpserver")

_MAX_BUFFERED_BODY = 64 * 1024  # pause reading while this much request body waits for the app


_refusals = itertools.count(1)  # request ids of answers given without the app


class _Refused(Exception):
    """Raised from a parser callback to stop parsing once the request was answered with an error."""


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, extra: bytes = b""
) -> bytes:
    """A complete `connection: close` response with the error envelope (no app involved)."""
    body = dumps(envelope(code, message, details, status))
    return b"".join(
        [
            status_line(status),
            b"content-type: application/json\r\nconnection: close\r\n",
            b"x-request-id: refused-%d\r\n" % next(_refusals),
            extra,
            b"content-length: %d\r\n\r\n" % len(body),
            body,
        ]
    )


class ServerState:
    def __init__(self, app: Any, keepalive_timeout: float, limits: Limits = DEFAULT) -> None:
        self.app = app
        self.keepalive_timeout = keepalive_timeout
        self.limits = limits
        self.scheme = "http"
        self.connections: set[HttpProtocol] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.closing = False


class HttpProtocol(asyncio.Protocol):
    head_bytes_seen = 0  # header bytes of the current head as parsed (URL excluded)

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
        self.head_bytes = 0  # raw bytes received for the request head being read
        self.head_since: float | None = None  # loop time the head began (None: not reading one)
        self.head_timer: asyncio.TimerHandle | None = None
        self.refused = False

    # -- transport callbacks -------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state.connections.add(self)
        sockname = transport.get_extra_info("sockname")
        peername = transport.get_extra_info("peername")
        self.server = tuple(sockname[:2]) if isinstance(sockname, tuple) else None
        self.client = tuple(peername[:2]) if isinstance(peername, tuple) else None
        if len(self.state.connections) > self.state.limits.max_connections:  # REQ-LIMIT-003
            self._refuse(
                503,
                "unavailable",
                "too many open connections; retry shortly",
                {"limit_connections": self.state.limits.max_connections},
                b"retry-after: 1\r\n",
            )
            return
        self._start_head()  # the first head is due within the header timeout,
        self._arm_keepalive()  # and a connection that sends nothing closes when idle too

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.connections.discard(self)
        self._cancel_keepalive()
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
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
        if self.refused:
            return
        if self.head_since is None and self.cycle is None:
            self._start_head()  # the first byte of a head on a kept-alive connection
        if self.head_since is not None:
            self.head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # e.g. Java's HttpClient offers h2c: answer in HTTP/1.1 (like uvicorn), the request already runs
            pass
        except _Refused:
            return
        except httptools.HttpParserError as exc:
            if self.refused or isinstance(exc.__context__, _Refused):
                return
            self._refuse(400, "bad_request", "malformed HTTP request: " + str(exc)[:200])
            return
        if self.head_since is not None and self.head_bytes > self.state.limits.max_header_bytes:
            self._head_too_large()  # a head still arriving past the limit: stop buffering it

    def _refuse(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None, extra: bytes = b""
    ) -> None:
        """Answer with the error envelope (unless a response is already under way) and close."""
        self.refused = True
        if self.active is None or not self.active.response_started:
            self.transport.write(error_response(status, code, message, details, extra))
        self.transport.close()

    def _head_too_large(self) -> None:
        limit = self.state.limits.max_header_bytes
        self._refuse(431, "headers_too_large", f"request head exceeds {limit} bytes", {"limit_bytes": limit})
        raise _Refused

    # -- the header timeout (REQ-LIMIT-002): one timer that re-checks when it fires ----------
    def _start_head(self) -> None:
        self.head_since = self.loop.time()
        self.head_bytes = 0
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.state.limits.header_timeout, self._head_timeout)

    def _head_timeout(self) -> None:
        self.head_timer = None
        if self.head_since is None or self.refused:
            return
        remaining = self.head_since + self.state.limits.header_timeout - self.loop.time()
        if remaining > 0:
            self.head_timer = self.loop.call_later(remaining, self._head_timeout)
        else:
            self._refuse(
                408,
                "request_timeout",
                f"request head not received within {self.state.limits.header_timeout:g} seconds",
            )

    # -- parser callbacks ------------------------------------------------------
    def on_message_begin(self) -> None:
        self._disarm_keepalive()
        self._url = b""
        self._headers = []
        self.head_bytes_seen = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self.state.limits.max_url_bytes:
            limit = self.state.limits.max_url_bytes
            self._refuse(414, "uri_too_long", f"request target exceeds {limit} bytes", {"limit_bytes": limit})
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_bytes_seen += len(name) + len(value) + 4
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect_100 = True
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.head_since = None  # the head is in: the header timeout is over
        if self.head_bytes_seen + len(self._url) > self.state.limits.max_header_bytes:
            self._head_too_large()  # a whole oversized head arrived in one read
        parsed = httptools.parse_url(self._url)
        raw_path = parsed.path
        path = raw_path.decode("latin-1")
        if "%" in path:
            path = unquote(path)
        parser = self.parser
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": parser.get_http_version(),
            "server": self.server,
            "client": self.client,
            "scheme": self.state.scheme,
            "method": parser.get_method().decode("ascii"),
            "root_path": "",
            "path": path,
            "raw_path": raw_path,
            "query_string": parsed.query or b"",
            "headers": self._headers,
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
            if not cycle.response_started and not cycle.disconnected:  # no internals in it (REQ-ERR-009)
                self.transport.write(error_response(500, "internal_error", "internal server error"))
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


async def serve(
    app: Any,
    sock: Any,
    stop: asyncio.Event,
    *,
    keepalive_timeout: float = 75.0,
    on_ready: Any = None,
    grace_seconds: float = 10.0,
    limits: Limits = DEFAULT,
    ssl: Any = None,
) -> None:
    """Serve `app` on the bound, listening socket until `stop` is set, then shut down gracefully.
    `ssl` (an ssl.SSLContext) serves HTTPS."""
    loop = asyncio.get_running_loop()
    state = ServerState(app, keepalive_timeout, limits)
    state.scheme = "https" if ssl is not None else "http"
    tls = (
        {} if ssl is None else {"ssl": ssl, "ssl_handshake_timeout": limits.header_timeout}
    )  # slow handshakes too
    server = await loop.create_server(lambda: HttpProtocol(state, loop), sock=sock, backlog=2048, **tls)
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
