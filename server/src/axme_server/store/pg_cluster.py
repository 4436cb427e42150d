"""Several server processes on one PostgreSQL database (issue 14): the writer's side.

- **Compare-and-set.** Every intent document carries `_rev`, raised by one on each write
  (engine.apply, shared stores only). Before a write updates an intent, the writer locks
  its row `FOR UPDATE` only if the stored `_rev` is the one the change was made from; no
  row means another process wrote the intent since this one read it: the write fails with
  `StaleWrite` (rolled back alone, as any failing write) and the engine reloads.
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
from axme_server.store.writes import Counts, apply_op

log = logging.getLogger("axme_server.store")

CHANNEL = "axme_intents"
_DOC_JSONB = "(replace(doc, '\\u0000', '\\u0020')::jsonb)"
CHECK_SQL = f"SELECT 1 FROM intents WHERE intent_id=? AND COALESCE(({_DOC_JSONB} ->> '_rev')::bigint, 0) = ? FOR UPDATE"
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', ?)"


def check_rev(conn: Any, doc: dict[str, Any]) -> None:
    """Lock the intent's row if it is still at the revision `doc` was made from, else StaleWrite."""
    expected = doc.get("_rev", 1) - 1
    if conn.execute(CHECK_SQL, (doc["intent_id"], expected)).fetchone() is None:
        raise StaleWrite(doc["intent_id"])


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


def write_ops(conn: Any, ops: list[tuple[Any, ...]], process: str, counts: Counts) -> None:
    """One write's ops with the compare-and-set first and the notification last."""
    docs = [op[1] for op in ops if op[0] in ("intent", "intent_new")]
    for op in ops:
        if op[0] == "intent":
            check_rev(conn, op[1])
    for op in ops:
        apply_op(conn, op, counts)
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
    ) -> None:
        self.url = url
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
                            self._post(note.channel, note.payload)
            except psycopg.Error:
                log.warning("the notification connection broke; reconnecting", exc_info=True)
                time.sleep(0.5)
