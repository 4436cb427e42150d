"""The migration validator of the human-approval workflow: it checks the SQL's
syntax, the target database and the risk, and returns its assessment for the
on-call SRE; a migration that fails a check fails the intent.

    AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 python agent.py [infra-validator]
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import Any

from axme import AsyncAxmeClient, AxmeClientConfig

KNOWN_TARGETS = {"prod-postgres-main", "staging-postgres-main"}
DDL = re.compile(r"^(CREATE|ALTER|DROP)\s+(UNIQUE\s+)?(INDEX|TABLE|COLUMN|VIEW)\b", re.IGNORECASE)
DESTRUCTIVE = re.compile(r"\b(DROP\s+(TABLE|COLUMN)|TRUNCATE|DELETE\s+FROM)\b", re.IGNORECASE)


def assess(change: dict[str, Any]) -> dict[str, Any]:
    """Raises ValueError (which fails the intent) when the migration cannot go to review."""
    sql = change.get("sql", "").strip()
    if not DDL.match(sql) or not sql.endswith(";") or sql.count("(") != sql.count(")"):
        raise ValueError(f"syntax: not a single DDL statement: {sql!r}")
    if change.get("target") not in KNOWN_TARGETS:
        raise ValueError(f"target: unknown database {change.get('target')!r}")
    if not change.get("rollback_plan"):
        raise ValueError("risk: a migration needs a rollback plan")
    production = change["target"].startswith("prod-")
    if DESTRUCTIVE.search(sql):
        risk = "high"
    elif production and "CONCURRENTLY" not in sql.upper():
        risk = "medium"  # a plain CREATE INDEX locks writes on a production table
    else:
        risk = "low"
    return {
        "syntax": "ok",
        "target": change["target"],
        "risk": risk,
        "checks": ["single DDL statement", "known target", "rollback plan present"],
    }


async def validate_change(delivery: Any) -> dict[str, Any]:
    change = delivery.intent["payload"]
    print(
        f"[agent] validating {change.get('migration')} on {change.get('target')} "
        f"(delivery {delivery.delivery_id[:8]}, attempt {delivery.attempt})",
        flush=True,
    )
    verdict = assess(change)
    print(f"[agent] risk {verdict['risk']}: handing over to the on-call SRE", flush=True)
    return verdict


async def main(address: str) -> None:
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        print(f"[agent] serving {address}", flush=True)
        await client.run_agent(address, validate_change)  # until SIGINT or SIGTERM
    print("[agent] stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "infra-validator"))
