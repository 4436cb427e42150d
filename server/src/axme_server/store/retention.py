"""Retention (REQ-LIFECYCLE-015, REQ-IDEMP-006, REQ-NOTIFY-010): terminal intents (with their events,
tasks, finished outbound pushes and side-table rows), idempotency records and used-link markers older
than their window are deleted in small batches, each batch one write of its own so live writes interleave.

Defaults: terminal intents are kept forever (the audit trail is what the product
promises), idempotency records 24 hours (REQ-IDEMP-006), the `link_used:<jti>` marker of a
used decision link as long as a link lives at most (7 days from its use: by then the link is
refused as expired, so the marker decides nothing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axme_server.jsonutil import iso
from axme_server.notify.links import MAX_LIFETIME_SECONDS
from axme_server.store.writes import bump_count

log = logging.getLogger("axme_server.store")


@dataclass(frozen=True)
class RetentionPolicy:
    intents_days: float | None = None  # None: terminal intents are never deleted
    idempotency_hours: float | None = 24.0  # None: never deleted
    link_marker_seconds: float | None = MAX_LIFETIME_SECONDS  # None: never deleted
    batch: int = 200  # rows per transaction
    interval_seconds: float = 60.0  # between passes

    @property
    def enabled(self) -> bool:
        return self.intents_days is not None or self.idempotency_hours is not None


def prune_batch(conn: Any, policy: RetentionPolicy, now: float) -> dict[str, Any]:
    """One batch, inside the writer's transaction. Returns the intent ids and record count deleted."""
    pruned: list[str] = []
    if policy.intents_days is not None:
        rows = conn.execute(
            "SELECT rid, intent_id, workspace_id, status, parties FROM intents WHERE ended_at < ?"
            " ORDER BY ended_at LIMIT ?",
            (now - policy.intents_days * 86400, policy.batch),
        ).fetchall()
        for rid, intent_id, ws, status, parties in rows:
            conn.execute("DELETE FROM events WHERE intent_id=?", (intent_id,))
            for (task_rid,) in conn.execute(
                "SELECT rid FROM tasks WHERE intent_id=?", (intent_id,)
            ).fetchall():
                conn.execute("DELETE FROM task_assignees WHERE task_rid=?", (task_rid,))
            conn.execute("DELETE FROM tasks WHERE intent_id=?", (intent_id,))
            done = "SELECT outbox_id FROM outbox WHERE intent_id=? AND status <> 'pending'"  # pushes still due stay
            conn.execute(f"DELETE FROM outbox_attempts WHERE outbox_id IN ({done})", (intent_id,))
            conn.execute(f"DELETE FROM outbox WHERE outbox_id IN ({done})", (intent_id,))
            for party in (parties or "").split():
                conn.execute(
                    "DELETE FROM intent_parties WHERE workspace_id=? AND party=? AND intent_rid=?",
                    (ws, party, rid),
                )
            conn.execute("DELETE FROM intents WHERE rid=?", (rid,))
            bump_count(conn, ws, status, -1)
            pruned.append(intent_id)
    records = 0
    if policy.idempotency_hours is not None:
        records = conn.execute(
            "DELETE FROM idempotency WHERE scope_key IN (SELECT scope_key FROM idempotency WHERE created_at < ?"
            " ORDER BY created_at LIMIT ?)",
            (now - policy.idempotency_hours * 3600, policy.batch),
        ).rowcount
    return {"intents": pruned, "idempotency": records, "link_markers": _prune_link_markers(conn, policy, now)}


LINK_MARKER = "link_used:"  # notify/decide.py writes ("meta", "link_used:<jti>", iso(time of use))
_MARKERS_BEFORE = (  # substr, not LIKE: `_` is a LIKE wildcard; the value is iso(), ordered as text
    f"DELETE FROM meta WHERE k IN (SELECT k FROM meta WHERE substr(k, 1, {len(LINK_MARKER)}) = '{LINK_MARKER}'"
    " AND v < ? LIMIT ?)"
)


def _prune_link_markers(conn: Any, policy: RetentionPolicy, now: float) -> int:
    """Markers of links used longer ago than a link lives: each such link has expired since."""
    if policy.link_marker_seconds is None:
        return 0
    deleted: int = conn.execute(
        _MARKERS_BEFORE, (iso(now - policy.link_marker_seconds), policy.batch)
    ).rowcount
    return deleted


async def run_retention(
    store: Any,
    now: Callable[[], float],
    policy: RetentionPolicy,
    on_pruned: Callable[[list[str]], None] | None = None,
) -> None:
    """Background task: a pass every `policy.interval_seconds` until cancelled."""
    while True:
        try:
            intents, records, markers = await store.prune(policy, now(), on_pruned)
            if intents or records or markers:
                log.info(
                    "retention: deleted %d terminal intents, %d idempotency records and %d used-link markers",
                    intents,
                    records,
                    markers,
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed pass is retried on the next one
            log.exception("retention pass failed")
        await asyncio.sleep(policy.interval_seconds)
