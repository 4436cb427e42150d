"""Delivery to agents with leases, the agent's side (REQ-DELIVERY-001..016): ack,
progress and the result of a lease (resume `agent_result`), step retries
(REQ-DELIVERY-015), lease expiry and a failed push (T5/T6). Lanes, consumers and
granting leases are in lanes.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.access import (
    check_handler,
    check_read,
    current_step,
    require_agent_writer,
    require_own_agent,
)
from axme_server.engine import SYSTEM_ACTOR, Change, Ctx, EngineCore, public
from axme_server.errors import ApiError
from axme_server.jsonutil import iso
from axme_server.lifecycle import (
    ACKNOWLEDGED,
    DELIVERED,
    FAILED,
    IN_PROGRESS,
    SUBMITTED,
    TERMINAL,
    operation_allowed,
)
from axme_server.outbound.dispatcher import backoff
from axme_server.workflow import refresh_view

if TYPE_CHECKING:
    from axme_server.ports import AgentLookup, FailureRouting, Offering
    from axme_server.workflow import Workflow


class Delivery:
    """What an agent does with a lease (ack, progress, a result), step retries, lease expiry
    and a failed push."""

    def __init__(
        self,
        core: EngineCore,
        lanes: Offering,
        workflow: Workflow,
        reviews: FailureRouting,
        directory: AgentLookup,
    ) -> None:
        self.core = core
        self.lanes = lanes
        self.workflow = workflow
        self.reviews = reviews
        self.directory = directory

    # -- http push (REQ-PUSH-006) ----------------------------------------------
    def end_failed_push(self, ch: Change, delivery_id: str, error: str) -> None:
        """REQ-PUSH-006: T5 (push_failed; the next push after the backoff, by the `retry` timer)
        or T6 when attempts are exhausted."""
        doc = ch.intent
        doc["_delivery"] = None
        doc["_timers"].pop("lease", None)
        if self._delivery_exhausted(ch, delivery_id):
            return
        retry_at = ch.now + backoff(doc["delivery_attempt"])
        self._back_to_submitted(
            ch, delivery_id, "push_failed", binding="http", error=error, retry_at=iso(retry_at)
        )
        doc["_timers"]["retry"] = retry_at

    def _back_to_submitted(self, ch: Change, previous: str | None, reason: str, **extra: Any) -> None:
        """T5: SUBMITTED again with `intent.redelivered` (lease expired or push failed)."""
        doc = ch.intent
        ch.set_status(SUBMITTED, None, doc["pending_with"])
        refresh_view(doc)
        data = {"previous_delivery_id": previous, "attempt": doc["delivery_attempt"], "reason": reason}
        ch.emit("intent.redelivered", actor=SYSTEM_ACTOR, channel="system", data={**data, **extra})

    def _delivery_exhausted(self, ch: Change, previous: str | None) -> bool:
        """T6 when the last attempt ended: FAILED with `intent.delivery_failed`."""
        doc = ch.intent
        if doc["delivery_attempt"] < doc["max_delivery_attempts"]:
            return False
        error = {
            "code": "delivery_failed",
            "message": f"no result after {doc['delivery_attempt']} delivery attempts",
        }
        if self.reviews.route_failure(ch, error, SYSTEM_ACTOR, "system"):  # on_failure review (T24)
            return True
        self.workflow.finish(
            ch,
            FAILED,
            "intent.delivery_failed",
            error=error,
            actor=SYSTEM_ACTOR,
            channel="system",
            data={
                "delivery_attempt": doc["delivery_attempt"],
                "max_delivery_attempts": doc["max_delivery_attempts"],
                "delivery_id": previous,
            },
        )
        return True

    def listener_agent(self, ctx: Ctx, address: str) -> dict[str, Any]:
        """The agent whose deliveries `ctx` wants: its own (or any, for an admin); 403 before any lookup."""
        require_own_agent(
            ctx.principal, self.directory.canonical_address(ctx, address), "receive its deliveries"
        )
        return self.directory.resolve_agent(ctx, address)

    # -- agent writes ------------------------------------------------------
    def _check_delivery(self, doc: dict[str, Any], delivery_id: Any, op: str) -> None:
        if doc["status"] in TERMINAL:
            raise ApiError("intent_terminal", f"intent is already {doc['status']}", {"status": doc["status"]})
        current = (doc.get("_delivery") or {}).get("delivery_id") if doc["status"] != SUBMITTED else None
        if delivery_id is not None and delivery_id != current:
            raise ApiError(
                "stale_delivery",
                "this delivery is no longer current (the lease expired or moved on)",
                {"delivery_id": delivery_id, "current_delivery_id": current},
            )
        if not operation_allowed(op, doc["status"]):
            raise ApiError(
                "invalid_transition",
                f"cannot {op.replace('_', ' ')} an intent in status {doc['status']}",
                {"status": doc["status"], "operation": op},
            )

    def _extend_lease(self, ch: Change) -> float:
        expires: float = ch.now + self.core.settings.lease_seconds
        ch.intent["_delivery"]["lease_expires_at"] = expires
        ch.intent["_timers"]["lease"] = expires
        return expires

    async def ack(self, ctx: Ctx, intent_id: str, body: dict[str, Any]) -> bytes:
        delivery_id = body.get("delivery_id")
        if not isinstance(delivery_id, str) or not delivery_id:
            raise ApiError("validation_error", "delivery_id is required (a string)", {"field": "delivery_id"})
        async with self.core.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
            require_agent_writer(ctx.principal)
            self._check_delivery(doc, delivery_id, "ack")
            check_handler(ctx.principal, doc)
            ch = self.core.change(doc, ctx)
            expires = self._extend_lease(ch)
            if doc["status"] == DELIVERED:
                ch.set_status(ACKNOWLEDGED, None, doc["pending_with"])
                refresh_view(ch.intent)
                ch.emit(
                    "intent.acknowledged",
                    actor=ctx.principal.actor,
                    channel=ctx.channel,
                    data={"delivery_id": delivery_id, "lease_expires_at": iso(expires)},
                )
            return await self.core.apply(
                ch, ctx, {"ok": True, "intent": public(ch.intent), "lease_expires_at": iso(expires)}
            )

    async def progress(self, ctx: Ctx, intent_id: str, r: dict[str, Any]) -> bytes:
        async with self.core.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
            require_agent_writer(ctx.principal)
            self._check_delivery(doc, r.get("delivery_id"), "progress")
            check_handler(ctx.principal, doc)
            ch = self.core.change(doc, ctx)
            expires = self._extend_lease(ch)
            ch.set_status(IN_PROGRESS, None, doc["pending_with"])
            refresh_view(ch.intent)
            ch.emit(
                "intent.progress",
                actor=ctx.principal.actor,
                channel=ctx.channel,
                data={"details": r.get("details") or {}, "lease_expires_at": iso(expires)},
            )
            return await self.core.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    async def agent_result(self, ctx: Ctx, intent_id: str, r: dict[str, Any]) -> bytes:
        async with self.core.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
            require_agent_writer(ctx.principal)
            self._check_delivery(doc, r.get("delivery_id"), "agent_result")
            check_handler(ctx.principal, doc)
            ch = self.core.change(doc, ctx)
            previous = (ch.intent.get("_delivery") or {}).get("delivery_id")
            ch.intent["_delivery"] = None
            ch.intent["_timers"].pop("lease", None)
            ch.intent["_timers"].pop("retry", None)
            actor = ctx.principal.actor
            if r["outcome"] == "complete":
                self.workflow.complete_step(
                    ch, r.get("result") if r.get("result") is not None else {}, actor, ctx.channel, {}
                )
            else:
                error = r.get("error") or {}
                error = {
                    "code": error.get("code") or "agent_error",
                    "message": error.get("message") or "agent reported failure",
                    **({"details": error["details"]} if error.get("details") is not None else {}),
                }
                if not (
                    self._retry_step(ch, error, previous, actor, ctx.channel)
                    or self.reviews.route_failure(ch, error, actor, ctx.channel)
                ):  # on_failure review (T24)
                    self.workflow.finish(ch, FAILED, error=error, actor=actor, channel=ctx.channel)
            return await self.core.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    # -- step retries (REQ-DELIVERY-015) --------------------------------------
    def _retry_step(
        self, ch: Change, error: dict[str, Any], previous: str | None, actor: dict[str, Any], channel: str
    ) -> bool:
        """A failed agent step with retries left runs again after its delay: SUBMITTED now, offered
        when the stored `retry` timer fires. False when no retry is left (the failure stands)."""
        doc = ch.intent
        step = current_step(doc)
        retry = (step or {}).get("retry") or {}
        max_retries = int(retry.get("max_retries") or 0)
        if step is None or step["kind"] != "agent" or step.get("retries", 0) >= max_retries:
            return False
        step["retries"] = step.get("retries", 0) + 1
        delay = float(retry.get("retry_delay_seconds", 30))
        ended = doc["delivery_attempt"]
        doc["delivery_attempt"] = 0  # the step runs afresh
        ch.set_status(SUBMITTED, None, doc["pending_with"])
        refresh_view(doc)
        ch.emit(
            "intent.redelivered",
            actor=actor,
            channel=channel,
            data={
                "previous_delivery_id": previous,
                "attempt": ended,
                "reason": "step_retry",
                "step_id": step["step_id"] if doc["_multi"] else None,
                "retry": step["retries"],
                "max_retries": max_retries,
                "retry_at": iso(ch.now + delay),
                "error": error,
            },
        )
        if delay > 0:
            doc["_timers"]["retry"] = ch.now + delay
        else:
            self.lanes.offer(ch, step["assigned_to"])
        return True

    def timer_retry(self, ch: Change, due: float) -> None:
        doc = ch.intent
        step = current_step(doc)
        if doc["status"] == SUBMITTED and step is not None and step["kind"] == "agent":
            self.lanes.offer(ch, step["assigned_to"])

    # -- lease expiry ------------------------------------------------------
    def timer_lease(self, ch: Change, due: float) -> None:
        doc = ch.intent
        if doc["status"] not in (DELIVERED, ACKNOWLEDGED, IN_PROGRESS):
            return
        previous = doc["_delivery"]["delivery_id"] if doc.get("_delivery") else None
        doc["_delivery"] = None
        if self._delivery_exhausted(ch, previous):
            return
        step = current_step(doc)
        assert step is not None
        self._back_to_submitted(ch, previous, "lease_expired")
        self.lanes.offer(ch, step["assigned_to"])
