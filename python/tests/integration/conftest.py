"""Run each integration test with the sync client, the async client, and the async client
on its other HTTP library (aiohttp or httpx, whichever it does not use by default),
through one adapter."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from axme import AsyncAxmeClient, AxmeClient, AxmeClientConfig
from axme._aiohttp_transport import AiohttpTransport
from axme._http11_transport import Http11Transport

from .server import RunningServer

_names = itertools.count(1)


class Api:
    """`await api.call("get_intent", id)` works the same for AxmeClient and AsyncAxmeClient."""

    def __init__(
        self, kind: str, base_url: str, admin_key: str, server: RunningServer, namespace: str
    ) -> None:
        self.kind = kind
        self.base_url = base_url
        self.admin_key = admin_key
        self.server = server
        self.namespace = namespace
        self._clients: list[AxmeClient | AsyncAxmeClient] = []
        self._transports: list[Any] = []  # passed in as http_client: closed by us
        self.admin = self.client(admin_key)

    def client(self, api_key: str, **config: Any) -> AxmeClient | AsyncAxmeClient:
        settings = {
            "api_key": api_key,
            "base_url": self.base_url,
            "retry_base_seconds": 0.05,
            **config,
        }
        cfg = AxmeClientConfig(**settings)
        made: AxmeClient | AsyncAxmeClient
        if self.kind == "sync":
            made = AxmeClient(cfg)
        elif self.kind == "async":
            made = AsyncAxmeClient(cfg)
        else:
            transport = other_async_transport()
            self._transports.append(transport)
            made = AsyncAxmeClient(cfg, http_client=transport)
        self._clients.append(made)
        return made

    async def call_on(self, client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(client, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await self.call_on(self.admin, method, *args, **kwargs)

    async def take(
        self, stream: Any, count: int | None = None, until: Callable[[Any], bool] | None = None
    ) -> list[Any]:
        """Items of a Stream/AsyncStream: `count` of them, or up to the first matching `until`."""
        items: list[Any] = []
        if hasattr(stream, "__aiter__"):
            async with stream:
                async for item in stream:
                    items.append(item)
                    if (count is not None and len(items) >= count) or (until and until(item)):
                        break
        else:
            with stream:
                for item in stream:
                    items.append(item)
                    if (count is not None and len(items) >= count) or (until and until(item)):
                        break
        return items

    async def new_agent(self, name: str | None = None) -> tuple[str, Any]:
        """Register an agent; returns (canonical address, a client with its key)."""
        registered = await self.call("register_agent", name or f"agent-{next(_names)}")
        return registered.agent.address, self.client(registered.api_key)

    def faults(self, match: dict[str, Any], action: dict[str, Any]) -> None:
        self.server.testing(
            "POST",
            "/_testing/faults",
            json={"namespace": self.namespace, "match": match, "action": action},
        )

    def requests(self) -> list[dict[str, Any]]:
        body = self.server.testing(
            "GET", "/_testing/requests", params={"namespace": self.namespace}
        )
        return list(body["requests"])

    def advance_clock(self, seconds: float) -> None:
        self.server.testing("POST", "/_testing/clock", json={"advance_seconds": seconds})

    async def close(self) -> None:
        for c in self._clients:
            if isinstance(c, AsyncAxmeClient):
                await c.aclose()
            else:
                c.close()
        for transport in self._transports:
            await transport.aclose()


def other_async_transport() -> Any:
    """An `http_client` for the async client on a library it does not use by default: aiohttp
    (the default is `Http11Transport`; proxied origins go through aiohttp too)."""
    made = AsyncAxmeClient(AxmeClientConfig(api_key="axme_admin_x", base_url="http://127.0.0.1"))
    assert isinstance(made._runner.transport, Http11Transport)
    return AiohttpTransport()


@pytest.fixture(params=["sync", "async", "async-other"])
async def api(
    request: pytest.FixtureRequest, server: RunningServer, namespace: tuple[str, str]
) -> AsyncIterator[Api]:
    adapter = Api(request.param, server.base_url, namespace[1], server, namespace[0])
    yield adapter
    await adapter.close()


def spawn(api: Api, client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking or async) client method concurrently; returns an asyncio Task."""
    import asyncio

    if isinstance(client, AsyncAxmeClient):
        return asyncio.ensure_future(api.call_on(client, method, *args, **kwargs))
    return asyncio.ensure_future(asyncio.to_thread(getattr(client, method), *args, **kwargs))
