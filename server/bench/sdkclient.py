"""The closed-loop approval cycle through the Python SDK, as users write it
(`run.py --client sdk`): the initiator calls send_intent, observes until the
human task is assigned, approve_task, then wait_for; the agent runs listen()
(acks for you) and resume_intent. Same shape and result tuple as run.client_main."""

from __future__ import annotations

import asyncio
import time

from axme import AsyncAxmeClient, AxmeClientConfig

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
    async with client.observe(iid) as events:
        async for event in events:
            if event.event_type == "intent.human_task_assigned":
                break
    t0 = time.perf_counter()
    await client.approve_task(iid)
    final = await client.wait_for(iid, timeout=60)
    assert final.status == "COMPLETED", final
    return time.perf_counter() - t0


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
) -> tuple:
    client = AsyncAxmeClient(AxmeClientConfig(api_key=admin_key, base_url=base))
    agent = AsyncAxmeClient(AxmeClientConfig(api_key=key, base_url=base))
    listener = asyncio.ensure_future(sdk_agent(agent, name))
    await asyncio.sleep(max(0.0, start_at - time.time()))
    latencies: list[float] = []
    finished: list[float] = []
    t_start = time.perf_counter()
    deadline = t_start + duration
    done = 0

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline and done < max_cycles:
            done += 1
            latencies.append(await sdk_cycle(client, name))
            finished.append(time.time())

    cpu0 = time.process_time()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t_start
    cpu = time.process_time() - cpu0
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await client.aclose()
    await agent.aclose()
    return done, latencies, elapsed, cpu, finished


def sdk_client_proc(args: tuple) -> tuple:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    return asyncio.run(sdk_client_main(*args))
