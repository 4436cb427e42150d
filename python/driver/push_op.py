"""The `push_receiver` op (driver-protocol.md): serve axme.PushReceiver on a free port,
report its URL, and end after `max_deliveries` deliveries were handled (or when cancelled)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import axme
from axme import AsyncAxmeClient


async def run_push_receiver(
    op_id: int,
    params: dict[str, Any],
    client: AsyncAxmeClient,
    handler: Callable[[axme.Delivery], Awaitable[Any]],
    write: Callable[[dict[str, Any]], None],
) -> None:
    wanted = int(params.get("max_deliveries", 1))
    handled = asyncio.Event()
    count = 0

    async def counting(delivery: axme.Delivery) -> Any:
        nonlocal count
        try:
            return await handler(delivery)
        finally:
            count += 1
            if count >= wanted:
                handled.set()

    receiver = axme.PushReceiver(
        client, counting, params["secrets"], tolerance=float(params.get("tolerance_s", 300))
    )
    serving = asyncio.create_task(
        receiver.serve(
            "127.0.0.1", 0, on_listening=lambda url: write({"id": op_id, "receiver": {"url": url}})
        )
    )
    enough = asyncio.create_task(handled.wait())
    try:
        finished, _ = await asyncio.wait({serving, enough}, return_when=asyncio.FIRST_COMPLETED)
        if serving in finished:
            await serving  # it stopped on its own: report why
    finally:
        enough.cancel()
        serving.cancel()  # serve() waits for the deliveries still being resumed
        await asyncio.gather(serving, enough, return_exceptions=True)
    write({"id": op_id, "done": True})
