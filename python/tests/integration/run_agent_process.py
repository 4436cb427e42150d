"""The agent process of test_run_agent.py (REQ-LISTEN-007): `run_agent` with a handler that
prints `handling <intent id>`, waits for a line on stdin and returns {"finished": <line>}.

    python run_agent_process.py sync|async ADDRESS GRACE_SECONDS

AXME_API_KEY / AXME_BASE_URL configure it. The SDK's log goes to stdout as `log <message>`
(the test waits for "until SIGINT or SIGTERM" before it signals); `returned <n>` is printed
when run_agent returns.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

from axme import AsyncAxmeClient, AxmeClient, AxmeClientConfig, Delivery


def handle_sync(delivery: Delivery) -> dict[str, Any]:
    print(f"handling {delivery.intent_id}", flush=True)
    return {"finished": sys.stdin.readline().strip()}


async def run_async(address: str, grace: float) -> int:
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    async def handle(delivery: Delivery) -> dict[str, Any]:
        print(f"handling {delivery.intent_id}", flush=True)
        return {"finished": (await stdin.readline()).decode().strip()}

    async with AsyncAxmeClient(AxmeClientConfig()) as client:
        return await client.run_agent(address, handle, grace_seconds=grace)


def main() -> None:
    kind, address, grace = sys.argv[1], sys.argv[2], float(sys.argv[3])
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="log %(message)s")
    if kind == "sync":
        with AxmeClient(AxmeClientConfig()) as client:
            handled = client.run_agent(address, handle_sync, grace_seconds=grace)
    else:
        handled = asyncio.run(run_async(address, grace))
    print(f"returned {handled}", flush=True)


if __name__ == "__main__":
    main()
