"""Outbox rows and attempt records (tables `outbox`, `outbox_attempts`).

A row is written with the transition that causes it (an op in `Change.ops`), so a
commit and its outbound work land together or not at all (REQ-PUSH-008). Status:
`pending` (to send; re-sent after a restart), `sent` (a 2xx was recorded), `failed`
(given up), `canceled` (what it was for moved on before it was sent)."""

from __future__ import annotations

from typing import Any

from axme_server.store.base import WriteOp

PENDING, SENT, FAILED, CANCELED = "pending", "sent", "failed", "canceled"


def new_row(
    outbox_id: str,
    channel: str,
    url: str,
    body: bytes,
    now: float,
    *,
    intent_id: str | None = None,
    max_attempts: int = 1,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`outbox_id` is the stable id receivers dedupe by; `meta` is the channel's own data."""
    return {
        "outbox_id": outbox_id,
        "channel": channel,
        "intent_id": intent_id,
        "url": url,
        "body": body.decode(),
        "status": PENDING,
        "attempts": 0,
        "max_attempts": max_attempts,
        "due": now,
        "created_at": now,
        "last_status": None,
        "last_error": None,
        "meta": meta or {},
    }


def settled(
    row: dict[str, Any], attempt: dict[str, Any], status: str, due: float | None = None
) -> dict[str, Any]:
    """A copy of `row` after `attempt`, in `status` (for `pending`: next try at `due`)."""
    out = dict(
        row,
        status=status,
        attempts=row["attempts"] + 1,
        last_status=attempt["http_status"],
        last_error=attempt["error"],
    )
    if due is not None:
        out["due"] = due
    return out


def ops(row: dict[str, Any], attempt: dict[str, Any] | None = None) -> list[WriteOp]:
    """Store ops that persist `row` (and the attempt that led to it)."""
    out: list[WriteOp] = [("outbox", row)]
    if attempt is not None:
        out.append(("outbox_attempt", attempt))
    return out
