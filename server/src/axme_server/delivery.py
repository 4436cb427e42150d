"""Delivery to agents with leases (REQ-DELIVERY-001..016).

Each agent has a lane: an ordered set of intents ready to lease (status
SUBMITTED on one of its agent steps) and the consumers currently listening
(SSE streams, long polls). A lease is a committed transition SUBMITTED ->
DELIVERED with a fresh delivery_id; its expiry is a stored timer. When a
consumer is already waiting, the lease is folded into the transaction that
made the intent ready (create, next step, redelivery): one commit, no queue hop.

A consumer whose connection is gone (or closing) is offered nothing. A lease
whose frame never reached its connection (it closed between the lease and the
write) is handed back at once: SUBMITTED again, the attempt not counted,
`intent.redelivered` reason `consumer_gone`, and offered to the next consumer in
the same commit; nothing waits for the lease to expire.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from axme_server.access import (
    check_handler,
    check_read,
    current_step,
    require_agent_writer,
    require_own_agent,
)
from axme_server.cluster import StaleWrite
from axme_server.engine import SYSTEM_ACTOR, Change, Ctx, public
from axme_server.errors import ApiError
from axme_server.hub import Subscription
from axme_server.jsonutil import iso, new_uuid
from axme_server.lifecycle import (
    ACKNOWLEDGED,
    DELIVERED,
    FAILED,
    IN_PROGRESS,
    SUBMITTED,
    TERMINAL,
    operation_allowed,
)
from axme_server.notify.channels import register_channels
from axme_server.outbound import Dispatcher, OutboundSettings
from axme_server.outbound.dispatcher import backoff
from axme_server.outbound.push import PushChannel, push_row
from axme_server.workflow import refresh_view

log = logging.getLogger("axme_server.delivery")


def _always() -> bool:
    return True


class Consumer:
    """One listening connection of an agent; `capacity` None = a stream (unbounded).
    `connection_open` tells whether its HTTP connection can still take bytes."""

    def __init__(
        self, address: str, capacity: int | None, connection_open: Callable[[], bool] | None
    ) -> None:
        self.address = address
        self.binding = "stream" if capacity is None else "poll"
        self.capacity = capacity
        self.connection_open = connection_open or _always
        self.sub = Subscription()
        self.reserved = 0  # leases claimed for this consumer (committed or in flight)
        self.delivered = 0
        self.open = True  # offered new leases
        self.closed = False  # no longer reads `sub`: a lease that commits now is handed back

    def wants(self) -> bool:
        return (
            self.open and (self.capacity is None or self.reserved < self.capacity) and self.connection_open()
        )


class Lane:
    def __init__(self) -> None:
        self.ready: dict[str, None] = {}
        self.consumers: list[Consumer] = []
        self.rr = 0
        self.pumping = False

    def pick(self) -> Consumer | None:
        n = len(self.consumers)
        for i in range(n):
            c = self.consumers[(self.rr + i) % n]
            if c.wants():
                self.rr = (self.rr + i + 1) % n
                return c
        return None


_cursor_last = 0


def next_cursor() -> int:
    """Per-agent stream ids: an opaque, increasing integer (microseconds, strictly monotonic)."""
    global _cursor_last
    _cursor_last = max(_cursor_last + 1, time.time_ns() // 1000)
    return _cursor_last


def delivery_json(doc: dict[str, Any]) -> dict[str, Any]:
    d = doc["_delivery"]
    step = current_step(doc)
    return {
        "delivery_id": d["delivery_id"],
        "intent_id": doc["intent_id"],
        "attempt": d["attempt"],
        "lease_expires_at": iso(d["lease_expires_at"]),
        "status": "DELIVERED",
        "step_id": step["step_id"] if step is not None and doc["_multi"] else None,
        "cursor": str(d["cursor"]),
        "intent": public(doc),
    }


class DeliveryOps:
    # -- http push (REQ-PUSH-*) ----------------------------------------------
    @property
    def outbound(self) -> Dispatcher:
        """The outbound dispatcher (created on first use; started by Engine.start)."""
        dispatcher = self.__dict__.get("_outbound")
        if dispatcher is None:
            settings = self.__dict__.get("outbound_settings") or OutboundSettings()
            dispatcher = self.__dict__["_outbound"] = Dispatcher(self.store, self.clock, settings)
            dispatcher.register(PushChannel(self))
            register_channels(dispatcher, self)  # notifications (REQ-NOTIFY-003)
        return dispatcher

    def _push_agent(self, address: str) -> dict[str, Any] | None:
        agent = self.agent(address)
        return agent if agent is not None and agent.get("delivery_mode") == "http" else None

    def _lease_push(self, ch: Change, agent: dict[str, Any]) -> None:
        """Lease to an http agent: the push is an outbox row in this same commit (REQ-PUSH-008)."""
        self._grant_lease(ch, agent["address"], "http")
        row = push_row(delivery_json(ch.intent), agent, ch.now)
        ch.ops.append(("outbox", row))
        ch.after.append(lambda: self.outbound.enqueue(row))

    async def _push_ready(self, intent_id: str, address: str) -> None:
        async with self.intent_lock(intent_id):
            doc = self.cached_intent(intent_id)
            step = current_step(doc) if doc else None
            agent = self._push_agent(address)
            if (
                doc is None
                or agent is None
                or doc["status"] != SUBMITTED
                or step is None
                or step["kind"] != "agent"
                or step["assigned_to"] != address
                or "retry" in doc["_timers"]
            ):
                return
            ch = self.change(doc)
            self._lease_push(ch, agent)
            await self.apply(ch)

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
        if self.route_failure(ch, error, SYSTEM_ACTOR, "system"):  # on_failure review (T24)
            return True
        self.finish(
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

    # -- lanes -------------------------------------------------------------
    def lane(self, address: str) -> Lane:
        """The agent's lane; made on first use (a listener, a poll, an intent offered to it) with the
        agent's ready backlog from the store, so start-up does not read every SUBMITTED intent
        (issue 16). Intents offered later are queued after that backlog by `_mark_ready`."""
        lanes: dict[str, Lane] = self.__dict__.setdefault("_lanes", {})
        lane = lanes.get(address)
        if lane is None:
            lane = lanes[address] = Lane()
            lane.ready = dict.fromkeys(self.store.ready_deliveries_to(address))  # a retry waits for its timer
        return lane

    def offer(self, ch: Change, address: str) -> None:
        """`ch` made its intent ready for `address`: lease now if someone listens (or, for an
        http agent, push now), else queue."""
        agent = self._push_agent(address)
        if agent is not None:
            self._lease_push(ch, agent)
            return
        lane = self.lane(address)
        consumer = lane.pick() if not lane.ready else None
        intent_id = ch.intent["intent_id"]
        if consumer is None:
            ch.after.append(lambda: self._mark_ready(address, intent_id))
            return
        self._lease_into(ch, consumer)

    def _mark_ready(self, address: str, intent_id: str) -> None:
        lane = self.lane(address)
        lane.ready[intent_id] = None
        self._kick(address, lane)

    def _kick(self, address: str, lane: Lane) -> None:
        if lane.ready and not lane.pumping and any(c.wants() for c in lane.consumers):
            lane.pumping = True
            asyncio.get_running_loop().create_task(self._pump(address, lane))

    async def _pump(self, address: str, lane: Lane) -> None:
        try:
            while lane.ready:
                jobs: list[Awaitable[None]] = []
                while lane.ready and len(jobs) < 64:
                    consumer = lane.pick()
                    if consumer is None:
                        break
                    intent_id = next(iter(lane.ready))
                    del lane.ready[intent_id]
                    consumer.reserved += 1
                    jobs.append(self._lease_ready(intent_id, address, consumer))
                if not jobs:
                    break
                await asyncio.gather(*jobs)
        finally:
            lane.pumping = False
        self._kick(address, lane)

    async def _lease_ready(self, intent_id: str, address: str, consumer: Consumer) -> None:
        consumer.reserved -= 1  # _lease_into reserves again
        async with self.intent_lock(intent_id):
            doc = self.cached_intent(intent_id)
            step = current_step(doc) if doc else None
            if (
                doc is None
                or doc["status"] != SUBMITTED
                or step is None
                or step["kind"] != "agent"
                or step["assigned_to"] != address
                or "retry" in doc["_timers"]
            ):
                return
            if not consumer.wants():  # went away meanwhile: keep it ready for the next one
                self.lane(address).ready[intent_id] = None
                return
            ch = self.change(doc)
            self._lease_into(ch, consumer)
            try:
                await self.apply(ch)
            except StaleWrite:  # another server process leased or changed it first (its notice re-offers)
                pass

    def _lease_into(self, ch: Change, consumer: Consumer) -> None:
        doc = ch.intent
        consumer.reserved += 1
        self._grant_lease(ch, consumer.address, consumer.binding)

        def push() -> None:
            consumer.delivered += 1
            if consumer.closed or not consumer.connection_open():
                self.hand_back(consumer, [delivery_json(doc)])
            else:
                consumer.sub.push(delivery_json(doc))

        def undo() -> None:
            consumer.reserved -= 1

        ch.after.append(push)
        ch.on_fail.append(undo)

    def _grant_lease(self, ch: Change, address: str, binding: str) -> None:
        """T2: a fresh delivery_id and lease for `address` over `binding`."""
        doc = ch.intent
        doc["delivery_attempt"] += 1
        expires: float = ch.now + self.settings.lease_seconds
        doc["_delivery"] = {
            "delivery_id": new_uuid(),
            "attempt": doc["delivery_attempt"],
            "lease_expires_at": expires,
            "cursor": next_cursor(),
            "agent": address,
        }
        doc["_timers"]["lease"] = expires
        ch.set_status(DELIVERED, None, doc["pending_with"])
        refresh_view(doc)
        step = current_step(doc)
        ch.emit(
            "intent.delivered",
            actor=SYSTEM_ACTOR,
            channel="system",
            data={
                "delivery_id": doc["_delivery"]["delivery_id"],
                "attempt": doc["delivery_attempt"],
                "lease_expires_at": iso(expires),
                "binding": binding,
                "step_id": step["step_id"] if step is not None and doc["_multi"] else None,
            },
        )

    # -- consumers ---------------------------------------------------------
    def attach(
        self, address: str, capacity: int | None, connection_open: Callable[[], bool] | None = None
    ) -> Consumer:
        consumer = Consumer(address, capacity, connection_open)
        lane = self.lane(address)
        lane.consumers.append(consumer)
        self._kick(address, lane)
        return consumer

    def detach(self, consumer: Consumer) -> None:
        consumer.open = False
        lane = self.lane(consumer.address)
        if consumer in lane.consumers:
            lane.consumers.remove(consumer)

    def finish_consumer(self, consumer: Consumer, unsent: list[dict[str, Any]]) -> None:
        """The consumer is done: leases it holds but never wrote out (`unsent`, and whatever still
        waits in its buffer) go back now; leases committing later go back as they land."""
        self.detach(consumer)
        consumer.closed = True
        leftovers = [*unsent, *consumer.sub.items]
        consumer.sub.items.clear()
        if leftovers:
            self.hand_back(consumer, leftovers)

    def hand_back(self, consumer: Consumer, deliveries: list[dict[str, Any]]) -> None:
        loop = asyncio.get_running_loop()
        for d in deliveries:
            loop.create_task(self._release_lease(d["intent_id"], d["delivery_id"], consumer.binding))

    async def _release_lease(self, intent_id: str, delivery_id: str, binding: str) -> None:
        """T5 without the wait: the delivery never left the server, so it does not count as an attempt."""
        async with self.intent_lock(intent_id):
            doc = self.cached_intent(intent_id)
            if (
                doc is None
                or doc["status"] != DELIVERED
                or (doc.get("_delivery") or {}).get("delivery_id") != delivery_id
            ):
                return  # acknowledged, resumed, expired or moved on meanwhile: nothing to hand back
            ch = self.change(doc)
            doc = ch.intent
            ended = doc["delivery_attempt"]
            doc["delivery_attempt"] -= 1
            doc["_delivery"] = None
            doc["_timers"].pop("lease", None)
            ch.set_status(SUBMITTED, None, doc["pending_with"])
            refresh_view(doc)
            ch.emit(
                "intent.redelivered",
                actor=SYSTEM_ACTOR,
                channel="system",
                data={
                    "previous_delivery_id": delivery_id,
                    "attempt": ended,
                    "reason": "consumer_gone",
                    "binding": binding,
                },
            )
            step = current_step(doc)
            assert step is not None
            self.offer(ch, step["assigned_to"])
            try:
                await self.apply(ch)
            except Exception:  # e.g. the store closing at shutdown: the lease then expires as usual
                log.exception("could not hand back delivery %s of %s", delivery_id, intent_id)

    def push_ready_lanes(self) -> None:
        """At start: what waits for an http agent is pushed (leased) now. Other agents' lanes load
        on first use (`lane`); the agents are few next to the intents."""
        loop = asyncio.get_running_loop()
        for ws in self.store.list_workspaces():
            cursor = None
            while page := self.store.list_agents(ws["workspace_id"], 500, cursor):
                cursor = page[-1]["address"]
                for agent in page:
                    if agent.get("delivery_mode") != "http":
                        continue
                    lane = self.lane(agent["address"])
                    for intent_id in lane.ready:
                        loop.create_task(self._push_ready(intent_id, agent["address"]))
                    lane.ready.clear()

    def listener_agent(self, ctx: Ctx, address: str) -> dict[str, Any]:
        """The agent whose deliveries `ctx` wants: its own (or any, for an admin); 403 before any lookup."""
        require_own_agent(ctx.principal, self.canonical_address(ctx, address), "receive its deliveries")
        return self.resolve_agent(ctx, address)

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
        expires: float = ch.now + self.settings.lease_seconds
        ch.intent["_delivery"]["lease_expires_at"] = expires
        ch.intent["_timers"]["lease"] = expires
        return expires

    async def ack(self, ctx: Ctx, intent_id: str, body: dict[str, Any]) -> bytes:
        delivery_id = body.get("delivery_id")
        if not isinstance(delivery_id, str) or not delivery_id:
            raise ApiError("validation_error", "delivery_id is required (a string)", {"field": "delivery_id"})
        async with self.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.cached_intent(intent_id))
            require_agent_writer(ctx.principal)
            self._check_delivery(doc, delivery_id, "ack")
            check_handler(ctx.principal, doc)
            ch = self.change(doc, ctx)
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
            return await self.apply(
                ch, ctx, {"ok": True, "intent": public(ch.intent), "lease_expires_at": iso(expires)}
            )

    async def progress(self, ctx: Ctx, intent_id: str, r: dict[str, Any]) -> bytes:
        async with self.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.cached_intent(intent_id))
            require_agent_writer(ctx.principal)
            self._check_delivery(doc, r.get("delivery_id"), "progress")
            check_handler(ctx.principal, doc)
            ch = self.change(doc, ctx)
            expires = self._extend_lease(ch)
            ch.set_status(IN_PROGRESS, None, doc["pending_with"])
            refresh_view(ch.intent)
            ch.emit(
                "intent.progress",
                actor=ctx.principal.actor,
                channel=ctx.channel,
                data={"details": r.get("details") or {}, "lease_expires_at": iso(expires)},
            )
            return await self.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    async def agent_result(self, ctx: Ctx, intent_id: str, r: dict[str, Any]) -> bytes:
        async with self.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.cached_intent(intent_id))
            require_agent_writer(ctx.principal)
            self._check_delivery(doc, r.get("delivery_id"), "agent_result")
            check_handler(ctx.principal, doc)
            ch = self.change(doc, ctx)
            previous = (ch.intent.get("_delivery") or {}).get("delivery_id")
            ch.intent["_delivery"] = None
            ch.intent["_timers"].pop("lease", None)
            ch.intent["_timers"].pop("retry", None)
            actor = ctx.principal.actor
            if r["outcome"] == "complete":
                self.complete_step(
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
                    or self.route_failure(ch, error, actor, ctx.channel)
                ):  # on_failure review (T24)
                    self.finish(ch, FAILED, error=error, actor=actor, channel=ctx.channel)
            return await self.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

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
            self.offer(ch, step["assigned_to"])
        return True

    def _timer_retry(self, ch: Change, due: float) -> None:
        doc = ch.intent
        step = current_step(doc)
        if doc["status"] == SUBMITTED and step is not None and step["kind"] == "agent":
            self.offer(ch, step["assigned_to"])

    # -- lease expiry ------------------------------------------------------
    def _timer_lease(self, ch: Change, due: float) -> None:
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
        self.offer(ch, step["assigned_to"])
