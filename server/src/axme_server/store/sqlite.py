"""SQLite (WAL) store with group commit.

One writer thread owns the write connection. Each `write()` call becomes one
SAVEPOINT inside a batch; the thread drains every pending write, commits the
batch once (synchronous=FULL: durable when committed, even on power loss) and
then resolves all their futures on the event loop. Reads use a second
connection on the event-loop thread: WAL lets it see the last commit without
blocking the writer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable
from importlib import resources
from typing import Any

from axme_server.jsonutil import dumps, loads
from axme_server.store.base import WriteOp

log = logging.getLogger("axme_server.store")

TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT")
_STOP = object()


def _connect(path: str, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


class SqliteStore:
    def __init__(self, path: str, synchronous: str = "FULL") -> None:
        self.path = path
        self.synchronous = synchronous
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._read: sqlite3.Connection | None = None
        self.commits = 0  # batches committed (for /metrics)
        self.writes = 0  # write() calls committed

    # -- lifecycle -------------------------------------------------------
    def open(self) -> None:
        conn = _connect(self.path, self.synchronous)
        conn.executescript(resources.files("axme_server.store").joinpath("schema.sql").read_text())
        _index_next_timer(conn)
        self._write = conn
        self._read = _connect(self.path, self.synchronous)
        self._thread = threading.Thread(target=self._writer_loop, name="axme-sqlite-writer", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None
        if self._read is not None:
            self._read.close()
            self._read = None

    # -- writes ----------------------------------------------------------
    async def write(self, ops: list[WriteOp]) -> None:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._queue.put((ops, fut, loop))
        await fut

    def set_meta_sync(self, k: str, v: str) -> None:
        assert self._read is not None
        self._read.execute("INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", (k, v))

    def _writer_loop(self) -> None:
        profile_path = os.environ.get("AXME_PROFILE")  # see cli.main: the writer thread gets its own profile
        if not profile_path:
            self._write_batches()
            return
        import cProfile

        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        try:
            self._write_batches()
        finally:
            profiler.disable()
            profiler.dump_stats(profile_path + ".writer")

    def _write_batches(self) -> None:
        conn = self._write
        while True:
            first = self._queue.get()
            if first is _STOP:
                break
            batch = [first]
            stop = False
            while len(batch) < 512:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            results: list[BaseException | None]
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:  # fast path: no write fails, so none needs a savepoint of its own
                    for ops, _fut, _loop in batch:
                        for op in ops:
                            _apply(conn, op)
                    results = [None] * len(batch)
                except Exception:  # noqa: BLE001 - redo the batch with each write isolated
                    conn.execute("ROLLBACK")
                    conn.execute("BEGIN IMMEDIATE")
                    results = _apply_isolated(conn, batch)
                conn.execute("COMMIT")
                self.commits += 1
                self.writes += len(batch)
            except Exception as exc:  # the commit itself failed: every write in it failed
                log.exception("sqlite batch commit failed")
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                results = [exc] * len(batch)
            by_loop: dict[Any, list[tuple[asyncio.Future, BaseException | None]]] = {}
            for (_ops, fut, loop), res in zip(batch, results):
                by_loop.setdefault(loop, []).append((fut, res))
            for loop, items in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_resolve_all, items)
                except RuntimeError:  # loop closed during shutdown
                    pass
            if stop:
                break
        conn.close()

    # -- reads -----------------------------------------------------------
    def _one(self, sql: str, args: tuple) -> Any:
        assert self._read is not None
        row = self._read.execute(sql, args).fetchone()
        return row

    def get_meta(self, k: str) -> str | None:
        row = self._one("SELECT v FROM meta WHERE k=?", (k,))
        return row[0] if row else None

    def get_workspace(self, workspace_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT doc FROM workspaces WHERE workspace_id=?", (workspace_id,))
        return loads(row[0]) if row else None

    def list_workspaces(self) -> list[dict[str, Any]]:
        assert self._read is not None
        return [loads(r[0]) for r in self._read.execute("SELECT doc FROM workspaces ORDER BY rowid")]

    def get_key(self, key_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT doc FROM api_keys WHERE key_id=?", (key_id,))
        return loads(row[0]) if row else None

    def list_keys(self, workspace_id: str) -> list[dict[str, Any]]:
        assert self._read is not None
        rows = self._read.execute("SELECT doc FROM api_keys WHERE workspace_id=? ORDER BY rowid", (workspace_id,))
        return [loads(r[0]) for r in rows]

    def get_agent(self, address: str) -> dict[str, Any] | None:
        row = self._one("SELECT doc FROM agents WHERE address=?", (address,))
        return loads(row[0]) if row else None

    def list_agents(self, workspace_id: str, limit: int, cursor: str | None) -> list[dict]:
        assert self._read is not None
        rows = self._read.execute(
            "SELECT doc FROM agents WHERE workspace_id=? AND address>? ORDER BY address LIMIT ?",
            (workspace_id, cursor or "", limit))
        return [loads(r[0]) for r in rows]

    def get_intent(self, intent_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT doc FROM intents WHERE intent_id=?", (intent_id,))
        return loads(row[0]) if row else None

    def list_intents(self, workspace_id: str, *, status: str | None, to_agent: str | None,
                     from_agent: str | None, involving: str | None, limit: int,
                     cursor: int | None, tasked_to: list[str] | None = None) -> list[tuple[int, dict]]:
        assert self._read is not None
        sql = ["SELECT rid, doc FROM intents WHERE workspace_id=?"]
        args: list[Any] = [workspace_id]
        if cursor is not None:
            sql.append("AND rid<?")
            args.append(cursor)
        if status:
            sql.append("AND status=?")
            args.append(status)
        if to_agent:
            sql.append("AND to_agent=?")
            args.append(to_agent)
        if from_agent:
            sql.append("AND from_agent=?")
            args.append(from_agent)
        if involving:
            sql.append("AND (to_agent=? OR from_agent=? OR doc LIKE ?)")
            args += [involving, involving, f'%"assigned_to":"{involving}"%']
        if tasked_to is not None:  # intents with a task assigned to one of these names (or to anyone)
            match, match_args = _assignees_match(tasked_to)
            sql.append(f"AND intent_id IN (SELECT intent_id FROM tasks WHERE workspace_id=? AND {match})")
            args += [workspace_id, *match_args]
        sql.append("ORDER BY rid DESC LIMIT ?")
        args.append(limit)
        return [(r[0], loads(r[1])) for r in self._read.execute(" ".join(sql), args)]

    def submitted_intents(self) -> Iterable[dict[str, Any]]:
        """Intents in SUBMITTED (the only ones a delivery lane can hold), oldest first."""
        assert self._read is not None
        for row in self._read.execute("SELECT doc FROM intents INDEXED BY intents_submitted WHERE status='SUBMITTED' ORDER BY rid"):
            yield loads(row[0])

    def timers_due(self, after: float | None, until: float) -> Iterable[tuple[str, dict[str, float]]]:
        """(intent_id, _timers) of active intents whose earliest timer is in (after, until]."""
        assert self._read is not None
        rows = self._read.execute(
            "SELECT intent_id, json_extract(doc, '$._timers') FROM intents INDEXED BY intents_next_timer"
            " WHERE terminal=0"
            " AND json_extract(doc, '$._next_timer') > ? AND json_extract(doc, '$._next_timer') <= ?",
            (float("-inf") if after is None else after, until))
        for intent_id, timers in rows:
            yield intent_id, loads(timers)

    def list_events(self, intent_id: str, since: int, limit: int) -> list[dict[str, Any]]:
        assert self._read is not None
        rows = self._read.execute(
            "SELECT doc FROM events WHERE intent_id=? AND seq>? ORDER BY seq LIMIT ?", (intent_id, since, limit))
        return [loads(r[0]) for r in rows]

    def list_tasks(self, workspace_id: str, *, pending_only: bool, assignees: list[str] | None,
                   limit: int, cursor: int | None) -> list[tuple[int, dict]]:
        assert self._read is not None
        sql = ["SELECT rid, doc FROM tasks WHERE workspace_id=?"]
        args: list[Any] = [workspace_id]
        if pending_only:
            sql.append("AND status='pending'")
        if cursor is not None:
            sql.append("AND rid>?")
            args.append(cursor)
        if assignees is not None:
            match, match_args = _assignees_match(assignees)
            sql.append(f"AND {match}")
            args += match_args
        sql.append("ORDER BY rid LIMIT ?")
        args.append(limit)
        return [(r[0], loads(r[1])) for r in self._read.execute(" ".join(sql), args)]

    def get_idempotency(self, scope_key: str) -> tuple[str, int, bytes] | None:
        row = self._one("SELECT body_hash, status, response FROM idempotency WHERE scope_key=?", (scope_key,))
        return (row[0], row[1], bytes(row[2])) if row else None

    def count_intents_by_status(self) -> dict[str, int]:
        assert self._read is not None
        return {r[0]: r[1] for r in self._read.execute("SELECT status, count(*) FROM intents GROUP BY status")}


def _index_next_timer(conn: sqlite3.Connection) -> None:
    """Start-up loads timers by the engine's `_next_timer` (earliest of `_timers`) through this
    index; once per data dir, active intents written before it existed get it.
    (Interim: becomes the intents.next_timer column of the numbered migrations.)"""
    conn.execute("CREATE INDEX IF NOT EXISTS intents_next_timer ON intents"
                 " (json_extract(doc, '$._next_timer')) WHERE terminal = 0")
    conn.execute("CREATE INDEX IF NOT EXISTS intents_submitted ON intents (rid) WHERE status = 'SUBMITTED'")
    if conn.execute("SELECT 1 FROM meta WHERE k='next_timer_backfilled'").fetchone():
        return
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE intents SET doc=json_set(doc, '$._next_timer',"
                 " (SELECT min(value) FROM json_each(doc, '$._timers'))) WHERE terminal=0")
    conn.execute("INSERT INTO meta(k, v) VALUES('next_timer_backfilled', '1')")
    conn.execute("COMMIT")


def _assignees_match(names: list[str]) -> tuple[str, list[str]]:
    """SQL over tasks.assignees (`|a|b|`): assigned to one of `names`, or to nobody in particular."""
    return "(" + " OR ".join(["assignees LIKE ?"] * len(names) + ["assignees='||'"]) + ")", \
        [f"%|{n}|%" for n in names]


def _apply_isolated(conn: sqlite3.Connection, batch: list[tuple]) -> list[BaseException | None]:
    """Each write in its own savepoint: a failing one is rolled back alone and reported to its caller."""
    results: list[BaseException | None] = []
    for ops, _fut, _loop in batch:
        conn.execute("SAVEPOINT w")
        try:
            for op in ops:
                _apply(conn, op)
            conn.execute("RELEASE w")
            results.append(None)
        except Exception as exc:  # noqa: BLE001 - one bad write must not sink the batch
            conn.execute("ROLLBACK TO w")
            conn.execute("RELEASE w")
            results.append(exc)
    return results


def _resolve_all(items: list[tuple[asyncio.Future, BaseException | None]]) -> None:
    for fut, res in items:
        if fut.done():
            continue
        if res is None:
            fut.set_result(None)
        else:
            fut.set_exception(res)


def _apply(conn: sqlite3.Connection, op: WriteOp) -> None:
    kind = op[0]
    if kind == "event":
        ev = op[1]
        conn.execute("INSERT INTO events(intent_id, seq, doc) VALUES(?,?,?)", (ev["intent_id"], ev["seq"], dumps(ev)))
    elif kind == "intent":
        doc = op[1]
        conn.execute(
            "UPDATE intents SET status=?, to_agent=?, terminal=?, doc=? WHERE intent_id=?",
            (doc["status"], doc["to_agent"], int(doc["status"] in TERMINAL), dumps(doc), doc["intent_id"]))
    elif kind == "intent_new":
        doc = op[1]
        conn.execute(
            "INSERT INTO intents(intent_id, workspace_id, status, from_agent, to_agent, terminal, doc)"
            " VALUES(?,?,?,?,?,?,?)",
            (doc["intent_id"], doc["_ws"], doc["status"], doc["from_agent"], doc["to_agent"],
             int(doc["status"] in TERMINAL), dumps(doc)))
    elif kind == "task":
        doc = op[1]
        conn.execute(
            "INSERT INTO tasks(intent_id, step_id, workspace_id, status, assignees, doc) VALUES(?,?,?,?,?,?)"
            " ON CONFLICT(intent_id, step_id) DO UPDATE SET status=excluded.status,"
            " assignees=excluded.assignees, doc=excluded.doc",
            (doc["intent_id"], doc["step_id"] or "", doc["_ws"], doc["status"],
             "|" + "|".join(doc["assignees"]) + "|", dumps(doc)))
    elif kind == "idem":
        _, scope_key, body_hash, status, response, created_at = op
        conn.execute(
            "INSERT INTO idempotency(scope_key, body_hash, status, response, created_at) VALUES(?,?,?,?,?)",
            (scope_key, body_hash, status, response, created_at))
    elif kind == "agent":
        doc = op[1]
        conn.execute(
            "INSERT INTO agents(address, workspace_id, doc) VALUES(?,?,?)"
            " ON CONFLICT(address) DO UPDATE SET doc=excluded.doc",
            (doc["address"], doc["_ws"], dumps(doc)))
    elif kind == "agent_delete":  # deleteAgent (REQ-AUTH-015)
        conn.execute("DELETE FROM agents WHERE address=?", (op[1],))
    elif kind == "key":
        doc = op[1]
        conn.execute(
            "INSERT INTO api_keys(key_id, workspace_id, doc) VALUES(?,?,?)"
            " ON CONFLICT(key_id) DO UPDATE SET doc=excluded.doc",
            (doc["key_id"], doc["workspace_id"], dumps(doc)))
    elif kind == "workspace":
        doc = op[1]
        conn.execute(
            "INSERT INTO workspaces(workspace_id, doc) VALUES(?,?)"
            " ON CONFLICT(workspace_id) DO UPDATE SET doc=excluded.doc", (doc["workspace_id"], dumps(doc)))
    elif kind == "meta":
        conn.execute("INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", (op[1], op[2]))
    else:
        raise ValueError(f"unknown write op {kind!r}")
