"""Submits a support ticket to the LLM triage agent (../scenario.json), follows it live and
prints the model's triage.

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
                reason = event["data"].get("reason")
                print(
                    f"  #{event['seq']} {event['event_type']} -> {event['status']}"
                    + (f" {reason}" if reason else ""),
                    flush=True,
                )

        final = await client.wait_for(intent_id)
        print(f"final status {final['status']}")
        completed = final["status"] == "COMPLETED"
        print(f"triage: {json.dumps(final['result'] if completed else final['error'])}")
        return 0 if completed else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
