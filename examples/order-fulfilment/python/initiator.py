"""Places an order through the fulfilment workflow (../scenario.json), prints every
step live and the tracking number from the result.

    AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 \
      python initiator.py [in-stock | out-of-stock | declined]
Exits 0 when the order shipped, 1 when it FAILED (the reason is printed).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from axme import AsyncAxmeClient, AxmeClientConfig

SCENARIO = Path(__file__).resolve().parent.parent / "scenario.json"
VARIANTS = {
    "in-stock": {"order_id": "ord-1001"},
    "out-of-stock": {"order_id": "ord-1002", "items": [{"sku": "lamp-red", "qty": 1}]},
    "declined": {"order_id": "ord-1003", "card": "tok_declined"},
}


async def main(variant: str) -> int:
    bundle = json.loads(SCENARIO.read_text())
    bundle["intent"]["payload"].update(VARIANTS[variant])
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        applied = await client.apply_scenario(bundle)
        intent_id = applied["intent_id"]
        order_id = bundle["intent"]["payload"]["order_id"]
        print(f"intent {intent_id} submitted (order {order_id}, {variant})", flush=True)
        async with client.observe(intent_id) as events:
            async for event in events:
                data = event["data"]
                detail = f" [{data['step_id']}]" if data.get("step_id") else ""
                if event["event_type"] == "intent.redelivered":
                    detail += f" {data['reason']}: {(data.get('error') or {}).get('message', '')}"
                print(
                    f"  #{event['seq']} {event['event_type']} -> {event['status']}{detail}",
                    flush=True,
                )

        final = await client.wait_for(intent_id)
        print(f"final status {final['status']}")
        if final["status"] != "COMPLETED":
            print(f"reason: {final['error']['message']}")
            return 1
        print(f"tracking number: {final['result']['tracking_number']}")
        return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "in-stock")))
