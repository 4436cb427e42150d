"""Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step,
a redelivery when the agent died mid-step, and the final status.

    AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 python initiator.py
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from axme import AsyncAxmeClient, AxmeClientConfig

SCENARIO = Path(__file__).resolve().parent.parent / "scenario.json"


async def main() -> int:
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        applied = await client.apply_scenario(json.loads(SCENARIO.read_text()))
        intent_id = applied["intent_id"]
        print(f"intent {intent_id} submitted", flush=True)
        async with client.observe(intent_id) as events:
            async for event in events:
                data = event["data"]
                detail = f" [{data['step_id']}]" if data.get("step_id") else ""
                if event["event_type"] == "intent.delivered":
                    detail += f" delivery {data['delivery_id'][:8]} attempt {data['attempt']}"
                if event["event_type"] == "intent.redelivered":
                    detail += f" {data['reason']} (delivery {data['previous_delivery_id'][:8]} lost)"
                print(f"  #{event['seq']} {event['event_type']} -> {event['status']}{detail}", flush=True)

        final = await client.wait_for(intent_id)
        print(f"final status {final['status']}")
        print(f"result: {json.dumps(final['result'] if final['status'] == 'COMPLETED' else final['error'])}")
        return 0 if final["status"] == "COMPLETED" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
