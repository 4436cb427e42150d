"""The ETL worker of the crash-safe pipeline: extract -> validate -> transform -> load.

Each step records its side effect once, keyed on intent id + step id (a redelivery has a new
delivery id, so that id is no key). With CRASH_DURING_STEP=transform the agent kills itself
in the middle of that step: after the effect, before the result. The lease expires, the
platform redelivers the step, and a restarted agent finds the effect already recorded.

    AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 \
      PIPELINE_EFFECTS=effects.log [CRASH_DURING_STEP=transform] python agent.py [etl-worker]
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from axme import AsyncAxmeClient, AxmeClientConfig

EFFECTS = Path(os.environ.get("PIPELINE_EFFECTS", "effects.log"))
CRASH_DURING = os.environ.get("CRASH_DURING_STEP")
WAREHOUSE_TABLES = {"warehouse.daily_orders"}


def record_once(intent_id: str, step: str, delivery_id: str) -> None:
    """The step's side effect, e.g. a row under a unique key (intent_id, step_id)."""
    lines = EFFECTS.read_text().splitlines() if EFFECTS.exists() else []
    done = next((line for line in lines if line.split()[:2] == [intent_id, step]), None)
    if done:
        first = done.split()[2][:8]
        print(
            f"[agent] {step}: effect already recorded by delivery {first}; not repeating it",
            flush=True,
        )
        return
    with EFFECTS.open("a") as out:
        out.write(f"{intent_id} {step} {delivery_id}\n")


def earlier(intent: Any, step_id: str) -> Any:
    return next(step["result"] for step in intent["steps"] if step["step_id"] == step_id)


def run_step(step: str, intent: Any) -> dict[str, Any]:
    if step == "extract":
        return {"rows": intent["payload"]["rows"]}
    if step == "validate":
        valid, rejected = [], []
        for row in earlier(intent, "extract")["rows"]:
            try:
                Decimal(row["amount"])
                valid.append(row)
            except InvalidOperation:
                rejected.append(row["order_id"])
        return {"valid": valid, "rejected": rejected}
    if step == "transform":
        totals: dict[str, int] = {}
        for row in earlier(intent, "validate")["valid"]:
            totals[row["currency"]] = totals.get(row["currency"], 0) + int(
                Decimal(row["amount"]) * 100
            )
        return {"totals_cents": totals, "rows": len(earlier(intent, "validate")["valid"])}
    table = intent["payload"]["table"]
    if table not in WAREHOUSE_TABLES:
        raise ValueError(
            f"load: no table {table} in the warehouse"
        )  # fails the intent: fix and retry
    return {"table": table, "rows_loaded": earlier(intent, "transform")["rows"]}


async def handle(delivery: Any) -> dict[str, Any]:
    step = delivery.step_id
    print(
        f"[agent] {step} (delivery {delivery.delivery_id[:8]}, attempt {delivery.attempt})",
        flush=True,
    )
    result = run_step(step, delivery.intent)
    record_once(delivery.intent_id, step, delivery.delivery_id)
    if step == CRASH_DURING:
        print(
            f"[agent] crashing in the middle of {step}: effect recorded, result not sent",
            flush=True,
        )
        os.kill(os.getpid(), signal.SIGKILL)
    return result


async def main(address: str) -> None:
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        print(f"[agent] serving {address}", flush=True)
        await client.run_agent(address, handle)  # until SIGINT or SIGTERM
    print("[agent] stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "etl-worker"))
