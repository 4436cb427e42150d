"""Starts the human-approval workflow from ../scenario.json, follows it live
and prints the outcome. The on-call SRE decides in between:

    axme tasks approve <intent_id> --comment "plan reviewed"
    axme tasks reject  <intent_id> --comment "not during the sale"

    AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 python initiator.py [bad-sql]
`bad-sql` submits a malformed statement, which the validator fails before anyone is asked.
Exits 0 when the migration was approved (COMPLETED), 1 otherwise.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from axme import AsyncAxmeClient, AxmeClientConfig

SCENARIO = Path(__file__).resolve().parent.parent / "scenario.json"


async def main(bad_sql: bool) -> int:
    bundle = json.loads(SCENARIO.read_text())
    if bad_sql:
        bundle["intent"]["payload"]["sql"] = "CREATE INDEX idx_users_email ON users (email;"
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        applied = await client.apply_scenario(bundle)
        intent_id = applied["intent_id"]
        for agent in applied["agents"]:
            if agent["api_key"]:
                print(f"agent {agent['address']} created; its key (shown once): {agent['api_key']}")
        print(f"intent {intent_id} submitted", flush=True)

        async with client.observe(intent_id) as events:
            async for event in events:
                step = event["data"].get("step_id")
                print(
                    f"  #{event['seq']} {event['event_type']} -> {event['status']}"
                    + (f" [{step}]" if step else ""),
                    flush=True,
                )
                if event["event_type"] == "intent.step_completed" and step == "validate_change":
                    print(f"  validator: {json.dumps(event['data']['result'])}")
                if event["event_type"] == "intent.human_task_assigned":
                    print(
                        f"  waiting for the on-call SRE: axme tasks approve {intent_id} "
                        '--comment "…" (or reject)',
                        flush=True,
                    )

        final = await client.wait_for(intent_id)
        print(f"final status {final['status']}")
        if final["status"] == "COMPLETED":
            print(f"result: {json.dumps(final['result'])}")
            return 0
        error = final["error"] or {}
        print(f"error: {error.get('code')}: {error.get('message')}")
        if (comment := (error.get("details") or {}).get("comment")) is not None:
            print(f"reviewer's comment: {comment}")
        return 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main("bad-sql" in sys.argv[1:])))
