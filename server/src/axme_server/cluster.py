"""Several server processes on one shared store (PostgreSQL; issue 14): the engine's side.

Each process keeps its caches, locks, timer heap and stream fan-out, and keeps them right:

- a write uses the cached copy of its intent (notifications drop a copy another process
  changed; `reload` reads the store only when nothing is cached), and the store compares and
  sets the intent's `_rev` (store/pg_cluster.py): a write made from state another process
  has changed since (its notification not handled yet) fails with `StaleWrite`; the HTTP
  layer runs the request again on fresh state (`run_fresh`; after RETRIES more conflicts it
  answers 503 `unavailable`, retryable, details.reason `write_conflict`);
- every committed intent write of another process arrives as a notification (`on_notice`):
  the cached copy is dropped, its timers join this heap (the compare-and-set lets only one
  process fire each), an agent listening here gets the intent offered, and open streams
  get the new events, read from the store;
- a notification that arrives while this process reads or writes the intent under its lock
  (`reload` awaits a reader thread; `apply` awaits the commit) is noted (`engine.noticed`),
  so the copy that read or write then hands to `remember` is not cached when it is older;
- the hub remembers per subscribed intent the last seq it handed out (`hub.seen`), so a
  publish never skips events another process committed in between (`publish`)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from axme_server.errors import ApiError
from axme_server.jsonutil import loads
from axme_server.store.base import shared_store

if TYPE_CHECKING:  # engine.py imports this module
    from axme_server.engine import EngineCore

log = logging.getLogger("axme_server.cluster")
T = TypeVar("T")
RETRIES = 4  # more runs of a request whose write lost a race with another process


async def run_fresh(handler: Callable[[Any], Awaitable[T]], req: Any) -> T:
    """Run a request; when its write lost a race with another server process, run it again on
    fresh state (after a short random pause, so two processes do not collide again in step)."""
    for attempt in range(RETRIES):
        try:
            return await handler(req)
        except StaleWrite:
            await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
    return await handler(req)  # (a last conflict answers 503 unavailable, retryable)


class StaleWrite(ApiError):
    """Another server process wrote this intent after this one read it."""

    def __init__(self, intent_id: str) -> None:
        super().__init__(
            "unavailable",
            "the intent changed on another server process meanwhile; retry",
            {"reason": "write_conflict", "intent_id": intent_id},
        )
        self.intent_id = intent_id


def start(engine: EngineCore) -> None:
    """Listen for the other processes' writes (a no-op on a store only this process writes)."""
    store = shared_store(engine.store)
    if store is not None:
        store.listen(asyncio.get_running_loop(), lambda raw: on_notice(engine, raw))


async def reload(engine: EngineCore, intent_id: str) -> None:
    """Under the intent's lock: replace the cached copy when the store holds a newer revision.

    A cached copy is used as it is: every other process's write of the intent drops it here
    (`on_notice`), and a write made from a copy whose notification has not arrived yet fails the
    compare-and-set (the engine forgets the copy, the request runs again and reads the store).
    Reading the store under every lock cost a round trip per write on the event loop (about a
    quarter of the loop's time in the replicas bench) to avoid a rare retry."""
    store = shared_store(engine.store)
    if engine.cached_copy(intent_id) is not None or store is None:
        return
    doc = await store.get_intent_off_loop(intent_id)
    if doc is None:
        return
    cached = engine.cached_copy(intent_id)
    if cached is not None and cached.get("_rev", 0) == doc.get("_rev", 0):
        return
    engine.forget_intents([intent_id], active=True)
    engine.remember(doc)


def publish(engine: EngineCore, intent_id: str, events: list[dict[str, Any]]) -> None:
    """Hand `events` to this intent's streams, with any events before them they have not had."""
    seen = engine.hub.seen.get(intent_id)
    if seen is None:
        return  # no stream here
    if events[0]["seq"] > seen + 1:  # another process committed in between: read the gap
        last = events[-1]["seq"]
        events = [ev for ev in engine.store.list_events(intent_id, seen, last - seen) if ev["seq"] <= last]
    events = [ev for ev in events if ev["seq"] > seen]
    if events:
        engine.hub.seen[intent_id] = events[-1]["seq"]
        engine.hub.publish(intent_id, events)


def _catch_up(engine: EngineCore, intent_id: str, last_seq: int | None = None) -> None:
    """Hand this intent's streams the events up to `last_seq` (the notification's; else the
    intent's as the store has it) that they have not had."""
    seen = engine.hub.seen.get(intent_id)
    if seen is None:
        return
    if last_seq is None:
        doc = engine.cached_intent(intent_id)
        last_seq = doc["last_seq"] if doc is not None else 0
    if last_seq <= seen:
        return
    last = last_seq
    events = [ev for ev in engine.store.list_events(intent_id, seen, last - seen) if ev["seq"] <= last]
    publish(engine, intent_id, events) if events else None


_tasks: set[asyncio.Task[None]] = set()  # catch-ups in flight (a task needs a reference)


def _spawn(coro: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _catch_up_off_loop(engine: EngineCore, intent_id: str, last_seq: int) -> None:
    """`_catch_up` for a notification's `last_seq`, reading on a reader thread; what another
    catch-up or a local write published meanwhile is filtered by `publish`."""
    seen = engine.hub.seen.get(intent_id)
    store = shared_store(engine.store)
    if seen is None or last_seq <= seen or store is None:
        return
    try:
        events = await store.list_events_off_loop(intent_id, seen, last_seq - seen)
    except Exception:
        log.exception("could not read the events of %s after a notification", intent_id)
        return
    events = [ev for ev in events if ev["seq"] <= last_seq]
    if events:
        publish(engine, intent_id, events)


def on_notice(engine: EngineCore, raw: str | None) -> None:
    """One notification (pg_cluster.notify's payload), or None after the listener reconnected."""
    try:
        if raw is None:  # notifications may have been missed: drop every cached intent, wake streams
            engine._active.clear()
            engine._recent.clear()
            engine._logs.clear()
            for intent_id in list(engine.hub.seen):
                _catch_up(engine, intent_id)
            return
        msg = loads(raw)
        store = shared_store(engine.store)  # (only a shared store notifies)
        if store is not None and msg["r"] == store.process:
            return
        intent_id = msg["i"]
        if intent_id in engine._locks:  # a read or write of it is under way here: it must not cache older
            engine.noticed[intent_id] = max(msg["v"], engine.noticed.get(intent_id, 0))
        cached = engine.cached_copy(intent_id)
        if cached is None or cached.get("_rev", 0) < msg["v"]:
            engine.forget_intents([intent_id], active=True)
        if msg["t"]:
            engine.timers.schedule(intent_id, msg["t"])
        agent = msg.get("a")
        if agent:  # the lanes offer it if this process has the agent's lane (Lanes.ready_elsewhere)
            engine.became_ready(agent, intent_id)
        if intent_id in engine.hub.seen:
            _spawn(_catch_up_off_loop(engine, intent_id, msg["s"]))
    except Exception:  # a bad notification must not stop the listener's deliveries
        log.exception("could not act on a notification: %.200s", raw)
