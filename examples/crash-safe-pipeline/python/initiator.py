"""Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step,
a redelivery when the agent died mid-step, and the final status. `wrong-table` misspells the
target table, so `load` fails and the run can be retried from that step with a payload patch.

    AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 python initiator.py [wrong-table]
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from axme import AsyncAxmeClient, AxmeClientConfig

SCENARIO = Path(__file__).resolve().parent.parent / "scenario.json"


async def main(wrong_table: bool) -> int:
    bundle = json.loads(SCENARIO.read_text())
    if wrong_table:
        bundle["intent"]["payload"]["table"] = "warehouse.daily_order"
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        applied = await client.apply_scenario(bundle)
        intent_id = applied["intent_id"]
        print(f"intent {intent_id} submitted", flush=True)
        async with client.observe(intent_id) as events:
            async for event in events:
                data = event["data"]
                detail = f" [{data['step_id']}]" if data.get("step_id") else ""
                if event["event_type"] == "intent.delivered":
                    detail += f" delivery {data['delivery_id'][:8]} attempt {data['attempt']}"
                if event["event_type"] == "intent.redelivered":
                    detail += (
                        f" {data['reason']} (delivery {data['previous_delivery_id'][:8]} lost)"
                    )
                print(
                    f"  #{event['seq']} {event['event_type']} -> {event['status']}{detail}",
                    flush=True,
                )

        final = await client.wait_for(intent_id)
        print(f"final status {final['status']}")
        if final["status"] == "COMPLETED":
            print(f"result: {json.dumps(final['result'])}")
            return 0
        print(f"error: {final['error']['message']}")
        print(
            f"retry from the failed step: axme intents retry {intent_id} "
            """--payload-patch '{"table": "warehouse.daily_orders"}'"""
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main("wrong-table" in sys.argv[1:])))
