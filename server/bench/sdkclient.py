"""The closed-loop approval cycle through the Python SDK, as users write it
(`run.py --client sdk`): send_intent, then ONE observe() stream that approves the human
task when `intent.human_task_assigned` arrives (concurrently, as the raw cycle does) and
ends at the terminal event; the agent runs listen() (acks for you) and resume_intent.
5 HTTP calls per cycle, the raw cycle's 5. Same shape and result tuple as run.client_main.

`transport` picks the async client's HTTP library: "default" is what
`AsyncAxmeClient(config)` uses; "aiohttp" passes the SDK's aiohttp transport explicitly
(`http_client=AiohttpTransport()`); "httpx" passes a plain `httpx.AsyncClient()`."""

from __future__ import annotations

import asyncio
import time

import httpx
from axme import AsyncAxmeClient, AxmeClientConfig
from drive import LoopResult, drive, in_process

TASK = {"title": "Approve the change"}


async def sdk_cycle(client: AsyncAxmeClient, agent_name: str) -> float:
    iid = await client.send_intent(
        {
            "intent_type": "intent.bench.approval.v1",
            "to_agent": agent_name,
            "payload": {"n": 1},
            "human_task": TASK,
        }
    )
    approval: asyncio.Future | None = None
    t0 = latency = 0.0
    async with client.observe(iid) as events:
        async for event in events:
            if event.event_type == "intent.human_task_assigned" and approval is None:
                t0 = time.perf_counter()
                approval = asyncio.ensure_future(client.approve_task(iid))
            elif event.is_terminal:
                assert event.status == "COMPLETED", event
                latency = time.perf_counter() - t0
    assert approval is not None
    await approval
    return latency


def http_client(transport: str):
    """What `AsyncAxmeClient(config, http_client=...)` gets (None: the SDK's default)."""
    if transport == "httpx":
        return httpx.AsyncClient()
    if transport == "aiohttp":
        from axme._aiohttp_transport import AiohttpTransport

        return AiohttpTransport()
    return None


def default_transport() -> str:
    """The library `AsyncAxmeClient(config)` moves bytes with, for the bench's labels."""
    client = AsyncAxmeClient(AxmeClientConfig(api_key="axme_admin_x", base_url="http://127.0.0.1"))
    transport = getattr(client._runner, "transport", None)
    return {"AiohttpTransport": "aiohttp", "Http11Transport": "http11"}.get(type(transport).__name__, "httpx")


async def sdk_agent(agent: AsyncAxmeClient, name: str) -> None:
    tasks: set[asyncio.Task] = set()

    async def handle(delivery) -> None:
        await agent.resume_intent(delivery.intent_id, {"checked": True}, delivery_id=delivery.delivery_id)

    async with agent.listen(name) as deliveries:
        async for delivery in deliveries:
            t = asyncio.ensure_future(handle(delivery))
            tasks.add(t)
            t.add_done_callback(tasks.discard)


async def sdk_client_main(
    base: str,
    admin_key: str,
    name: str,
    key: str,
    concurrency: int,
    duration: float,
    max_cycles: int,
    ack: bool,
    start_at: float,
    transport: str = "default",
) -> LoopResult:
    made = [http_client(transport), http_client(transport)]
    client = AsyncAxmeClient(AxmeClientConfig(api_key=admin_key, base_url=base), http_client=made[0])
    agent = AsyncAxmeClient(AxmeClientConfig(api_key=key, base_url=base), http_client=made[1])
    listener = asyncio.ensure_future(sdk_agent(agent, name))
    result = await drive(lambda: sdk_cycle(client, name), concurrency, duration, max_cycles, start_at)
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await client.aclose()
    await agent.aclose()
    for passed in made:  # the client closes only what it made itself
        if passed is not None:
            await passed.aclose()
    return result


def sdk_client_proc(args: tuple) -> LoopResult:
    return in_process(sdk_client_main(*args))
