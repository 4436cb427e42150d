"""Agent lanes (REQ-DELIVERY-001..016): each agent has a lane, an ordered set of
intents ready to lease (status SUBMITTED on one of its agent steps) and the consumers
currently listening (SSE streams, long polls). A lease is a committed transition
SUBMITTED -> DELIVERED with a fresh delivery_id; its expiry is a stored timer. When a
consumer is already waiting, the lease is folded into the transaction that made the
intent ready (create, next step, redelivery): one commit, no queue hop. An http agent's
lease is a push: an outbox row in the same commit (REQ-PUSH-008).

A consumer whose connection is gone (or closing) is offered nothing. A lease whose
frame never reached its connection (it closed between the lease and the write) is
handed back at once: SUBMITTED again, the attempt not counted, `intent.redelivered`
reason `consumer_gone`, and offered to the next consumer in the same commit; nothing
waits for the lease to expire. What agents do with a lease (ack, progress, result) and
lease expiry are in delivery.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from axme_server.access import current_step
from axme_server.cluster import StaleWrite
from axme_server.engine import SYSTEM_ACTOR, Change, EngineCore, public
from axme_server.hub import Subscription
from axme_server.jsonutil import iso, new_uuid
from axme_server.lifecycle import DELIVERED, SUBMITTED
from axme_server.outbound import Dispatcher
from axme_server.outbound.push import push_row
from axme_server.workflow import refresh_view

log = logging.getLogger("axme_server.lanes")


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


def _ready_for(doc: dict[str, Any], address: str) -> bool:
    """`doc` still waits for `address` to lease it (not moved on, not waiting for a step retry)."""
    step = current_step(doc)
    return (
        doc["status"] == SUBMITTED
        and step is not None
        and step["kind"] == "agent"
        and step["assigned_to"] == address
        and "retry" not in doc["_timers"]
    )


class Lanes:
    """Offers ready intents to the agents' listeners (or pushes them to http agents)."""

    def __init__(self, core: EngineCore, outbound: Dispatcher) -> None:
        self.core = core
        self.outbound = outbound
        self.lanes: dict[str, Lane] = {}

    def ready_elsewhere(self, address: str, intent_id: str) -> None:
        """Another server process made `intent_id` ready for `address`: offer it here if this
        process has the agent's lane (a listener may wait on it)."""
        if address in self.lanes:
            self._mark_ready(address, intent_id)

    def _push_agent(self, address: str) -> dict[str, Any] | None:
        agent = self.core.agent(address)
        return agent if agent is not None and agent.get("delivery_mode") == "http" else None

    def _lease_push(self, ch: Change, agent: dict[str, Any]) -> None:
        """Lease to an http agent: the push is an outbox row in this same commit (REQ-PUSH-008)."""
        self._grant_lease(ch, agent["address"], "http")
        row = push_row(delivery_json(ch.intent), agent, ch.now)
        ch.ops.append(("outbox", row))
        ch.after.append(lambda: self.outbound.enqueue(row))

    async def _push_ready(self, intent_id: str, address: str) -> None:
        async with self.core.intent_lock(intent_id):
            doc = self.core.cached_intent(intent_id)
            agent = self._push_agent(address)
            if doc is None or agent is None or not _ready_for(doc, address):
                return
            ch = self.core.change(doc)
            self._lease_push(ch, agent)
            await self.core.apply(ch)

    # -- lanes -------------------------------------------------------------
    def lane(self, address: str) -> Lane:
        """The agent's lane; made on first use (a listener, a poll, an intent offered to it) with the
        agent's ready backlog from the store, so start-up does not read every SUBMITTED intent
        (issue 16). Intents offered later are queued after that backlog by `_mark_ready`."""
        lane = self.lanes.get(address)
        if lane is None:
            lane = self.lanes[address] = Lane()
            lane.ready = dict.fromkeys(
                self.core.store.ready_deliveries_to(address)
            )  # a retry waits for its timer
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
        # the pump's reservation is kept while the lock (and, on PostgreSQL, the reload) is awaited,
        # so a long poll waits for this lease instead of answering without it; _lease_into reserves again
        released = False
        try:
            async with self.core.intent_lock(intent_id):
                consumer.reserved -= 1
                released = True
                await self._lease_locked(intent_id, address, consumer)
        finally:
            if not released:
                consumer.reserved -= 1

    async def _lease_locked(self, intent_id: str, address: str, consumer: Consumer) -> None:
        """_lease_ready under the intent lock: lease it to `consumer` if still ready for it."""
        doc = self.core.cached_intent(intent_id)
        if doc is None or not _ready_for(doc, address):
            return
        # gone meanwhile: keep it ready for the next one. (Detached is not gone: a poll stops
        # taking new leases once one arrives, and waits for those reserved before.)
        if consumer.closed or not consumer.connection_open():
            self.lane(address).ready[intent_id] = None
            return
        ch = self.core.change(doc)
        self._lease_into(ch, consumer)
        try:
            await self.core.apply(ch)
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
        expires: float = ch.now + self.core.settings.lease_seconds
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
        async with self.core.intent_lock(intent_id):
            doc = self.core.cached_intent(intent_id)
            if (
                doc is None
                or doc["status"] != DELIVERED
                or (doc.get("_delivery") or {}).get("delivery_id") != delivery_id
            ):
                return  # acknowledged, resumed, expired or moved on meanwhile: nothing to hand back
            ch = self.core.change(doc)
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
                await self.core.apply(ch)
            except Exception:  # e.g. the store closing at shutdown: the lease then expires as usual
                log.exception("could not hand back delivery %s of %s", delivery_id, intent_id)

    def push_ready_lanes(self) -> None:
        """At start: what waits for an http agent is pushed (leased) now. Other agents' lanes load
        on first use (`lane`); the agents are few next to the intents."""
        loop = asyncio.get_running_loop()
        for ws in self.core.store.list_workspaces():
            cursor = None
            while page := self.core.store.list_agents(ws["workspace_id"], 500, cursor):
                cursor = page[-1]["address"]
                for agent in page:
                    if agent.get("delivery_mode") != "http":
                        continue
                    lane = self.lane(agent["address"])
                    for intent_id in lane.ready:
                        loop.create_task(self._push_ready(intent_id, agent["address"]))
                    lane.ready.clear()
