"""`run_agent`: serve an address until SIGINT or SIGTERM, then stop the way REQ-LISTEN-007 asks.

On the stop no further delivery is taken; the handler in hand may finish, and its result or
error is sent, for up to `grace_seconds`; after that it is abandoned as a crash would be
(REQ-LISTEN-004: nothing is sent, the lease expires and the server redelivers). Then the
signal handlers are removed and run_agent returns the number of deliveries handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import math
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ._sse import AsyncStream
from .models import Delivery

if TYPE_CHECKING:
    from .async_client import AsyncAxmeClient, AsyncDeliveryHandler

logger = logging.getLogger("axme")

#: How long the handler in hand may go on after the stop, by default (REQ-LISTEN-007).
DEFAULT_GRACE_SECONDS = 10.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

T = TypeVar("T")


async def run_agent(
    client: AsyncAxmeClient, address: str, handler: AsyncDeliveryHandler, grace_seconds: float
) -> int:
    if not (math.isfinite(grace_seconds) and grace_seconds >= 0):
        raise ValueError(f"grace_seconds must be a finite number >= 0 (got {grace_seconds!r})")
    agent = AgentLoop(client, address, handler)
    stop = asyncio.Event()
    # The serving runs in a task of its own, so that our own cancellation can still give
    # the handler in hand its grace instead of cutting it off.
    serving = asyncio.create_task(agent.serve(), name=f"axme-run-agent {address}")
    with _stop_on_signals(stop.set, address):
        try:
            await _until_stopped(serving, stop)
        except asyncio.CancelledError:
            await agent.drain(serving, grace_seconds)
            raise  # the caller's cancellation goes on, as asyncio requires
        if serving.done():  # serving ended by itself: listen stopped on 401/403/404
            return serving.result()
        await agent.drain(serving, grace_seconds)
    return agent.handled


async def _until_stopped(serving: asyncio.Task[int], stop: asyncio.Event) -> None:
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()


class AgentLoop:
    """One address served: listen, handle each delivery in turn (serve and run_agent)."""

    def __init__(
        self, client: AsyncAxmeClient, address: str, handler: AsyncDeliveryHandler
    ) -> None:
        self.client, self.address, self.handler = client, address, handler
        self.handled = 0
        self.stopping = False
        self.in_hand: Delivery | None = None
        self.deliveries: AsyncStream[Delivery] | None = None

    async def serve(self, max_deliveries: int | None = None) -> int:
        async with self.client.listen(self.address) as deliveries:
            self.deliveries = deliveries
            async for delivery in deliveries:
                self.in_hand = delivery
                try:
                    await self.client._handle(delivery, self.handler)
                finally:
                    self.in_hand = None
                self.handled += 1
                if self.stopping or (max_deliveries is not None and self.handled >= max_deliveries):
                    break
        return self.handled

    async def drain(self, serving: asyncio.Task[int], grace_seconds: float) -> None:
        """Take no further delivery; give the one in hand `grace_seconds` to finish and send."""
        self.stopping = True
        in_hand = self.in_hand
        try:
            if in_hand is None:
                logger.info("stopping: no delivery in hand")
            else:
                logger.info(
                    "stopping: the handler of intent %s has %.1f s to finish",
                    in_hand.intent_id,
                    grace_seconds,
                )
                # Close the stream now (it waits at its `yield` while the handler runs), so the
                # server hands any lease it is about to grant to another consumer instead of
                # leaving it to expire (REQ-DELIVERY-016).
                if self.deliveries is not None:
                    await self.deliveries.aclose()
                await asyncio.wait({serving}, timeout=grace_seconds)
                if not serving.done():
                    logger.warning(
                        "the handler of intent %s did not finish within %.1f s: abandoned "
                        "without a result (the lease expires and the server redelivers)",
                        in_hand.intent_id,
                        grace_seconds,
                    )
        finally:
            serving.cancel()  # a no-op if it already ended
            ended = await asyncio.gather(serving, return_exceptions=True)
        if isinstance(ended[0], Exception):
            raise ended[0]


@contextlib.contextmanager
def _stop_on_signals(stop: Callable[[], None], address: str) -> Iterator[None]:
    """SIGINT and SIGTERM call `stop` inside; the handlers they had come back after. Only the
    main thread can handle signals: in another thread, or on a loop without
    add_signal_handler (Windows), run_agent serves until it is cancelled."""
    loop = asyncio.get_running_loop()
    installed: list[tuple[signal.Signals, Any]] = []
    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            previous = signal.getsignal(sig)
            try:
                loop.add_signal_handler(sig, stop)
            except (NotImplementedError, RuntimeError, ValueError):
                break
            installed.append((sig, previous))
    until = "SIGINT or SIGTERM" if len(installed) == len(STOP_SIGNALS) else "cancelled"
    logger.info("serving %s until %s", address, until)
    try:
        yield
    finally:
        for sig, previous in installed:
            loop.remove_signal_handler(sig)
            if previous is not None:
                signal.signal(sig, previous)


async def in_daemon_thread(function: Callable[[Delivery], T], delivery: Delivery) -> T:
    """`function(delivery)` in a daemon thread, like asyncio.to_thread but abandonable: a
    handler cut off by cancellation (run_agent's grace ran out) keeps neither the process
    from exiting nor asyncio.run from closing, as a pooled worker thread would."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled: nobody waits for this result any more
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = context.run(function, delivery)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task as is
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: the result is dropped
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="axme-handler", daemon=True).start()
    return await future
