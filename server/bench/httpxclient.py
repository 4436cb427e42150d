"""The SDK cycle's calls made with a plain HTTP library (`run.py --client httpx|aiohttp`): the
baselines for the Python SDK's client CPU per call, one per library the SDK can use. Same
calls as sdkclient.py: create, ONE event stream that sends the decision (concurrently) when
the human task is assigned and is read to its end (the server ends it after the terminal
event); the agent holds its delivery stream, acks, resumes. Idempotency-Key and X-Trace-Id
on every call, as the SDK sends them. Same result tuple as run.client_main."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
from drive import LoopResult, drive, in_process

TASK = {"title": "Approve the change"}
TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT")


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


class HttpxPlain:
    def __init__(self, base: str, key: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, headers={"x-api-key": key}, timeout=None)

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        r = await self.http.post(path, headers=call_headers(), json=body)
        return r.status_code, r.json()

    @asynccontextmanager
    async def stream(self, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        headers = {"X-Trace-Id": str(uuid.uuid4())}
        async with self.http.stream("GET", path, headers=headers) as s:
            yield s.aiter_bytes()

    async def aclose(self) -> None:
        await self.http.aclose()


class AiohttpPlain:
    def __init__(self, base: str, key: str) -> None:
        self.base, self.key = base, key
        self.http: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self.http is None:  # made inside the running loop
            self.http = aiohttp.ClientSession(self.base, headers={"x-api-key": self.key})
        return self.http

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        async with self.session().post(path, headers=call_headers(), json=body) as r:
            return r.status, await r.json()

    @asynccontextmanager
    async def stream(self, path: str) -> AsyncIterator[AsyncIterator[bytes]]:
        headers = {"X-Trace-Id": str(uuid.uuid4())}
        async with self.session().get(path, headers=headers) as r:
            yield r.content.iter_any()

    async def aclose(self) -> None:
        if self.http is not None:
            await self.http.close()


LIBRARIES = {"httpx": HttpxPlain, "aiohttp": AiohttpPlain}


async def plain_cycle(client: HttpxPlain | AiohttpPlain, agent_name: str) -> float:
    status, created = await client.post(
        "/v1/intents",
        {
            "intent_type": "intent.bench.approval.v1",
            "to_agent": agent_name,
            "payload": {"n": 1},
            "human_task": TASK,
        },
    )
    assert status == 200, created
    iid = created["intent_id"]
    decision: asyncio.Future | None = None
    t0 = latency = 0.0
    async with client.stream(f"/v1/intents/{iid}/events/stream") as chunks:
        buffer = bytearray()
        async for chunk in chunks:
            buffer += chunk
            for f in sse_frames(buffer):
                if f.get("event") == "intent.human_task_assigned" and decision is None:
                    t0 = time.perf_counter()
                    decision = asyncio.ensure_future(
                        client.post(f"/v1/tasks/{iid}/decision", {"outcome": "approved"})
                    )
                elif "data" in f and json.loads(f["data"]).get("status") in TERMINAL:
                    assert json.loads(f["data"])["status"] == "COMPLETED", f
                    latency = time.perf_counter() - t0
    assert decision is not None
    assert (await decision)[0] == 200
    return latency


async def plain_agent(agent: HttpxPlain | AiohttpPlain, name: str) -> None:
    tasks: set[asyncio.Task] = set()

    async def handle(delivery: dict) -> None:
        iid, did = delivery["intent_id"], delivery["delivery_id"]
        await agent.post(f"/v1/intents/{iid}/ack", {"delivery_id": did})
        result = {
            "kind": "agent_result",
            "outcome": "complete",
            "result": {"checked": True},
            "delivery_id": did,
        }
        await agent.post(f"/v1/intents/{iid}/resume", result)

    while True:
        async with agent.stream(f"/v1/agents/{name}/intents/stream?wait_seconds=300") as chunks:
            buffer = bytearray()
            async for chunk in chunks:
                buffer += chunk
                for f in sse_frames(buffer):
                    if f.get("event") == "intent.delivery":
                        t = asyncio.ensure_future(handle(json.loads(f["data"])))
                        tasks.add(t)
                        t.add_done_callback(tasks.discard)


async def plain_client_main(
    base: str,
    admin_key: str,
    name: str,
    key: str,
    concurrency: int,
    duration: float,
    max_cycles: int,
    ack: bool,
    start_at: float,
    library: str = "httpx",
) -> LoopResult:
    client = LIBRARIES[library](base, admin_key)
    agent = LIBRARIES[library](base, key)
    listener = asyncio.ensure_future(plain_agent(agent, name))
    result = await drive(lambda: plain_cycle(client, name), concurrency, duration, max_cycles, start_at)
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await client.aclose()
    await agent.aclose()
    return result


def plain_client_proc(args: tuple) -> LoopResult:
    return in_process(plain_client_main(*args))
