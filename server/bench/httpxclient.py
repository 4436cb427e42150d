"""The SDK cycle's calls made with plain httpx (`run.py --client httpx`): the baseline for the
Python SDK's client CPU per request. Same calls as sdkclient.py: create, the observe stream
closed at the human task, the decision, one stream with include_intent=true until the final
intent (what wait_for sends, REQ-WAIT-005); the agent holds its delivery stream, acks, resumes.
Idempotency-Key and X-Trace-Id on every call, as the SDK sends them. Same result tuple as
run.client_main."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator

import httpx

TASK = {"title": "Approve the change"}


def sse_frames(buffer: bytearray) -> Iterator[dict[str, str]]:
    """Complete frames at the start of `buffer` (consumed); enough for the reference server's LF frames."""
    while (end := buffer.find(b"\n\n")) >= 0:
        raw = bytes(buffer[:end]).decode()
        del buffer[: end + 2]
        fields: dict[str, str] = {}
        for line in raw.split("\n"):
            name, sep, value = line.partition(":")
            if sep and name:
                fields[name] = value.removeprefix(" ")
        yield fields


def call_headers() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4()), "X-Trace-Id": str(uuid.uuid4())}


async def httpx_cycle(client: httpx.AsyncClient, agent_name: str) -> float:
    created = await client.post(
        "/v1/intents",
        headers=call_headers(),
        json={
            "intent_type": "intent.bench.approval.v1",
            "to_agent": agent_name,
            "payload": {"n": 1},
            "human_task": TASK,
        },
    )
    iid = created.json()["intent_id"]
    async with client.stream(
        "GET", f"/v1/intents/{iid}/events/stream", headers={"X-Trace-Id": str(uuid.uuid4())}
    ) as s:
        buffer = bytearray()
        async for chunk in s.aiter_bytes():
            buffer += chunk
            if any(f.get("event") == "intent.human_task_assigned" for f in sse_frames(buffer)):
                break
    t0 = time.perf_counter()
    await client.post(f"/v1/tasks/{iid}/decision", headers=call_headers(), json={"outcome": "approved"})
    final = None
    async with client.stream(
        "GET",
        f"/v1/intents/{iid}/events/stream",
        params={"include_intent": "true"},
        headers={"X-Trace-Id": str(uuid.uuid4())},
    ) as s:
        buffer = bytearray()
        async for chunk in s.aiter_bytes():
            buffer += chunk
            for f in sse_frames(buffer):
                if f.get("event") == "stream.intent":
                    final = json.loads(f["data"])["intent"]
    assert final is not None and final["status"] == "COMPLETED", final
    return time.perf_counter() - t0


async def httpx_agent(agent: httpx.AsyncClient, name: str) -> None:
    tasks: set[asyncio.Task] = set()

    async def handle(delivery: dict) -> None:
        iid, did = delivery["intent_id"], delivery["delivery_id"]
        await agent.post(f"/v1/intents/{iid}/ack", headers=call_headers(), json={"delivery_id": did})
        await agent.post(
            f"/v1/intents/{iid}/resume",
            headers=call_headers(),
            json={
                "kind": "agent_result",
                "outcome": "complete",
                "result": {"checked": True},
                "delivery_id": did,
            },
        )

    while True:
        async with agent.stream(
            "GET", f"/v1/agents/{name}/intents/stream", params={"wait_seconds": 300}
        ) as s:
            buffer = bytearray()
            async for chunk in s.aiter_bytes():
                buffer += chunk
                for f in sse_frames(buffer):
                    if f.get("event") == "intent.delivery":
                        t = asyncio.ensure_future(handle(json.loads(f["data"])))
                        tasks.add(t)
                        t.add_done_callback(tasks.discard)


async def httpx_client_main(
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
    client = httpx.AsyncClient(base_url=base, headers={"x-api-key": admin_key}, timeout=60)
    agent = httpx.AsyncClient(base_url=base, headers={"x-api-key": key}, timeout=None)
    listener = asyncio.ensure_future(httpx_agent(agent, name))
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
            latencies.append(await httpx_cycle(client, name))
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


def httpx_client_proc(args: tuple) -> tuple:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    return asyncio.run(httpx_client_main(*args))
