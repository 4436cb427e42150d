"""The http push binding (REQ-PUSH-003..008): a lease for an agent with
`delivery_mode: "http"` writes an outbox row in the lease's own transaction; the
dispatcher POSTs the Delivery JSON, signed with every valid callback secret; a 2xx
leaves the lease standing, anything else ends the delivery (push_failed, then the
next push after the backoff, or FAILED when attempts are exhausted)."""

from __future__ import annotations

import time
from typing import Any

from axme_server.cluster import RETRIES, StaleWrite
from axme_server.jsonutil import dumps
from axme_server.lifecycle import DELIVERED
from axme_server.outbound import secrets
from axme_server.outbound.dispatcher import Request
from axme_server.outbound.outbox import FAILED, PENDING, SENT, new_row, ops, settled
from axme_server.outbound.sender import Attempt

CHANNEL = "push"
USER_AGENT = "axme-server (push)"


def push_row(delivery: dict[str, Any], agent: dict[str, Any], now: float) -> dict[str, Any]:
    """The outbox row of one push; its id is the delivery id (X-Axme-Delivery-Id)."""
    return new_row(
        delivery["delivery_id"],
        CHANNEL,
        agent["callback_url"],
        dumps(delivery),
        now,
        intent_id=delivery["intent_id"],
        meta={"agent": agent["address"], "attempt": delivery["attempt"]},
    )


def is_current(doc: dict[str, Any] | None, delivery_id: str) -> bool:
    """The push's lease still stands and no one has acted on it."""
    return (
        doc is not None
        and doc["status"] == DELIVERED
        and (doc.get("_delivery") or {}).get("delivery_id") == delivery_id
    )


class PushChannel:
    name = CHANNEL

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def prepare(self, row: dict[str, Any]) -> Request | None:
        engine = self.engine
        # on a shared store the lease may be another replica's write this one has not heard of yet
        doc = (
            engine.store.get_intent(row["intent_id"])
            if getattr(engine.store, "shared", False)
            else engine.core.cached_intent(row["intent_id"])
        )
        if not is_current(doc, row["outbox_id"]):
            return None  # acked, expired, redelivered or finished meanwhile: the push is moot
        agent = engine.core.agent(row["meta"]["agent"])
        keys = secrets.valid((agent or {}).get("_callback_secrets"), engine.clock.now())
        if agent is None or agent.get("delivery_mode") != "http" or not keys:
            return None
        body = row["body"].encode()
        return Request(
            row["url"],
            body,
            {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "x-axme-delivery-id": row["outbox_id"],
                # wall-clock t (never the test clock's offset): receivers check it against theirs
                "x-axme-signature": secrets.signature_header(keys, int(time.time()), body),
            },
        )

    async def settle(self, row: dict[str, Any], attempt: Attempt) -> None:
        engine = self.engine
        number = row["attempts"] + 1
        record = attempt.record(row["outbox_id"], number)
        if attempt.ok:  # delivered: the lease stands; the agent acks and resumes over the API
            await engine.store.write(ops(settled(row, record, SENT), record))
            return
        for _ in range(RETRIES + 1):
            try:
                return await self._settle_failure(row, record, attempt)
            except StaleWrite:  # another replica wrote the intent meanwhile: again, on fresh state
                continue

    async def _settle_failure(self, row: dict[str, Any], record: dict[str, Any], attempt: Attempt) -> None:
        engine = self.engine
        async with engine.core.intent_lock(row["intent_id"]):
            doc = engine.core.cached_intent(row["intent_id"])
            if not is_current(doc, row["outbox_id"]) or _settled_elsewhere(
                engine, row["outbox_id"], row["intent_id"]
            ):
                await engine.store.write(ops(settled(row, record, FAILED), record))
                return
            ch = engine.core.change(doc)
            engine.delivery.end_failed_push(ch, row["outbox_id"], attempt.error or "push failed")
            ch.ops.extend(ops(settled(row, record, FAILED), record))
            await engine.core.apply(ch)


def _settled_elsewhere(engine: Any, outbox_id: str, intent_id: str) -> bool:
    """Shared store: another replica sent this push meanwhile (it claimed the row after this one's
    claim expired); its 2xx stands, so this attempt's failure only goes on record."""
    if not getattr(engine.store, "shared", False):
        return False
    rows = engine.store.list_outbox(intent_id=intent_id)
    return any(r["outbox_id"] == outbox_id and r["status"] != PENDING for r in rows)
