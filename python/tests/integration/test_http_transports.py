"""What every HTTP library of the async client (its default `_http11_transport`, httpx
passed in, and aiohttp, `_aiohttp_transport`) and the sync client must do alike: reuse a
connection after a stream read to its end, name the URL on a refused connection, time out
a silent server, map aiohttp's errors."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest

import axme
from axme import AsyncAxmeClient, AxmeClient, AxmeClientConfig
from axme._aiohttp_transport import AiohttpTransport, transport_error
from axme._http11_transport import Http11Transport

from ..conftest import RunningServer
from .test_intents import new_intent

pytestmark = pytest.mark.integration

KINDS = ["sync", "async-http11", "async-httpx", "async-aiohttp"]


class CountingProxy:
    """A TCP forwarder in front of the server that counts the connections made to it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()


async def call(client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    if isinstance(client, AxmeClient):
        return await asyncio.to_thread(getattr(client, method), *args, **kwargs)
    return await getattr(client, method)(*args, **kwargs)


async def events_of(client: Any, intent_id: str) -> list[Any]:
    stream = client.observe(intent_id)
    if isinstance(client, AxmeClient):
        return await asyncio.to_thread(lambda: list(stream))
    return [event async for event in stream]


def make_client(kind: str, cfg: AxmeClientConfig, closers: list[Any]) -> Any:
    if kind == "sync":
        client: Any = AxmeClient(cfg, http_client=httpx.Client())
        closers.append(client._http.close)
    else:
        made = {"async-http11": Http11Transport, "async-httpx": httpx.AsyncClient}
        http = made.get(kind, AiohttpTransport)()
        client = AsyncAxmeClient(cfg, http_client=http)  # type: ignore[arg-type]
        closers.append(http.aclose)
    return client


@pytest.fixture
async def closers() -> AsyncIterator[list[Any]]:
    made: list[Any] = []
    yield made
    for close in made:
        result = close()
        if asyncio.iscoroutine(result):
            await result


@pytest.mark.parametrize("kind", KINDS)
async def test_observe_to_the_end_leaves_its_connection_reusable(
    kind: str, server: RunningServer, namespace: tuple[str, str], closers: list[Any]
) -> None:
    proxy = CountingProxy(int(server.base_url.rsplit(":", 1)[1]))
    base_url = await proxy.start()
    try:
        client = make_client(
            kind, AxmeClientConfig(api_key=namespace[1], base_url=base_url), closers
        )
        registered = await call(client, "register_agent", f"reuse-{kind}")
        intent_id = await call(client, "send_intent", new_intent(registered.agent.address))
        await call(client, "cancel_intent", intent_id)
        events = await events_of(client, intent_id)
        assert events[-1].status == "CANCELED"
        await call(client, "get_intent", intent_id)
        # one connection for all five calls: the stream was read to the end the server
        # sends after the terminal event, so it went back to the pool
        assert proxy.connections == 1
    finally:
        await proxy.stop()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_refused_connection_names_the_url(kind: str, closers: list[Any]) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    cfg = AxmeClientConfig(
        api_key="axme_admin_x_y", base_url=base_url, max_retries=1, retry_base_seconds=0.01
    )
    client = make_client(kind, cfg, closers)
    with pytest.raises(axme.AxmeConnectionError) as info:
        await call(client, "get_intent", "i-1")
    assert not isinstance(info.value, axme.AxmeTimeoutError)
    assert f"GET {base_url}/v1/intents/i-1 failed: ConnectError" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_silent_server_times_out(kind: str, closers: list[Any]) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def never_answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    silent = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    base_url = f"http://127.0.0.1:{silent.sockets[0].getsockname()[1]}"
    cfg = AxmeClientConfig(api_key="axme_admin_x_y", base_url=base_url, max_retries=0)
    client = make_client(kind, cfg, closers)
    try:
        with pytest.raises(axme.AxmeTimeoutError, match=f"POST {base_url}/v1/intents timed out"):
            await call(client, "create_intent", new_intent("agent://x/y/z"), request_timeout=0.3)
    finally:
        for writer in accepted:
            writer.close()
        silent.close()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ServerTimeoutError("read"), httpx.ReadTimeout),
        (TimeoutError(), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("truncated chunk"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (ConnectionResetError(104, "reset"), httpx.ReadError),
    ],
)
def test_aiohttp_errors_become_the_httpx_errors_the_plans_handle(
    error: BaseException, expected: type[httpx.TransportError]
) -> None:
    mapped = transport_error(error)
    assert type(mapped) is expected
    assert str(mapped)
