"""The engine core: committed-state cache, per-intent locks, and the one write
path (`apply`) every transition goes through:

    lock intent -> clone committed doc -> mutate (Change) -> store.write(doc +
    events + extra ops, one transaction) -> swap into cache -> wake streams ->
    schedule timers / offer deliveries -> answer.

Readers only ever see committed state, and only once it is published: the
cache swap is the one moment a transition becomes visible. A commit reaches
SQLite a little before apply() resumes, so events read from the store are
bounded by the cached document's last_seq (`visible_events`): no reader sees
an event before its status (REQ-LIFECYCLE-006).
Active intents are an LRU bounded by `active_cache_size` and load from the
store on a miss. An intent whose lock is held is never evicted, so a write in
flight always finds its intent cached and no miss can read an unpublished commit.
The operations are services composed on top of this core (service.py); the core
takes the store, the clock and the fan-out (`Hub`, or cluster publish on a shared
store) as plug points, and fires timers through an explicit table of handlers
(`timer_handlers`, kind -> the service that owns it)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from axme_server import cluster
from axme_server.auth import KeyRing, Principal
from axme_server.clock import Clock
from axme_server.errors import ApiError
from axme_server.hub import Hub
from axme_server.jsonutil import clone, dumps, iso, loads
from axme_server.lifecycle import TERMINAL, can_transition
from axme_server.limits import DEFAULT as DEFAULT_LIMITS
from axme_server.limits import LruCache
from axme_server.store.base import Store
from axme_server.timers import TimerIndex

log = logging.getLogger("axme_server.engine")


Op = tuple[Any, ...]  # one store write: ("intent", doc), ("event", ev), ("outbox", row), …


@dataclass
class Settings:
    lease_seconds: float = 60.0
    keepalive_seconds: float = 15.0
    testing: bool = False
    # finished intents kept serialized for reads right after the end; the rest read from the
    # store. 20,000 held ~300 MB of heap under load (server/README.md, "Sustained")
    terminal_cache_size: int = 1000
    active_cache_size: int = 20000  # active intents kept in memory; the rest load on demand


@dataclass
class Ctx:
    """Who is asking, through which channel, and the idempotency slot to fill on success."""

    principal: Principal
    channel: str = "api"
    idem: tuple[str, str] | None = None  # (scope_key, body_hash)
    idem_written: bool = False  # a write of this request carried the idempotency record


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k[0] != "_"}


@dataclass
class Change:
    """A pending transition of one intent: the mutated clone plus its new events."""

    intent: dict[str, Any]
    now: float
    new: bool = False
    actor: dict[str, Any] | None = None  # default actor/channel of this change's events
    channel: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)
    orig_timers: dict[str, float] = field(default_factory=dict)
    on_fail: list[Callable[[], None]] = field(default_factory=list)
    at: str | None = None  # iso(now), formatted once per change

    def set_status(
        self, status: str, waiting_reason: str | None = None, pending_with: dict[str, Any] | None = None
    ) -> None:
        doc = self.intent
        if status != doc["status"] and not can_transition(doc["status"], status):
            raise ApiError(
                "invalid_transition",
                f"cannot move intent from {doc['status']} to {status}",
                {"from": doc["status"], "to": status},
            )
        doc["status"] = doc["lifecycle_status"] = status
        doc["waiting_reason"] = waiting_reason
        doc["pending_with"] = pending_with
        if status in TERMINAL:
            doc["pending_with"] = None
            doc["waiting_reason"] = None
            doc["current_step"] = None
            doc["_timers"] = {}
            doc["_delivery"] = None

    def emit(
        self,
        event_type: str,
        *,
        actor: dict[str, Any] | None = None,
        channel: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        doc = self.intent
        doc["last_seq"] += 1
        if actor is None:
            actor, channel = self.actor, self.channel
        at = self.at
        if at is None:
            at = self.at = iso(self.now)
        doc["updated_at"] = at
        ev = {
            "intent_id": doc["intent_id"],
            "seq": doc["last_seq"],
            "event_type": event_type,
            "at": at,
            "status": doc["status"],
            "waiting_reason": doc["waiting_reason"],
            "pending_with": doc["pending_with"],
            "actor": actor,
            "channel": channel,
            "data": data or {},
        }
        self.events.append(ev)
        return ev


LOGGED_INTENTS = 20_000  # at most this many in-memory event logs
LOG_EVENTS_PER_INTENT = 64
SYSTEM_ACTOR = {"type": "system", "id": "axme-server", "display_name": "AXME server"}


class IntentLock:
    """`async with engine.intent_lock(id)`: one writer per intent at a time. The lock object
    lives only while someone holds or waits for it (a class, not @asynccontextmanager: it
    is entered on every write, and it also cleans up when the body raises)."""

    __slots__ = ("intent_id", "lock", "locks", "noticed", "reload")

    def __init__(
        self,
        locks: dict[str, asyncio.Lock],
        intent_id: str,
        reload: Callable[[str], Awaitable[None]] | None = None,
        noticed: dict[str, int] | None = None,
    ) -> None:
        self.locks = locks
        self.intent_id = intent_id
        self.reload = reload  # shared stores: refresh the cached intent once the lock is held
        self.noticed = noticed  # shared stores: EngineCore.noticed, kept while the lock lives

    async def __aenter__(self) -> None:
        lock = self.locks.get(self.intent_id)
        if lock is None:
            lock = self.locks[self.intent_id] = asyncio.Lock()
        try:
            await lock.acquire()
        except BaseException:  # cancelled while waiting
            self._forget(lock)
            raise
        self.lock = lock
        if self.reload is not None:
            try:
                await self.reload(self.intent_id)
            except BaseException:
                await self.__aexit__()
                raise

    async def __aexit__(self, *exc: object) -> None:
        self.lock.release()
        self._forget(self.lock)

    def _forget(self, lock: asyncio.Lock) -> None:
        if not lock.locked() and not lock._waiters and self.locks.get(self.intent_id) is lock:
            del self.locks[self.intent_id]
            if self.noticed:
                self.noticed.pop(self.intent_id, None)


TimerHandler = Callable[[Change, float], None]
Fanout = Callable[[str, list[dict[str, Any]]], None]


class EngineCore:
    """The shared kernel of the services: `store` (durable state), `clock` (now and timers) and
    the fan-out of committed events (`hub` locally; `fanout` publishes, through the cluster
    on a shared store) are the plug points."""

    def __init__(self, store: Store, clock: Clock, settings: Settings, hub: Hub | None = None) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.hub = hub or Hub()
        self.keys = KeyRing(store)
        # kind -> handler, filled by the services that own each timer (service.py)
        self.timer_handlers: dict[str, TimerHandler] = {}
        self.timers = TimerIndex(clock, self._fire_timer, store.timers_due)
        self._active: OrderedDict[str, dict[str, Any]] = OrderedDict()  # LRU, bounded (remember)
        # terminal intents, serialized: as dicts they were objects every full GC walks
        self._recent: OrderedDict[str, bytes] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        # keyed by request input: bounded (REQ-LIMIT-012)
        self.agent_cache: LruCache[str, dict[str, Any] | None] = LruCache(DEFAULT_LIMITS.cache_entries)
        self.workspace_cache: dict[str, dict[str, Any]] = {}
        # complete event logs of active intents created by this process (stream backlogs without a read)
        self._logs: dict[str, list[dict[str, Any]]] = {}
        self.metrics: dict[str, int] = {"transitions": 0, "events": 0}
        # other server processes write the same store (PostgreSQL): see cluster.py
        self.shared = bool(getattr(store, "shared", False))
        self.fanout: Fanout = self._publish_shared if self.shared else self.hub.publish
        # an intent became ready for an agent in another process (cluster.py): the lanes re-offer it
        self.became_ready: Callable[[str, str], None] = _nobody
        # intent -> the newest revision another process announced while this one held or awaited
        # the intent's lock: a copy read or written meanwhile that is older is not cached (cluster.py)
        self.noticed: dict[str, int] = {}

    def _publish_shared(self, intent_id: str, events: list[dict[str, Any]]) -> None:
        cluster.publish(self, intent_id, events)

    # -- cache -----------------------------------------------------------
    def cached_intent(self, intent_id: str) -> dict[str, Any] | None:
        doc = self._active.get(intent_id)
        if doc is not None:
            self._active.move_to_end(intent_id)
            return doc
        raw = self._recent.get(intent_id)
        if raw is not None:
            self._recent.move_to_end(intent_id)
            recent: dict[str, Any] = loads(raw)
            return recent
        loaded: dict[str, Any] | None = self.store.get_intent(intent_id)
        if loaded is not None:
            self.remember(loaded)
        return loaded

    def remember(self, doc: dict[str, Any]) -> None:
        intent_id = doc["intent_id"]
        if self.noticed and self.noticed.get(intent_id, 0) > doc.get("_rev", 0):
            self.forget_intents([intent_id], active=True)  # another process wrote it meanwhile
            return
        if doc["status"] in TERMINAL:
            self._active.pop(intent_id, None)
            self._recent[intent_id] = dumps(doc)
            self._recent.move_to_end(intent_id)
            while len(self._recent) > self.settings.terminal_cache_size:
                self._recent.popitem(last=False)
        else:
            active = self._active
            active[intent_id] = doc
            active.move_to_end(intent_id)
            if len(active) > self.settings.active_cache_size:
                self._evict_active()

    def cached_counts(self) -> tuple[int, int]:
        """(active, finished) intents held in memory, for /metrics."""
        return len(self._active), len(self._recent)

    def forget_intents(self, intent_ids: list[str], active: bool = False) -> None:
        """Retention deleted these terminal intents from the store (or, `active`, another process
        changed them): drop their cached copies too."""
        for intent_id in intent_ids:
            self._recent.pop(intent_id, None)
            self._logs.pop(intent_id, None)
            if active:
                self._active.pop(intent_id, None)

    def _evict_active(self) -> None:
        """Drop the least recently used active intents beyond the cache size. An intent
        whose lock is held stays: its writer swaps in a commit the store already has, and
        a reader must not load that commit from the store before it is published."""
        active, locks = self._active, self._locks
        for _ in range(len(active)):
            if len(active) <= self.settings.active_cache_size:
                return
            intent_id = next(iter(active))
            if intent_id in locks:
                active.move_to_end(intent_id)
                continue
            del active[intent_id]
            self._logs.pop(intent_id, None)

    def visible_events(self, doc: dict[str, Any], since: int, limit: int = 1_000_000) -> list[dict[str, Any]]:
        """Events with seq > since that `doc` (the visible intent, from `cached_intent`) already
        shows: from the in-memory log when this process has it whole, else from the store, cut
        at doc's last_seq (seqs are 1..last_seq, so LIMIT does the cut)."""
        log_ = self._logs.get(doc["intent_id"])
        if log_ is not None:
            events = [ev for ev in log_ if ev["seq"] > since]
            return events[:limit] if len(events) > limit else events
        last = doc["last_seq"]
        if since >= last:
            return []
        return [
            ev
            for ev in self.store.list_events(doc["intent_id"], since, min(limit, last - since))
            if ev["seq"] <= last
        ]

    def visible_intent(self, row: dict[str, Any]) -> dict[str, Any]:
        """The published version of an intent row read from the store (the row may be a commit ahead)."""
        intent_id = row["intent_id"]
        return self.cached_copy(intent_id) or row

    def cached_copy(self, intent_id: str) -> dict[str, Any] | None:
        """The cached intent, if any (no store read, no LRU touch)."""
        doc = self._active.get(intent_id)
        if doc is None and (raw := self._recent.get(intent_id)) is not None:
            doc = loads(raw)
        return doc

    def _log_events(self, ch: Change) -> None:
        intent_id = ch.intent["intent_id"]
        if ch.intent["status"] in TERMINAL:
            self._logs.pop(intent_id, None)
            return
        log_ = self._logs.get(intent_id)
        if ch.new and len(self._logs) < LOGGED_INTENTS:
            self._logs[intent_id] = list(ch.events)
        elif log_ is not None:
            log_.extend(ch.events)
            if len(log_) > LOG_EVENTS_PER_INTENT:  # long-lived chatty intent: the store serves it
                del self._logs[intent_id]

    def workspace(self, workspace_id: str) -> dict[str, Any]:
        ws = self.workspace_cache.get(workspace_id)
        if ws is None:
            ws = self.store.get_workspace(workspace_id)
            if ws is None:
                raise ApiError("unauthorized", "workspace of this key no longer exists")
            self.workspace_cache[workspace_id] = ws
        return ws

    def agent(self, address: str) -> dict[str, Any] | None:
        if address not in self.agent_cache:
            self.agent_cache[address] = self.store.get_agent(address)
        return self.agent_cache[address]

    # -- locking and the write path -------------------------------------
    def intent_lock(self, intent_id: str) -> IntentLock:
        if self.shared:
            return IntentLock(self._locks, intent_id, self._reload, self.noticed)
        return IntentLock(self._locks, intent_id)

    async def _reload(self, intent_id: str) -> None:
        await cluster.reload(self, intent_id)

    def change(self, doc: dict[str, Any], ctx: Ctx | None = None) -> Change:
        actor, channel = (SYSTEM_ACTOR, "system") if ctx is None else (ctx.principal.actor, ctx.channel)
        return Change(
            intent=clone(doc),
            now=self.clock.now(),
            actor=actor,
            channel=channel,
            orig_timers=dict(doc.get("_timers") or {}),
        )

    async def apply(
        self, ch: Change, ctx: Ctx | None = None, response: dict[str, Any] | None = None
    ) -> bytes:
        """Commit `ch` (+ the idempotency record) in one transaction, then publish."""
        doc = ch.intent
        timers = doc.get("_timers") or {}
        doc["_next_timer"] = min(timers.values(), default=None)  # indexed: start-up loads timers by it
        if self.shared:  # the revisions the store compares and sets (store/pg_cluster.py)
            for written in [doc] + [op[1] for op in ch.ops if op[0] == "intent"]:
                written["_rev"] = written.get("_rev", 0) + 1
        ops: list[Op] = [("intent_new" if ch.new else "intent", doc)]
        ops.extend(("event", ev) for ev in ch.events)
        ops.extend(ch.ops)
        body = b""
        if response is not None:
            body = dumps(response)
            if ctx is not None and ctx.idem is not None:
                ops.append(("idem", ctx.idem[0], ctx.idem[1], 200, body, ch.now))
                ctx.idem_written = True
        try:
            await self.store.write(ops)
        except BaseException as exc:
            for fn in ch.on_fail:
                fn()
            if isinstance(exc, cluster.StaleWrite):  # another process wrote it: the next read loads it
                self.forget_intents([exc.intent_id], active=True)
            raise
        self.remember(doc)
        self._log_events(ch)
        self.metrics["transitions"] += 1
        self.metrics["events"] += len(ch.events)
        if ch.events:
            self.fanout(doc["intent_id"], ch.events)
        if timers != ch.orig_timers:  # moved or cleared timers leave the heap's live set
            self.timers.schedule(doc["intent_id"], timers, [k for k in ch.orig_timers if k not in timers])
        for fn in ch.after:
            fn()
        return body

    async def write_plain(
        self, ops: list[Op], ctx: Ctx | None, response: dict[str, Any], now: float
    ) -> bytes:
        """Commit non-intent writes (agents, keys) with the idempotency record."""
        body = dumps(response)
        if ctx is not None and ctx.idem is not None:
            ops = ops + [("idem", ctx.idem[0], ctx.idem[1], 200, body, now)]
            ctx.idem_written = True
        await self.store.write(ops)
        return body

    async def _fire_timer(self, intent_id: str, kind: str, due: float) -> None:
        """A due timer: its handler (from `timer_handlers`) changes the intent in one commit."""
        async with self.intent_lock(intent_id):
            doc = self.cached_intent(intent_id)
            if doc is None or doc["_timers"].get(kind) != due:
                return  # stale heap entry
            ch = self.change(doc)
            ch.intent["_timers"].pop(kind, None)
            self.timer_handlers[kind](ch, due)
            await self.apply(ch)


def _nobody(address: str, intent_id: str) -> None:
    """`became_ready` until the lanes are wired in."""
