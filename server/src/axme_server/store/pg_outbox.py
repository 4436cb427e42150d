"""The outbox shared by several server processes on one PostgreSQL database (issue 14).

- **Claims.** A process sends a row only after claiming it: one statement marks up to
  `limit` due, unclaimed (or expired) pending rows `claimed_by` this process until
  `claim_until` (the database's clock plus the lease), taking them `FOR UPDATE SKIP
  LOCKED`, so two processes claiming at once never get the same row and never wait on
  each other. A process that dies leaves its claims to expire; another takes the rows
  then (same `outbox_id`: the receiver's dedupe id). Due times are on the engine's clock
  (a test clock moves retries); claim times are on the database's, shared by all.
- **Settling** (writes.py, op "outbox") releases the claim; a settled row never changes
  again, so a late settle of a process whose claim expired is harmless.
- **Wake-ups.** A transaction that writes pending rows sends `pg_notify('axme_outbox',
  {r: process, d: due})` (PostgreSQL folds equal payloads of one transaction); every other
  process then claims when the row is due. A periodic claim (`poll_seconds`) picks up rows
  whose claimer died and rows no notification announced."""

from __future__ import annotations

import math
from typing import Any

from axme_server.jsonutil import dumps, loads

CHANNEL = "axme_outbox"
POLL_SECONDS = 5.0  # the longest a process waits between claims (shorter for a short lease)
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', ?)"
_DB_NOW = "extract(epoch from clock_timestamp())"
CLAIM_SQL = (
    f"UPDATE outbox SET claimed_by=?, claim_until={_DB_NOW} + ? WHERE rid IN ("
    "SELECT rid FROM outbox WHERE status = 'pending' AND due <= ?"
    f" AND (claim_until IS NULL OR claim_until < {_DB_NOW}) AND outbox_id <> ALL(?)"
    " ORDER BY due LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING doc"
)


def poll_seconds(lease: float) -> float:
    """How often a process claims without being woken: at most POLL_SECONDS, twice per lease."""
    return min(POLL_SECONDS, lease / 2)


def claim(
    conn: Any, process: str, now: float, limit: int, lease: float, sending: list[str]
) -> list[dict[str, Any]]:
    """Claim up to `limit` rows due by `now` for `lease` seconds, oldest due first; rows this process
    is still sending (`sending`) are left alone (their claim is this process's already)."""
    rows = conn.execute(CLAIM_SQL, (process, lease, now, sending, limit)).fetchall()
    docs = [loads(r[0]) for r in rows]
    docs.sort(key=lambda d: d["due"])
    return docs


def notify_pending(conn: Any, process: str, ops: list[tuple[Any, ...]]) -> None:
    """In the writing transaction: announce its pending rows (one notification per due second)."""
    dues = {
        math.ceil(op[1].get("due") or 0) for op in ops if op[0] == "outbox" and op[1]["status"] == "pending"
    }
    for due in sorted(dues):
        conn.execute(NOTIFY_SQL, (dumps({"r": process, "d": due}).decode(),))
