"""Several server processes on one PostgreSQL database (issue 14): the writer's side.

- **Compare-and-set.** Every intent document carries `_rev`, raised by one on each write
  (engine.apply, shared stores only), and the row keeps it in `intents.rev` (migration 13).
  Before a write updates an intent, the writer locks its row `FOR UPDATE` only if `rev` is
  the one the change was made from, reading the row's indexed columns in the same statement
  (the update needs no second read); no row means another process wrote the intent since
  this one read it: the write fails with `StaleWrite` (rolled back alone, as any failing
  write) and the engine reloads.
- **Notifications.** In the same transaction each intent write sends
  `pg_notify('axme_intents', {r: process, i: intent, s: last_seq, v: _rev, t: timers,
  a: agent the intent is ready for})`; PostgreSQL delivers it only if the write commits,
  in commit order. `Listener` takes them on a dedicated connection in a thread and hands
  each to the event loop (server/cluster.py acts on them)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from axme_server.cluster import StaleWrite
from axme_server.jsonutil import dumps
from axme_server.store import pg_outbox
from axme_server.store.writes import Counts, RowCache, apply_op

log = logging.getLogger("axme_server.store")

CHANNEL = "axme_intents"
# the row's indexed columns, as writes._update_intent reads them: the check doubles as that read
CHECK_SQL = (
    "SELECT rid, workspace_id, status, to_agent, parties, next_timer, ended_at FROM intents"
    " WHERE intent_id=? AND rev=? FOR UPDATE"
)
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', ?)"


def check_rev(conn: Any, doc: dict[str, Any]) -> tuple[Any, ...]:
    """Lock the intent's row if it is still at the revision `doc` was made from (its indexed
    columns), else StaleWrite."""
    expected = doc.get("_rev", 1) - 1
    row: tuple[Any, ...] | None = conn.execute(CHECK_SQL, (doc["intent_id"], expected)).fetchone()
    if row is None:
        raise StaleWrite(doc["intent_id"])
    return row


def ready_for(doc: dict[str, Any]) -> str | None:
    """The agent a SUBMITTED intent waits to be delivered to (as store.ready_deliveries reads it)."""
    if doc.get("status") != "SUBMITTED" or "retry" in (doc.get("_timers") or {}):
        return None
    steps, idx = doc.get("_steps") or [], doc.get("_step")
    if not isinstance(idx, int) or not 0 <= idx < len(steps):
        return None
    step = steps[idx]
    return step.get("assigned_to") if step.get("kind") == "agent" else None


def notify(conn: Any, process: str, doc: dict[str, Any]) -> None:
    payload = {
        "r": process,
        "i": doc["intent_id"],
        "s": doc.get("last_seq", 0),
        "v": doc.get("_rev", 0),
        "t": doc.get("_timers") or {},
    }
    agent = ready_for(doc)
    if agent:
        payload["a"] = agent
    conn.execute(NOTIFY_SQL, (dumps(payload).decode(),))


def check_batch(conn: Any, writes: list[list[tuple[Any, ...]]]) -> RowCache:
    """The compare-and-set of every write of a batch at once: all the checks go out back to back
    and come back in one round trip (pipeline mode), not one round trip per write. An intent a
    write of this batch already writes is checked against that write's revision in memory.
    Raises StaleWrite if any check fails (the caller redoes the batch write by write)."""
    rows = RowCache()
    latest: dict[str, int] = {}  # intent -> its revision after the batch's writes so far
    checks: list[tuple[str, int]] = []
    for ops in writes:
        for op in ops:
            if op[0] not in ("intent", "intent_new"):
                continue
            doc = op[1]
            intent_id, rev = doc["intent_id"], doc.get("_rev", 1 if op[0] == "intent" else 0)
            if op[0] == "intent" and intent_id in latest:
                if latest[intent_id] != rev - 1:
                    raise StaleWrite(intent_id)
            elif op[0] == "intent":
                checks.append((intent_id, rev - 1))
            latest[intent_id] = rev
    # the rows are locked (FOR UPDATE) in id order: two processes' batches locking the same
    # intents in opposite orders deadlock, and PostgreSQL takes deadlock_timeout (1 s) to say so
    sent = [
        (intent_id, conn.execute(CHECK_SQL, (intent_id, expected))) for intent_id, expected in sorted(checks)
    ]
    for intent_id, cursor in sent:
        row = cursor.fetchone()
        if row is None:
            raise StaleWrite(intent_id)
        rows.put(intent_id, row)
    return rows


def write_ops(
    conn: Any, ops: list[tuple[Any, ...]], process: str, counts: Counts, checked: RowCache | None = None
) -> None:
    """One write's ops with the compare-and-set first (unless `checked` holds the batch's checked
    rows: check_batch) and the notification last."""
    docs = [op[1] for op in ops if op[0] in ("intent", "intent_new")]
    rows = checked if checked is not None else RowCache()  # the updates need no second read
    if checked is None:
        for op in ops:
            if op[0] == "intent":
                rows.put(op[1]["intent_id"], check_rev(conn, op[1]))
    for op in ops:
        apply_op(conn, op, counts, rows)
    for doc in docs:
        notify(conn, process, doc)
    pg_outbox.notify_pending(conn, process, ops)


class Listener:
    """LISTEN on a dedicated connection in a thread; each payload goes to its channel's handler
    on the loop. After the connection breaks it reconnects and hands every handler `None`
    (notifications may have been missed meanwhile: the receiver drops what it cached)."""

    def __init__(
        self,
        url: str,
        loop: asyncio.AbstractEventLoop,
        handlers: dict[str, Callable[[str | None], None]],
        process: str,
    ) -> None:
        self.url = url
        self.own = dumps({"r": process}).decode()[:-1] + ","  # how this process's payloads begin
        self.loop = loop
        self.handlers = handlers
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="axme-pg-listen", daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self.ready.wait(10)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _post(self, channel: str, payload: str | None) -> None:
        try:
            self.loop.call_soon_threadsafe(self.handlers[channel], payload)
        except RuntimeError:  # the loop closed (shutdown)
            self._stop.set()

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    for channel in self.handlers:
                        conn.execute(f"LISTEN {channel}")
                    if not first:
                        for channel in self.handlers:
                            self._post(channel, None)
                    first = False
                    self.ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            if not note.payload.startswith(self.own):  # (this process's own writes)
                                self._post(note.channel, note.payload)
            except psycopg.Error:
                log.warning("the notification connection broke; reconnecting", exc_info=True)
                time.sleep(0.5)
