"""The infrastructure validator agent of the approval demo.

A real agent process: it connects with its own agent key, receives the
intent's first step, validates the change and returns the result. The platform
then hands the workflow to a human. Usage:

    AXME_API_KEY=axme_agent_… AXME_BASE_URL=http://… python approval_agent.py ADDRESS
"""

from __future__ import annotations

import sys
from typing import Any

from axme import AxmeClient, AxmeClientConfig


def validate_change(delivery: Any) -> dict[str, Any]:
    payload = delivery.intent["payload"]
    print(
        f"  [agent] validating {payload['change_type']} on {payload['target']} "
        f"(delivery {delivery.delivery_id[:8]}, attempt {delivery.attempt})",
        flush=True,
    )
    checks = ["rollback plan present", "no downtime expected", "index name is unique"]
    if not payload.get("rollback_plan"):
        raise ValueError("a migration needs a rollback plan")
    return {"validation": "passed", "checks": checks}


def main() -> int:
    address = sys.argv[1]
    client = AxmeClient(AxmeClientConfig())  # AXME_API_KEY / AXME_BASE_URL from the environment
    handled = client.serve(address, validate_change, max_deliveries=1)
    print(f"  [agent] done: handled {handled} delivery", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
