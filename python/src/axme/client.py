"""`AxmeClient`: the blocking client. `AsyncAxmeClient` mirrors it method for method.

Its calls are generated: `_sync/` is written from `_async/` by
python/tools/unasync_clients.py (edit `_async/`, then `make -C python gen`). This file
holds what differs from asyncio by more than `await`: closing, `serve`, which
renews a delivery's lease from a thread while the handler runs, and `run_agent`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx

from . import models as m
from ._agent import finish_delivery_plan, renew_lease_plan, renewal_interval
from ._options import reject_unknown_options
from ._run_agent import DEFAULT_GRACE_SECONDS
from ._runners import SyncRunner
from ._sync.agents import SyncAgentCalls
from ._sync.intents import SyncIntentCalls
from ._sync.tasks_admin import SyncTaskAndAdminCalls
from ._transport import Core
from .async_client import AsyncAxmeClient
from .config import AxmeClientConfig

#: What serve() runs per delivery: returns the result ({} for None), raises to fail.
DeliveryHandler = Callable[[m.Delivery], Any]


@reject_unknown_options
class AxmeClient(SyncIntentCalls, SyncAgentCalls, SyncTaskAndAdminCalls):
    """Blocking AXME client. Thread-safe; reuse one per process.

    >>> client = AxmeClient(AxmeClientConfig(api_key="axme_admin_..."))
    """

    def __init__(
        self, config: AxmeClientConfig | None = None, *, http_client: httpx.Client | None = None
    ) -> None:
        self.config = config or AxmeClientConfig()
        self._core = Core(self.config)
        # Our own request building sets URL, headers and timeouts on every request,
        # so a caller's http_client only contributes transport settings (proxies, TLS).
        self._http = http_client or httpx.Client()
        self._owns_http = http_client is None
        self._runner = SyncRunner(self._http)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> AxmeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def serve(
        self,
        address: str,
        handler: DeliveryHandler,
        *,
        max_deliveries: int | None = None,
    ) -> int:
        """Run `handler` for each delivery: its return value completes the step, an
        exception fails it. The lease is renewed while the handler runs. Returns the
        number of deliveries handled (runs forever unless max_deliveries is set)."""
        handled = 0
        with self.listen(address) as deliveries:
            for delivery in deliveries:
                self._handle(delivery, handler)
                handled += 1
                if max_deliveries is not None and handled >= max_deliveries:
                    break
        return handled

    def run_agent(
        self,
        address: str,
        handler: DeliveryHandler,
        *,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
    ) -> int:
        """AsyncAxmeClient.run_agent for blocking code (REQ-LISTEN-007): serves until SIGINT
        or SIGTERM, gives the handler in hand `grace_seconds` to finish, returns the number
        handled. Call it from the main thread (no other thread gets signals), outside any
        event loop.

        It runs the asyncio client with this config on a loop of its own, because a blocking
        stream read cannot be woken by a signal while the loop stops it at once. The handler
        runs in a thread, as in serve(); an `http_client` given to this client is not used."""

        async def run() -> int:
            async with AsyncAxmeClient(self.config) as client:
                return await client.run_agent(address, handler, grace_seconds=grace_seconds)

        return asyncio.run(run())

    def _handle(self, delivery: m.Delivery, handler: DeliveryHandler) -> None:
        stop = threading.Event()
        renewer = threading.Thread(
            target=self._renew_lease, args=(delivery, stop), name="axme-lease", daemon=True
        )
        renewer.start()
        outcome: Any = None
        error: Exception | None = None
        try:
            outcome = handler(delivery)
        except Exception as exc:  # the handler's failure becomes the intent's error
            error = exc
        finally:
            stop.set()
            renewer.join()
        self._runner.run(finish_delivery_plan(self._core, delivery, outcome, error))

    def _renew_lease(self, delivery: m.Delivery, stop: threading.Event) -> None:
        current: m.Delivery | None = delivery
        while current is not None and not stop.wait(renewal_interval(current)):
            current = self._runner.run(renew_lease_plan(self._core, current))
