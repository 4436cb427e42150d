"""One HTTP/1.1 request/response exchange of the built-in server (httpserver.py): the ASGI
receive/send pair, the response head, and the status lines."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from axme_server.httpserver import HttpProtocol

_REASONS = {
    100: b"Continue",
    200: b"OK",
    204: b"No Content",
    304: b"Not Modified",
    400: b"Bad Request",
    401: b"Unauthorized",
    403: b"Forbidden",
    404: b"Not Found",
    405: b"Method Not Allowed",
    408: b"Request Timeout",
    414: b"URI Too Long",
    415: b"Unsupported Media Type",
    431: b"Request Header Fields Too Large",
    409: b"Conflict",
    413: b"Content Too Large",
    422: b"Unprocessable Content",
    429: b"Too Many Requests",
    500: b"Internal Server Error",
    502: b"Bad Gateway",
    503: b"Service Unavailable",
    504: b"Gateway Timeout",
}
_STATUS_LINES: dict[int, bytes] = {}
_DISCONNECT = {"type": "http.disconnect"}


def status_line(status: int) -> bytes:
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


class Cycle:
    """One request/response exchange: the ASGI receive/send pair."""

    __slots__ = (
        "body",
        "chunked",
        "conn",
        "disconnected",
        "expect_100",
        "head",
        "headers",
        "keep_alive",
        "more_body",
        "response_complete",
        "response_started",
        "scope",
        "status",
        "streaming",
        "waiter",
    )

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
        while (
            not self.body and self.more_body is True and not self.disconnected and not self.response_complete
        ):
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
        parts = [status_line(self.status), _Date.get()]
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
