"""Push deliveries/s next to stream deliveries/s, measured in the same run on the same
server (`make bench`, called from run.py): N intents created C at a time to one agent
that completes each delivery over the API; once with a stream consumer, once with an
http agent whose receiver (a minimal asyncio HTTP/1.1 server on 127.0.0.1) answers 200
at once and completes the delivery. Rate = N / (first create -> last COMPLETED)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlparse

from rawhttp import Conn, Pool


async def _create_all(pool: Pool, admin: dict, agent: str, n: int, concurrency: int) -> None:
    todo = iter(range(n))

    async def worker() -> None:
        for _ in todo:
            status, body = await pool.request(
                "POST",
                "/v1/intents",
                {"intent_type": "intent.bench.push.v1", "to_agent": agent, "payload": {"n": 1}},
                admin,
            )
            assert status == 200, body

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _complete(pool: Pool, hdr: dict, delivery: dict) -> None:
    status, body = await pool.request(
        "POST",
        f"/v1/intents/{delivery['intent_id']}/resume",
        {
            "kind": "agent_result",
            "outcome": "complete",
            "result": {"ok": True},
            "delivery_id": delivery["delivery_id"],
        },
        hdr,
    )
    assert status == 200, body


async def _register(pool: Pool, admin: dict, body: dict) -> tuple[str, dict]:
    status, reg = await pool.request("POST", "/v1/agents", body, admin)
    assert status == 200, reg
    return reg["agent"]["address"].rsplit("/", 1)[1], {"x-api-key": reg["api_key"]}


async def stream_rate(base: str, admin_key: str, n: int, concurrency: int, tag: str) -> float:
    u = urlparse(base)
    pool = Pool(u.hostname, u.port, concurrency * 2 + 2)
    admin = {"x-api-key": admin_key}
    name, hdr = await _register(pool, admin, {"address": f"bench-stream-{tag}", "delivery_mode": "stream"})
    done = asyncio.Event()
    count = 0
    tasks: set[asyncio.Task] = set()

    async def finish(d: dict) -> None:
        nonlocal count
        await _complete(pool, hdr, d)
        count += 1
        if count == n:
            done.set()

    async def listen() -> None:
        conn = await Conn.open(u.hostname, u.port)
        try:
            async for event, data in conn.sse(f"/v1/agents/{name}/intents/stream?wait_seconds=300", hdr):
                if event == "intent.delivery":
                    t = asyncio.ensure_future(finish(data))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
        finally:
            conn.close()

    listener = asyncio.ensure_future(listen())
    await asyncio.sleep(0.2)  # the stream is attached
    t0 = time.perf_counter()
    await _create_all(pool, admin, name, n, concurrency)
    await asyncio.wait_for(done.wait(), 120)
    elapsed = time.perf_counter() - t0
    listener.cancel()
    return n / elapsed


async def push_rate(base: str, admin_key: str, n: int, concurrency: int, tag: str) -> float:
    u = urlparse(base)
    pool = Pool(u.hostname, u.port, concurrency * 2 + 2)
    admin = {"x-api-key": admin_key}
    done = asyncio.Event()
    count = 0
    hdr: dict[str, str] = {}
    tasks: set[asyncio.Task] = set()

    async def finish(d: dict) -> None:
        nonlocal count
        await _complete(pool, hdr, d)
        count += 1
        if count == n:
            done.set()

    async def receive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                t = asyncio.ensure_future(finish(json.loads(body)))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()  # (cancelled: the receiver is shutting down after the run)

    server = await asyncio.start_server(receive, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    name, got = await _register(
        pool,
        admin,
        {
            "address": f"bench-push-{tag}",
            "delivery_mode": "http",
            "callback_url": f"http://127.0.0.1:{port}/axme",
        },
    )
    hdr.update(got)
    t0 = time.perf_counter()
    await _create_all(pool, admin, name, n, concurrency)
    await asyncio.wait_for(done.wait(), 120)
    elapsed = time.perf_counter() - t0
    server.close()
    return n / elapsed


def push_vs_stream(base: str, admin_key: str, n: int = 2000, concurrency: int = 32) -> tuple[float, float]:
    """(push deliveries/s, stream deliveries/s), each end to end (create -> delivered -> COMPLETED)."""
    tag = str(time.time_ns())

    async def both() -> tuple[float, float]:
        stream = await stream_rate(base, admin_key, n, concurrency, tag)
        push = await push_rate(base, admin_key, n, concurrency, tag)
        return push, stream

    try:
        import uvloop

        return uvloop.run(both())
    except ImportError:
        return asyncio.run(both())


def report(base: str, admin_key: str, rows: list[Any] | None = None, n: int = 2000) -> None:
    """Print the line (and add a summary row) run.py shows after the approval cycles."""
    push, stream = push_vs_stream(base, admin_key, n)
    print(
        f"(c) agent deliveries, {n} intents 32 at a time, each completed by the agent over the API: "
        f"http push {push:.0f} deliveries/s, stream {stream:.0f} deliveries/s -> push = {push / stream:.2f} x stream"
    )
    if rows is not None:
        rows.append(
            ("(c) http push deliveries/s", f"{push:.0f}/s", f"stream {stream:.0f}/s", f"{push / stream:.2f}x")
        )
