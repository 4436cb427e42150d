"""`AsyncAxmeClient`: the asyncio twin of `AxmeClient` (same methods, awaitable).

Cancel any call with the usual asyncio cancellation; a cancelled call is never
retried and cancelling `wait_for` never cancels the intent.

Its calls are written once, in `_async/` (the blocking client's are generated from
them); this file holds what differs from the blocking client by more than `await`:
closing, `serve`, which renews a delivery's lease from a task, and `run_agent`
(`_run_agent.py`), which serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import httpx

from . import models as m
from ._agent import finish_delivery_plan, renew_lease_plan, renewal_interval
from ._async.agents import AsyncAgentCalls
from ._async.intents import AsyncIntentCalls
from ._async.tasks_admin import AsyncTaskAndAdminCalls
from ._http11_transport import Http11Transport
from ._options import reject_unknown_options
from ._run_agent import DEFAULT_GRACE_SECONDS, AgentLoop, in_daemon_thread, run_agent
from ._runners import AsyncRunner, AsyncTransport
from ._transport import Core
from .config import AxmeClientConfig

#: What AsyncAxmeClient.serve() runs per delivery: sync or async, like DeliveryHandler.
AsyncDeliveryHandler = Callable[[m.Delivery], Awaitable[Any] | Any]


@reject_unknown_options
class AsyncAxmeClient(AsyncIntentCalls, AsyncAgentCalls, AsyncTaskAndAdminCalls):
    """asyncio AXME client; use one per event loop.

    >>> async with AsyncAxmeClient(AxmeClientConfig(api_key="axme_admin_...")) as client: ...
    """

    def __init__(
        self,
        config: AxmeClientConfig | None = None,
        *,
        http_client: httpx.AsyncClient | AsyncTransport | None = None,
    ) -> None:
        self.config = config or AxmeClientConfig()
        self._core = Core(self.config)
        # _http11_transport by default: the least client CPU per call (python/README.md,
        # "Advanced"); an httpx.AsyncClient passed in keeps httpx (custom transports, respx mocks)
        self._owns_http = http_client is None
        self._runner = AsyncRunner(Http11Transport() if http_client is None else http_client)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._runner.aclose()

    async def __aenter__(self) -> AsyncAxmeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def serve(
        self,
        address: str,
        handler: AsyncDeliveryHandler,
        *,
        max_deliveries: int | None = None,
    ) -> int:
        """Run `handler` (async, or sync in a worker thread) for each delivery: its
        return value completes the step, an exception fails it. The lease is renewed
        while it runs. Returns the number handled (endless unless max_deliveries)."""
        return await AgentLoop(self, address, handler).serve(max_deliveries)

    async def run_agent(
        self,
        address: str,
        handler: AsyncDeliveryHandler,
        *,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
    ) -> int:
        """`serve` until the process gets SIGINT or SIGTERM (REQ-LISTEN-007), then take no
        further delivery, give the handler in hand `grace_seconds` to finish and send its
        result (after that it is abandoned unsent: the lease expires and the server
        redelivers), remove the signal handlers and return the number handled. Cancelling
        the task stops it the same way, and the cancellation then goes on. Signals are only
        handled in the main thread; elsewhere it serves until cancelled."""
        return await run_agent(self, address, handler, grace_seconds)

    async def _handle(self, delivery: m.Delivery, handler: AsyncDeliveryHandler) -> None:
        renewer = asyncio.create_task(self._renew_lease(delivery), name="axme-lease")
        outcome: Any = None
        error: Exception | None = None
        try:
            if inspect.iscoroutinefunction(handler):
                outcome = await handler(delivery)
            else:
                outcome = await in_daemon_thread(handler, delivery)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
        except Exception as exc:  # the handler's failure becomes the intent's error
            error = exc
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
        await self._runner.run(finish_delivery_plan(self._core, delivery, outcome, error))

    async def _renew_lease(self, delivery: m.Delivery) -> None:
        current: m.Delivery | None = delivery
        while current is not None:
            await asyncio.sleep(renewal_interval(current))
            current = await self._runner.run(renew_lease_plan(self._core, current))
