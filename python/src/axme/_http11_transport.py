"""HTTP/1.1 on asyncio protocols, responses parsed by httptools (llhttp): the async
client's default `AsyncTransport` (see `_runners`).

Why not aiohttp alone: measured by server/bench/transports.py and the closed-loop bench
(server/README.md, "Benchmarks"), aiohttp spends several times this module's client CPU
per call on what the SDK does not use (its cookie jar, tracing signals, URL objects,
multidict headers, a timer per read); on 2 cores that CPU comes out of the server's.
This module does only what the plans need: keep-alive connections per origin,
Content-Length / chunked / until-close bodies (llhttp decodes them), TLS with httpx's
certifi context, and the same timeout meanings as the aiohttp transport. An origin with
a proxy in the environment (`environment_proxy`, looked up once per origin) goes through
aiohttp, which speaks to proxies. Errors are the httpx exceptions the plans handle, so
retries and REQ-CLIENT-009's messages are the same code for every library.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from urllib.parse import urlsplit

import httptools
import httpx

from ._aiohttp_transport import AiohttpTransport, environment_proxy
from ._transport import WireRequest, WireResponse

#: Connections kept per origin (idle ones beyond it are closed), like httpx's default pool.
POOL_SIZE = 100
#: Bytes of a stream's body buffered unread before the socket is paused.
STREAM_BUFFER = 1 << 20


class Deadlines:
    """The read deadlines of the connections waiting for bytes, behind one loop timer armed
    for the earliest, instead of a timer handle created and cancelled per wait (it showed
    in profiles of the closed-loop bench). Deadlines mostly come later than the armed one,
    so adding one is a dict store; the timer re-arms when it fires (once per read timeout
    at most) or when an earlier deadline comes."""

    def __init__(self) -> None:
        self.waiting: dict[Connection, float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._at = float("inf")

    def add(self, conn: Connection, until: float, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:  # a client used on a new loop: the old one's timer is gone
            self._loop, self._timer, self._at = loop, None, float("inf")
            self.waiting.clear()
        self.waiting[conn] = until
        if until < self._at:
            self._arm(until)

    def remove(self, conn: Connection) -> None:
        self.waiting.pop(conn, None)

    def _arm(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        assert self._loop is not None
        self._at, self._timer = at, self._loop.call_at(at, self._fire)

    def _fire(self) -> None:
        self._timer, self._at = None, float("inf")
        assert self._loop is not None
        now = self._loop.time()
        for conn, until in list(self.waiting.items()):
            if until <= now:
                del self.waiting[conn]
                conn.expire()
        if self.waiting:
            self._arm(min(self.waiting.values()))


class Origin:
    """Where requests of one scheme://host:port go, and its idle connections."""

    def __init__(
        self, scheme: str, host: str, port: int, tls: ssl.SSLContext | None, deadlines: Deadlines
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        name = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
        self.host_header = name if port == (443 if scheme == "https" else 80) else f"{name}:{port}"
        self.idle: collections.deque[Connection] = collections.deque()
        self.deadlines = deadlines


class Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; one request at a time on it."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.error: BaseException | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.streaming = False  # a stream's reader takes the body piecewise: pause when behind
        self.paused = False
        self.head_done = False
        self.complete = False
        self.until_close = False
        self.keep_alive = False
        self.got_bytes = False
        self.waiter: asyncio.Future[None] | None = None

    # --- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed HTTP response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.head_done and self.until_close and not self.complete and exc is None:
            self.complete = True  # a body without length or chunks ends with the connection
            self._wake()
        elif not self.complete:
            why = f"{exc}" if exc else "the server closed the connection"
            self._fail(httpx.RemoteProtocolError(why) if self.got_bytes else httpx.ReadError(why))

    # --- httptools callbacks ----------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        self.headers[key] = f"{self.headers[key]}, {text}" if key in self.headers else text

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        if 100 <= self.status < 200:  # an interim response: wait for the real one
            self.headers = {}
            return
        self.head_done = True
        h = self.headers
        self.until_close = "content-length" not in h and "transfer-encoding" not in h
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.streaming and self.buffered > STREAM_BUFFER and not self.paused:
            self.paused = True
            assert self.transport is not None
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if not self.head_done:
            return
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()  # valid only inside the callback
        self._wake()

    # --- used by the transport -------------------------------------------------------

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
        if self.transport is not None:
            self.transport.close()
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def wait(self, until: float) -> None:
        """Until the parser has more (head, body or end), the connection fails, or the loop's
        clock reaches `until` (then ReadTimeout, and the connection is closed; `Deadlines`)."""
        if self.error is not None:
            raise self.error
        loop = asyncio.get_running_loop()
        self.waiter = loop.create_future()
        deadlines = self.origin.deadlines
        deadlines.add(self, until, loop)
        try:
            await self.waiter
        finally:
            deadlines.remove(self)
            self.waiter = None

    def expire(self) -> None:
        """The read deadline passed while waiting."""
        if self.waiter is not None and not self.waiter.done():
            self.close()
            self.waiter.set_exception(httpx.ReadTimeout("no data within the read timeout"))

    def take(self) -> bytes:
        data = b"".join(self.chunks) if len(self.chunks) != 1 else self.chunks[0]
        self.chunks.clear()
        self.buffered = 0
        if self.paused and not self.closed:
            self.paused = False
            assert self.transport is not None
            self.transport.resume_reading()
        return data

    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.closed

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Http11Stream:
    """The body of an open stream, chunk by chunk; `read` waits at most `silence` seconds."""

    def __init__(self, owner: Http11Transport, conn: Connection, silence: float) -> None:
        self._owner, self._conn, self._silence = owner, conn, silence
        self._done = False

    async def read(self) -> bytes | None:
        conn = self._conn
        if not conn.chunks and not conn.complete:
            until = asyncio.get_running_loop().time() + self._silence
            while not conn.chunks and not conn.complete:
                await conn.wait(until)
        if conn.chunks:
            return conn.take()
        self._done = True
        return None

    async def aclose(self) -> None:
        if self._done:
            self._owner.release(self._conn)  # read to its end: reusable
        else:
            self._conn.close()


class Http11Transport:
    """Keep-alive connections per origin; proxied origins go through aiohttp."""

    def __init__(self) -> None:
        self._origins: dict[str, Origin | None] = {}
        self._ssl: ssl.SSLContext | None = None
        self._proxied: AiohttpTransport | None = None
        self._deadlines = Deadlines()

    def _origin(self, url: str) -> tuple[Origin | None, str]:
        """(origin, request target) of an absolute URL; origin None: through a proxy."""
        scheme, _, rest = url.partition("://")
        authority, slash, path = rest.partition("/")
        target = slash + path or "/"
        key = f"{scheme}://{authority}"
        if key in self._origins:
            return self._origins[key], target
        parts = urlsplit(url)
        host = parts.hostname or ""
        origin: Origin | None = None
        if environment_proxy(scheme, host) is None:
            tls = None
            if scheme == "https":
                if self._ssl is None:
                    self._ssl = httpx.create_ssl_context()
                tls = self._ssl
            origin = Origin(scheme, host, parts.port or (443 if tls else 80), tls, self._deadlines)
        self._origins[key] = origin
        return origin, target

    async def _connect(self, origin: Origin, seconds: float) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(seconds):  # a new connection: rare next to the calls
                _, conn = await loop.create_connection(
                    lambda: Connection(origin),
                    origin.host,
                    origin.port,
                    ssl=origin.tls,
                    server_hostname=origin.host if origin.tls else None,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {origin.host_header}") from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return conn

    def _head(self, request: WireRequest, origin: Origin, target: str) -> bytes:
        lines = [f"{request.method} {target} HTTP/1.1\r\nHost: {origin.host_header}\r\n"]
        for name, value in request.headers.items():
            if "\n" in value or "\r" in value or "\n" in name or "\r" in name:
                raise httpx.LocalProtocolError(f"header {name!r}: line breaks are not allowed")
            lines.append(f"{name}: {value}\r\n")
        if request.content is not None:
            lines.append(f"Content-Length: {len(request.content)}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode("utf-8")

    async def _start(
        self, request: WireRequest, origin: Origin, target: str, until: float
    ) -> Connection:
        """Send the request and wait for the response's head (until the loop's clock reaches
        `until`); a kept-alive connection the server closed before answering (the keep-alive
        race) is retried on a new one."""
        head = self._head(request, origin, target)
        t = request.timeouts
        while True:
            while origin.idle and origin.idle[-1].closed:  # ended by the server while idle
                origin.idle.pop()
            reused = bool(origin.idle)
            if reused:
                conn = origin.idle.pop()
            else:
                now = asyncio.get_running_loop().time()
                conn = await self._connect(origin, max(0.0, min(t.connect, until - now)))
            conn._reset()
            assert conn.transport is not None
            conn.transport.write(head + request.content if request.content else head)
            try:
                while not conn.head_done:
                    await conn.wait(until)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                if reused and not conn.got_bytes:
                    continue
                raise
            except BaseException:
                conn.close()  # cancelled or timed out mid-response: not reusable
                raise
            return conn

    def release(self, conn: Connection) -> None:
        origin = conn.origin
        if conn.reusable() and len(origin.idle) < POOL_SIZE:
            origin.idle.append(conn)
        else:
            conn.close()

    async def send(self, request: WireRequest) -> WireResponse:
        origin, target = self._origin(request.url)
        if origin is None:
            return await self._through_proxy().send(request)
        until = asyncio.get_running_loop().time() + request.timeouts.read  # the whole attempt
        conn = await self._start(request, origin, target, until)
        try:
            while not conn.complete:
                await conn.wait(until)
        except BaseException:
            conn.close()
            raise
        response = WireResponse(conn.status, conn.headers, conn.take())
        self.release(conn)
        return response

    async def open(self, request: WireRequest) -> tuple[WireResponse, Http11Stream | None]:
        origin, target = self._origin(request.url)
        if origin is None:
            return await self._through_proxy().open(request)  # type: ignore[return-value]
        silence = request.timeouts.read
        until = asyncio.get_running_loop().time() + silence  # the head: like any read
        conn = await self._start(request, origin, target, until)
        conn.streaming = True
        stream = Http11Stream(self, conn, silence)
        if 200 <= conn.status < 300:
            return WireResponse(conn.status, conn.headers, b""), stream
        body = []
        while (chunk := await stream.read()) is not None:
            body.append(chunk)
        await stream.aclose()
        return WireResponse(conn.status, conn.headers, b"".join(body)), None

    def _through_proxy(self) -> AiohttpTransport:
        if self._proxied is None:
            self._proxied = AiohttpTransport()
        return self._proxied

    async def aclose(self) -> None:
        for origin in self._origins.values():
            while origin is not None and origin.idle:
                origin.idle.pop().close()
        if self._proxied is not None:
            await self._proxied.aclose()
