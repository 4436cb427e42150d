"""Client CPU per call of each HTTP library the Python SDK's async client can move its bytes
with (`make -C server bench-transports`): the measurement behind its default transport
(python/src/axme/_http11_transport.py). One process sends `GET /health` through each
transport's `send` (the SDK's own request path, no SDK layer on top), 4 calls in flight, to
one server on loopback; the kinds run in turn, then again in reverse order, and each is
printed with its CPU per call as a ratio to the default's, all from this run."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

import httpx
from axme._aiohttp_transport import AiohttpTransport
from axme._http11_transport import Http11Transport
from axme._runners import HttpxAsyncTransport
from axme._transport import Timeouts, WireRequest

KINDS = {
    "http11 (the default)": Http11Transport,
    "aiohttp": AiohttpTransport,
    "httpx": lambda: HttpxAsyncTransport(httpx.AsyncClient()),
}


async def cpu_per_call(make, url: str, calls: int, in_flight: int = 4) -> float:
    """Client CPU seconds per call, after a warm-up that opens the connections."""
    transport = make()
    headers = {"Accept": "application/json"}

    async def worker(n: int) -> None:
        for _ in range(n):
            response = await transport.send(WireRequest("GET", url, dict(headers), None, Timeouts.of(10)))
            assert response.status_code == 200

    await asyncio.gather(*(worker(25) for _ in range(in_flight)))
    cpu = time.process_time()
    await asyncio.gather(*(worker(calls // in_flight) for _ in range(in_flight)))
    cpu = time.process_time() - cpu
    await transport.aclose()
    return cpu / (calls // in_flight * in_flight)


async def measure(url: str, calls: int) -> dict[str, float]:
    order = list(KINDS) + list(reversed(KINDS))
    spent: dict[str, float] = dict.fromkeys(KINDS, 0.0)
    for kind in order:
        spent[kind] += await cpu_per_call(KINDS[kind], url, calls) / 2
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=4000, help="calls per kind and pass")
    args = ap.parse_args()
    from helpers import start_server

    with tempfile.TemporaryDirectory() as data:
        srv = start_server(Path(data))
        try:
            spent = asyncio.run(measure(f"{srv.base_url}/health", args.calls))
        finally:
            srv.stop()
    base = spent["http11 (the default)"]
    print(
        f"Python SDK transports: client CPU per GET /health, 4 in flight, {args.calls} calls x 2 passes each"
    )
    for kind, seconds in spent.items():
        print(f"    {kind:<22} {seconds * 1e6:7.0f} us   {seconds / base:5.2f} x the default")


if __name__ == "__main__":
    main()
