"""aiohttp as an `AsyncTransport` of the async client (see `_runners`): what the default
transport (`_http11_transport`) sends an origin behind a proxy through, and what a caller
may pass as `http_client=AiohttpTransport()`.

Measured in the closed-loop bench (server/README.md, "Benchmarks"), httpx costs
~1.1-1.3 ms of client CPU per request at a few requests in flight (httpcore's pool
re-checks every connection on each request), aiohttp ~0.4-0.5 ms. The plans stay as they
are: they build `WireRequest`s and read responses; this module moves the bytes with
aiohttp, answers `WireResponse`s, and maps aiohttp's errors to the httpx exceptions
the plans already handle (so retries, timeouts and the connection error naming the URL,
REQ-CLIENT-009, are the same code for either library).

Wire behaviour matches httpx's (URL, headers and body come from the core): certifi CA
bundle (httpx.create_ssl_context), HTTP(S)_PROXY / ALL_PROXY / NO_PROXY from the
environment, looked up once per origin (aiohttp's own trust_env looks them and ~/.netrc
up in a worker thread on every request: two thread hops a call; httpx reads no netrc
either), no Accept-Encoding (nothing is compressed), no redirects followed. The session
is made on first use, inside the running event loop.
"""

from __future__ import annotations

import ssl
import urllib.request

import aiohttp
import httpx
from yarl import URL

from ._transport import Timeouts, WireRequest, WireResponse

#: Connections kept per client, like httpx's default pool.
POOL_SIZE = 100

#: What aiohttp raises when the IO fails (asyncio's TimeoutError is an OSError on 3.11+).
IO_ERRORS = (aiohttp.ClientError, OSError)


class AiohttpStream:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self._ended = False

    async def read(self) -> bytes | None:
        try:
            chunk = await self._response.content.readany()
        except IO_ERRORS as exc:
            raise transport_error(exc) from exc
        if not chunk:
            self._ended = True
            return None
        return chunk

    async def aclose(self) -> None:
        if self._ended:
            self._response.release()  # the whole body was read: the connection is reusable
        else:
            self._response.close()


class AiohttpTransport:
    """One aiohttp session (connection pool) per client; timeouts from each request."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Timeouts, bool], aiohttp.ClientTimeout] = {}
        self._origins: dict[str, tuple[str | None, ssl.SSLContext | bool]] = {}
        self._ssl: ssl.SSLContext | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=POOL_SIZE),
                trust_env=False,  # proxies: see _origin
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    def _timeout(self, t: Timeouts, stream: bool) -> aiohttp.ClientTimeout:
        """A stream: `read` is the longest silence (sock_read). A plain call: `read` bounds the
        whole attempt (total), which is what the SDK documents for `timeout`, and spares
        aiohttp re-arming a timer on every chunk received."""
        timeout = self._timeouts.get((t, stream))
        if timeout is None:
            if stream:
                timeout = aiohttp.ClientTimeout(
                    total=None, connect=t.pool, sock_connect=t.connect, sock_read=t.read
                )
            else:
                timeout = aiohttp.ClientTimeout(
                    total=t.read, connect=t.pool, sock_connect=t.connect
                )
            if len(self._timeouts) < 64:  # a few distinct values in practice
                self._timeouts[(t, stream)] = timeout
        return timeout

    def _origin(self, url: URL) -> tuple[str | None, ssl.SSLContext | bool]:
        """(proxy, TLS setting) of a URL's origin, worked out once per origin: the environment's
        proxy as httpx's trust_env picks it, and for https the certifi context httpx uses."""
        origin = f"{url.scheme}://{url.raw_authority}"
        known = self._origins.get(origin)
        if known is None:
            tls: ssl.SSLContext | bool = True
            if url.scheme == "https":
                if self._ssl is None:
                    self._ssl = httpx.create_ssl_context()
                tls = self._ssl
            known = self._origins[origin] = (environment_proxy(url.scheme, url.host or ""), tls)
        return known

    async def _start(self, request: WireRequest, stream: bool = False) -> aiohttp.ClientResponse:
        url = URL(request.url, encoded=True)
        proxy, tls = self._origin(url)
        try:
            return await self._get_session().request(
                request.method,
                url,
                headers=request.headers,
                data=request.content,
                timeout=self._timeout(request.timeouts, stream),
                allow_redirects=False,
                proxy=proxy,
                ssl=tls,
            )
        except IO_ERRORS as exc:
            raise transport_error(exc) from exc

    @staticmethod
    def _response(response: aiohttp.ClientResponse, body: bytes) -> WireResponse:
        headers: dict[str, str] = {}
        for name, value in response.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return WireResponse(response.status, headers, body)

    async def send(self, request: WireRequest) -> WireResponse:
        response = await self._start(request)
        try:
            body = await response.read()
        except IO_ERRORS as exc:
            raise transport_error(exc) from exc
        finally:  # read to the end: back to the pool; failed or cancelled: closed
            response.release()
        return self._response(response, body)

    async def open(self, request: WireRequest) -> tuple[WireResponse, AiohttpStream | None]:
        response = await self._start(request, stream=True)
        if 200 <= response.status < 300:
            return self._response(response, b""), AiohttpStream(response)
        try:
            body = await response.read()
        except IO_ERRORS as exc:
            raise transport_error(exc) from exc
        finally:
            response.close()
        return self._response(response, body), None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def environment_proxy(scheme: str, host: str) -> str | None:
    """The proxy HTTP(S)_PROXY / ALL_PROXY name for `scheme`, unless NO_PROXY exempts `host`."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy


def transport_error(exc: BaseException) -> httpx.TransportError:
    """The httpx exception the plans handle for an aiohttp IO failure (its type names the
    kind of failure in AxmeConnectionError messages, as with httpx)."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(detail)
    if isinstance(exc, aiohttp.ServerTimeoutError):  # sock_read: no bytes for `read` seconds
        return httpx.ReadTimeout(detail)
    if isinstance(exc, TimeoutError):  # a plain call's whole-attempt deadline (`total`)
        return httpx.ReadTimeout(detail)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(detail)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(detail)
    return httpx.ReadError(detail)
