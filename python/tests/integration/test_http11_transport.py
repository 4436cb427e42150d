"""The async client's default transport (`_http11_transport`) against scripted HTTP
servers on loopback: bodies of every framing, the keep-alive race, broken and slow
responses, cancellation, TLS (verified against a trust store of our own), proxies from
the environment (through aiohttp) and header injection."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from axme._http11_transport import STREAM_BUFFER, Http11Transport
from axme._transport import Timeouts, WireRequest

pytestmark = pytest.mark.integration

Handler = Callable[["Scripted", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Scripted:
    """A loopback server whose handler reads requests and writes raw response bytes."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler, self.tls = handler, tls
        self.connections = 0
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Scripted:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            self._writers.append(writer)
            with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
                await self.handler(self, reader, writer)

        self._server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=self.tls)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        for writer in self._writers:
            writer.close()
        self._server.close()

    def url(self, path: str = "/x", scheme: str = "http") -> str:
        assert self._server is not None
        return f"{scheme}://127.0.0.1:{self._server.sockets[0].getsockname()[1]}{path}"

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        request = head + (await reader.readexactly(length) if length else b"")
        self.requests.append(request)
        return request


def request(
    url: str, method: str = "GET", body: bytes | None = None, seconds: float = 5
) -> WireRequest:
    return WireRequest(method, url, {"Accept": "application/json"}, body, Timeouts.of(seconds))


@pytest.fixture
async def transport() -> AsyncIterator[Http11Transport]:
    made = Http11Transport()
    yield made
    await made.aclose()


def answering(*responses: bytes, then_close: bool = False) -> Handler:
    """Answers each request on a connection with the next response (the last repeats)."""

    async def handler(
        server: Scripted, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        index = 0
        while True:
            await server.read_request(reader)
            writer.write(responses[min(index, len(responses) - 1)])
            await writer.drain()
            index += 1
            if then_close:
                writer.close()
                return

    return handler


OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a": true}'


async def test_calls_reuse_one_connection_and_send_what_the_core_built(
    transport: Http11Transport,
) -> None:
    async with Scripted(answering(OK)) as server:
        for _ in range(5):
            response = await transport.send(request(server.url("/v1/x?q=1"), "POST", b'{"n":1}'))
            assert response.status_code == 200 and response.json() == {"a": True}
        assert server.connections == 1
        port = server.url("").rsplit(":", 1)[1]
        assert (
            server.requests[0]
            == (
                f"POST /v1/x?q=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n"
                'Content-Length: 7\r\n\r\n{"n":1}'
            ).encode()
        )
        assert response.headers["content-type"] == "application/json"  # names in lower case


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b'4\r\n{"a"\r\n7\r\n: true}\r\n0\r\n\r\n',
        b"HTTP/1.1 100 Continue\r\n\r\n" + OK,
    ],
    ids=["chunked", "after-100-continue"],
)
async def test_bodies_of_every_framing_read_whole(transport: Http11Transport, raw: bytes) -> None:
    async with Scripted(answering(raw)) as server:
        assert (await transport.send(request(server.url()))).json() == {"a": True}
        assert (await transport.send(request(server.url()))).json() == {"a": True}
        assert server.connections == 1


async def test_a_call_reads_a_body_larger_than_a_streams_buffer(
    transport: Http11Transport,
) -> None:
    body = b'"' + b"x" * (STREAM_BUFFER * 3) + b'"'
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    async with Scripted(answering(head + body)) as server:
        assert (await transport.send(request(server.url()))).content == body


async def test_a_body_read_until_the_server_closes(transport: Http11Transport) -> None:
    async with Scripted(
        answering(b'HTTP/1.1 200 OK\r\n\r\n{"a": true}', then_close=True)
    ) as server:
        assert (await transport.send(request(server.url()))).json() == {"a": True}
        assert (await transport.send(request(server.url()))).content == b'{"a": true}'
        assert server.connections == 2  # such a connection is never reused


async def test_no_content_ends_without_a_body(transport: Http11Transport) -> None:
    async with Scripted(answering(b"HTTP/1.1 204 No Content\r\n\r\n")) as server:
        response = await transport.send(request(server.url(), "DELETE"))
        assert (response.status_code, response.content) == (204, b"")
        await transport.send(request(server.url(), "DELETE"))
        assert server.connections == 1


async def test_a_kept_alive_connection_the_server_closed_is_replaced_without_an_error(
    transport: Http11Transport,
) -> None:
    async with Scripted(answering(OK)) as server:
        await transport.send(request(server.url()))
        for writer in server._writers:  # the server's keep-alive timeout ends the idle connection
            writer.close()
        await asyncio.sleep(0.05)
        assert (await transport.send(request(server.url()))).json() == {"a": True}
        assert server.connections == 2


async def test_a_request_the_server_closed_its_kept_alive_connection_on_is_sent_again(
    transport: Http11Transport,
) -> None:
    """The keep-alive race: the server ends an idle connection just as a request goes out on
    it (nothing answered); the request goes out once more on a new connection."""

    async def handler(
        server: Scripted, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            await server.read_request(reader)
            if server.connections == 1 and len(server.requests) == 2:
                writer.close()  # the second request on the first connection: no answer
                return
            writer.write(OK)

    async with Scripted(handler) as server:
        await transport.send(request(server.url()))
        assert (await transport.send(request(server.url(), "POST", b"{}"))).json() == {"a": True}
        assert server.connections == 2 and len(server.requests) == 3


async def test_a_body_cut_short_is_a_protocol_error_and_the_connection_is_dropped(
    transport: Http11Transport,
) -> None:
    cut = b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a"'
    async with Scripted(answering(cut, then_close=True)) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await transport.send(request(server.url()))


async def test_a_malformed_response_is_a_protocol_error(transport: Http11Transport) -> None:
    async with Scripted(answering(b"HTTP/1.1 abc\r\n\r\n")) as server:
        with pytest.raises(httpx.RemoteProtocolError, match="malformed"):
            await transport.send(request(server.url()))


async def test_the_attempt_deadline_and_a_cancelled_call_leave_no_half_read_connection(
    transport: Http11Transport,
) -> None:
    stalled: list[int] = []

    async def handler(
        server: Scripted, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            await server.read_request(reader)
            if len(stalled) < 2:  # the first two answers stop mid-body
                stalled.append(1)
                writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"a"')
                continue
            writer.write(OK)

    async with Scripted(handler) as server:
        with pytest.raises(httpx.ReadTimeout):
            await transport.send(request(server.url(), seconds=0.2))
        call = asyncio.ensure_future(transport.send(request(server.url())))
        await asyncio.sleep(0.05)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert (await transport.send(request(server.url()))).json() == {"a": True}
        assert server.connections == 3  # neither interrupted connection was reused


async def test_concurrent_calls_each_time_out_at_their_own_deadline(
    transport: Http11Transport,
) -> None:
    """The waits share one timer (`Deadlines`): a shorter deadline added while a longer one is
    armed still fires on time, and a deadline left when the timer fires re-arms it."""

    async def handler(
        server: Scripted, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        request = await server.read_request(reader)
        if b"/slow" in request:  # answered late, within its own deadline
            await asyncio.sleep(0.6)
            writer.write(OK)
        await asyncio.sleep(30)  # /silent: never answered

    loop = asyncio.get_running_loop()
    async with Scripted(handler) as server:

        async def timed(path: str, seconds: float) -> tuple[float, object]:
            start = loop.time()
            try:
                result: object = (
                    await transport.send(request(server.url(path), seconds=seconds))
                ).json()
            except httpx.ReadTimeout as exc:
                result = exc
            return loop.time() - start, result

        slow = asyncio.ensure_future(timed("/slow", 5))
        await asyncio.sleep(0.05)  # the 5 s deadline is armed first
        both = asyncio.gather(timed("/silent", 0.2), timed("/silent", 0.9))
        short, late = await asyncio.wait_for(both, 5)  # a deadline never re-armed: fail, not hang
        took, answer = await slow
    assert isinstance(short[1], httpx.ReadTimeout) and 0.18 <= short[0] < 0.5
    assert isinstance(late[1], httpx.ReadTimeout) and 0.88 <= late[0] < 1.3
    assert answer == {"a": True} and 0.55 <= took < 1.0


async def test_a_stream_reads_its_body_chunk_by_chunk_past_the_buffer(
    transport: Http11Transport,
) -> None:
    piece = b"x" * 65536
    count = STREAM_BUFFER // len(piece) * 3

    async def handler(
        server: Scripted, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(count):
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await server.read_request(reader)
        writer.write(OK)

    async with Scripted(handler) as server:
        response, stream = await transport.open(request(server.url()))
        assert response.status_code == 200 and stream is not None
        await asyncio.sleep(0.2)  # the server writes ahead; the reader stops at the buffer
        conn = stream._conn
        assert conn.paused and STREAM_BUFFER < conn.buffered < STREAM_BUFFER + (1 << 19)
        received = 0
        while (chunk := await stream.read()) is not None:
            received += len(chunk)
        await stream.aclose()
        assert received == count * len(piece)
        assert (await transport.send(request(server.url()))).json() == {"a": True}
        assert server.connections == 1  # read to its end: reused


async def test_a_stream_silent_for_its_read_timeout_times_out(transport: Http11Transport) -> None:
    async def handler(
        server: Scripted, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await asyncio.sleep(30)

    async with Scripted(handler) as server:
        response, stream = await transport.open(request(server.url(), seconds=0.3))
        assert stream is not None and await stream.read() == b"hello"
        with pytest.raises(httpx.ReadTimeout):
            await stream.read()
        await stream.aclose()


async def test_an_error_status_on_a_stream_comes_with_its_body(transport: Http11Transport) -> None:
    error = b'{"error":{"code":"x"}}'
    raw = b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n%s" % (len(error), error)
    async with Scripted(answering(raw)) as server:
        response, stream = await transport.open(request(server.url()))
        assert (response.status_code, response.content, stream) == (404, error, None)


async def test_a_header_with_a_line_break_is_refused_before_anything_is_sent(
    transport: Http11Transport,
) -> None:
    async with Scripted(answering(OK)) as server:
        bad = request(server.url())
        bad.headers["X-Note"] = "a\r\nX-Injected: 1"
        with pytest.raises(httpx.LocalProtocolError, match="line breaks"):
            await transport.send(bad)
        assert server.requests == []


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for 127.0.0.1 and the certificate to trust it by."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


async def test_tls_is_verified_against_the_trust_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context, cert = self_signed(tmp_path)
    async with Scripted(answering(OK), tls=context) as server:
        untrusting = Http11Transport()  # certifi's roots: our certificate is not among them
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await untrusting.send(request(server.url(scheme="https")))
        await untrusting.aclose()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # honoured as httpx honours it
        trusting = Http11Transport()
        assert (await trusting.send(request(server.url(scheme="https")))).json() == {"a": True}
        await trusting.aclose()


async def test_a_proxy_in_the_environment_is_used_and_no_proxy_bypasses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with Scripted(answering(OK)) as origin, Scripted(answering(OK)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        proxied = Http11Transport()
        await proxied.send(request(origin.url("/v1/y")))
        await proxied.aclose()
        assert proxy.requests[0].startswith(f"GET {origin.url('/v1/y')} HTTP/1.1".encode())
        assert origin.requests == []
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        direct = Http11Transport()
        await direct.send(request(origin.url("/v1/y")))
        await direct.aclose()
        assert origin.requests[0].startswith(b"GET /v1/y HTTP/1.1")
