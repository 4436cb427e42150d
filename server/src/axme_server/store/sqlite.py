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
from typing import Any

from axme_server.jsonutil import loads
from axme_server.store import queries
from axme_server.store.base import WriteOp
from axme_server.store.migrations import Migration, migrate
from axme_server.store.offloop import OffLoopReader
from axme_server.store.retention import RetentionPolicy
from axme_server.store.writes import Counts, RowCache
from axme_server.store.writes import apply_op as _apply

log = logging.getLogger("axme_server.store")

_STOP = object()
FILE_MODE = 0o600  # the database holds key hashes and every payload: owner only (REQ-AUTH-003)


def _secure_files(path: str) -> None:
    """Create the database file 0600 before SQLite does (its -wal and -shm copy its mode) and
    tighten files an older server left 0644."""
    if path == ":memory:" or path.startswith("file:"):
        return
    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name) and os.stat(name).st_mode & 0o077:
            os.chmod(name, FILE_MODE)


class SqliteDb:
    """The migrations' view of a connection (migrations.Db)."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, args: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(args))

    def query(self, sql: str, args: Any = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, tuple(args)).fetchall()


def read_intent(conn: Any, intent_id: str) -> dict[str, Any] | None:
    """One intent by id (on the loop's connection, or a reader thread's: PostgresStore)."""
    row = conn.execute("SELECT doc FROM intents WHERE intent_id=?", (intent_id,)).fetchone()
    return loads(row[0]) if row else None


def read_events(conn: Any, intent_id: str, since: int, limit: int) -> list[dict[str, Any]]:
    """An intent's events with seq > since, in order, at most `limit`."""
    rows = conn.execute(
        "SELECT doc FROM events WHERE intent_id=? AND seq>? ORDER BY seq LIMIT ?", (intent_id, since, limit)
    )
    return [loads(r[0]) for r in rows]


def migrate_connection(conn: sqlite3.Connection) -> list[Migration]:
    """Apply pending schema migrations in one transaction (refuses a newer database)."""
    return migrate(
        SqliteDb(conn),
        lambda: conn.execute("BEGIN IMMEDIATE"),
        lambda: conn.execute("COMMIT"),
        lambda: conn.execute("ROLLBACK"),
    )


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
        self._slow: OffLoopReader | None = None
        self.commits = 0  # batches committed (for /metrics)
        self.writes = 0  # write() calls committed

    # -- lifecycle -------------------------------------------------------
    def open(self) -> None:
        _secure_files(self.path)
        conn = _connect(self.path, self.synchronous)
        try:
            self.migrated = migrate_connection(conn)
            if self.migrated:  # rewritten pages (e.g. scrubbed secrets) reach the main file now, not later
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            conn.close()
            raise
        self._write = conn
        self._read = _connect(self.path, self.synchronous)
        self._slow = OffLoopReader(lambda: _connect(self.path, self.synchronous))
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
        if self._slow is not None:
            self._slow.close()
            self._slow = None

    # -- writes ----------------------------------------------------------
    async def write(self, ops: list[WriteOp]) -> None:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._queue.put((ops, fut, loop))
        await fut

    def set_meta_sync(self, k: str, v: str) -> None:
        assert self._read is not None
        self._read.execute(
            "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", (k, v)
        )

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
        rows = RowCache()
        while True:
            batch, stop = next_batch(self._queue)
            if not batch:
                break
            results: list[BaseException | None]
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:  # fast path: no write fails, so none needs a savepoint of its own
                    apply_batch(conn, batch, rows)
                    results = [None] * len(batch)
                except Exception:  # noqa: BLE001 - redo the batch with each write isolated
                    conn.execute("ROLLBACK")
                    rows.clear()  # it may hold rows of the rolled-back transaction
                    conn.execute("BEGIN IMMEDIATE")
                    results = _apply_isolated(conn, batch)
                conn.execute("COMMIT")
                self.commits += 1
                self.writes += len(batch)
            except Exception as exc:  # the commit itself failed: every write in it failed
                log.exception("sqlite batch commit failed")
                rows.clear()
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                results = [exc] * len(batch)
            resolve_batch(batch, results)
            if stop:
                break
        conn.close()

    # -- reads -----------------------------------------------------------
    async def ready(self) -> None:
        """One query, off the event loop (/health/ready, REQ-API-021)."""
        assert self._slow is not None
        await self._slow.run(lambda conn: conn.execute("SELECT 1").fetchone())

    def _one(self, sql: str, args: tuple[Any, ...]) -> Any:
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
        rows = self._read.execute(
            "SELECT doc FROM api_keys WHERE workspace_id=? ORDER BY rowid", (workspace_id,)
        )
        return [loads(r[0]) for r in rows]

    def get_agent(self, address: str) -> dict[str, Any] | None:
        row = self._one("SELECT doc FROM agents WHERE address=?", (address,))
        return loads(row[0]) if row else None

    def list_agents(self, workspace_id: str, limit: int, cursor: str | None) -> list[dict[str, Any]]:
        assert self._read is not None
        rows = self._read.execute(
            "SELECT doc FROM agents WHERE workspace_id=? AND address>? ORDER BY address LIMIT ?",
            (workspace_id, cursor or "", limit),
        )
        return [loads(r[0]) for r in rows]

    def get_intent(self, intent_id: str) -> dict[str, Any] | None:
        assert self._read is not None
        return read_intent(self._read, intent_id)

    def list_intents(
        self,
        workspace_id: str,
        *,
        status: str | None,
        to_agent: str | None,
        from_agent: str | None,
        involving: str | None,
        limit: int,
        cursor: int | None,
        tasked_to: list[str] | None = None,
    ) -> list[tuple[int, dict[str, Any]]]:
        assert self._read is not None
        return queries.list_intents(
            self._read,
            workspace_id,
            status=status,
            to_agent=to_agent,
            from_agent=from_agent,
            involving=involving,
            limit=limit,
            cursor=cursor,
            tasked_to=tasked_to,
        )

    async def list_intents_async(self, workspace_id: str, **filters: Any) -> list[tuple[int, dict[str, Any]]]:
        """list_intents for the event loop: inline when one index search covers the filters
        (O(limit)), else on the off-loop reader (issue 16: no slow read on the loop)."""
        keys = ("status", "to_agent", "from_agent", "involving", "tasked_to")
        if queries.fully_indexed(**{k: filters.get(k) for k in keys}):
            return self.list_intents(workspace_id, **filters)
        assert self._slow is not None
        return await self._slow.run(lambda conn: queries.list_intents(conn, workspace_id, **filters))

    def ready_deliveries(self) -> Iterable[tuple[str, str]]:
        """(intent_id, agent address) of SUBMITTED intents on an agent step with no retry pending,
        oldest first: the delivery lanes at start. Picked out in SQL: no document is parsed here."""
        assert self._read is not None
        step = "'$._steps[' || json_extract(doc, '$._step') || ']"
        yield from self._read.execute(
            f"SELECT intent_id, json_extract(doc, {step}.assigned_to') FROM intents INDEXED BY intents_submitted"
            f" WHERE status='SUBMITTED' AND json_extract(doc, {step}.kind') = 'agent'"
            " AND json_type(doc, '$._timers.retry') IS NULL ORDER BY rid"
        )

    def ready_deliveries_to(self, address: str) -> list[str]:
        """Ids of the intents ready_deliveries gives for one agent, oldest first: its lane, loaded on
        first use. Walks the agent's SUBMITTED party rows (intent_parties_status), not every intent."""
        assert self._read is not None
        step = "'$._steps[' || json_extract(i.doc, '$._step') || ']"
        rows = self._read.execute(
            "SELECT i.intent_id FROM intent_parties p JOIN intents i ON i.rid = p.intent_rid"
            " WHERE p.workspace_id IN (SELECT workspace_id FROM workspaces) AND p.party=?"
            f" AND p.status='SUBMITTED' AND json_extract(i.doc, {step}.kind') = 'agent'"
            f" AND json_extract(i.doc, {step}.assigned_to') = ? AND json_type(i.doc, '$._timers.retry') IS NULL"
            " ORDER BY p.intent_rid",
            (address, address),
        )
        return [r[0] for r in rows]

    def timers_due(self, after: float | None, until: float) -> Iterable[tuple[str, dict[str, float]]]:
        """(intent_id, _timers) of active intents whose earliest timer is in (after, until]."""
        assert self._read is not None
        rows = self._read.execute(
            "SELECT intent_id, doc FROM intents INDEXED BY intents_timer WHERE terminal=0"
            " AND next_timer IS NOT NULL AND next_timer > ? AND next_timer <= ?",
            (float("-inf") if after is None else after, until),
        )
        for intent_id, doc in rows:
            yield intent_id, loads(doc).get("_timers") or {}

    def list_events(self, intent_id: str, since: int, limit: int) -> list[dict[str, Any]]:
        assert self._read is not None
        return read_events(self._read, intent_id, since, limit)

    def list_tasks(
        self,
        workspace_id: str,
        *,
        pending_only: bool,
        assignees: list[str] | None,
        limit: int,
        cursor: int | None,
    ) -> list[tuple[int, dict[str, Any]]]:
        assert self._read is not None
        return queries.list_tasks(
            self._read,
            workspace_id,
            pending_only=pending_only,
            assignees=assignees,
            limit=limit,
            cursor=cursor,
        )

    def get_console_session(self, session_hash: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT key_id, workspace_id, created_at, expires_at FROM console_sessions WHERE session_hash=?",
            (session_hash,),
        )
        return dict(zip(("key_id", "workspace_id", "created_at", "expires_at"), row)) if row else None

    def intents_by_correlation(
        self, workspace_id: str, correlation_id: str, limit: int
    ) -> list[dict[str, Any]]:
        """Intents with this correlation id, newest first, by the index of migration 11 (the same expression)."""
        assert self._read is not None
        rows = self._read.execute(
            "SELECT doc FROM intents WHERE workspace_id=? AND json_extract(doc, '$.correlation_id')=?"
            " ORDER BY rid DESC LIMIT ?",
            (workspace_id, correlation_id, limit),
        )
        return [loads(r[0]) for r in rows]

    def get_idempotency(self, scope_key: str) -> tuple[str, int, bytes] | None:
        row = self._one("SELECT body_hash, status, response FROM idempotency WHERE scope_key=?", (scope_key,))
        return (row[0], row[1], bytes(row[2])) if row else None

    def list_outbox(self, status: str = "pending", intent_id: str | None = None) -> list[dict[str, Any]]:
        assert self._read is not None
        sql, args = "SELECT doc FROM outbox WHERE status=?", [status]
        if intent_id is not None:
            sql, args = "SELECT doc FROM outbox WHERE intent_id=?", [intent_id]
        return [loads(r[0]) for r in self._read.execute(sql + " ORDER BY rid", args)]

    def list_outbox_attempts(self, outbox_id: str) -> list[dict[str, Any]]:
        assert self._read is not None
        rows = self._read.execute(
            "SELECT doc FROM outbox_attempts WHERE outbox_id=? ORDER BY rid", (outbox_id,)
        )
        return [loads(r[0]) for r in rows]

    def count_by_status(self, workspace_id: str | None = None) -> dict[str, int]:
        """Intents per status (of one workspace, or all), from counters kept at write time: no scan."""
        assert self._read is not None
        if workspace_id is None:
            rows = self._read.execute("SELECT status, sum(n) FROM intent_counts GROUP BY status")
        else:
            rows = self._read.execute(
                "SELECT status, n FROM intent_counts WHERE workspace_id=?", (workspace_id,)
            )
        return {status: int(n) for status, n in rows if n}

    def count_intents_by_status(self) -> dict[str, int]:
        return self.count_by_status(None)

    def schema_version(self) -> int:
        row = self._one("SELECT max(version) FROM schema_version", ())
        return int(row[0] or 0)

    # -- retention -------------------------------------------------------
    async def prune(self, policy: RetentionPolicy, now: float, on_pruned: Any = None) -> tuple[int, int, int]:
        """Delete what `policy` says is past its window, one small transaction per batch: returns
        (terminal intents, idempotency records, used-link markers) deleted.
        `on_pruned(intent_ids)` is called after each batch commits (caches forget them)."""
        intents = records = markers = 0
        while True:
            out: dict[str, Any] = {}
            await self.write([("prune", policy, now, out)])
            intents += len(out["intents"])
            records += out["idempotency"]
            markers += out["link_markers"]
            if out["intents"] and on_pruned is not None:
                on_pruned(out["intents"])
            if max(len(out["intents"]), out["idempotency"], out["link_markers"]) < policy.batch:
                return intents, records, markers


def next_batch(pending: queue.SimpleQueue[Any], most: int = 512) -> tuple[list[tuple[Any, ...]], bool]:
    """Wait for one write, then take every write queued behind it: (batch, stop asked)."""
    first = pending.get()
    if first is _STOP:
        return [], True
    batch = [first]
    while len(batch) < most:
        try:
            item = pending.get_nowait()
        except queue.Empty:
            break
        if item is _STOP:
            return batch, True
        batch.append(item)
    return batch, False


def apply_batch(conn: Any, batch: list[tuple[Any, ...]], rows: RowCache) -> None:
    """Every write of the batch, no savepoints (the fast path); intent counters written once."""
    counts = Counts()
    for ops, _fut, _loop in batch:
        for op in ops:
            _apply(conn, op, counts, rows)
    counts.flush(conn)


def resolve_batch(batch: list[tuple[Any, ...]], results: list[BaseException | None]) -> None:
    """Hand each caller its write's outcome on its own event loop."""
    by_loop: dict[Any, list[tuple[asyncio.Future[None], BaseException | None]]] = {}
    for (_ops, fut, loop), res in zip(batch, results):
        by_loop.setdefault(loop, []).append((fut, res))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve_all, items)
        except RuntimeError:  # loop closed during shutdown
            pass


def _apply_isolated(conn: Any, batch: list[tuple[Any, ...]]) -> list[BaseException | None]:
    """Each write in its own savepoint: a failing one is rolled back alone and reported to its caller."""
    results: list[BaseException | None] = []
    for ops, _fut, _loop in batch:
        conn.execute("SAVEPOINT w")
        try:
            counts = Counts()
            for op in ops:
                _apply(conn, op, counts)
            counts.flush(conn)
            conn.execute("RELEASE w")
            results.append(None)
        except Exception as exc:  # noqa: BLE001 - one bad write must not sink the batch
            conn.execute("ROLLBACK TO w")
            conn.execute("RELEASE w")
            results.append(exc)
    return results


def _resolve_all(items: list[tuple[asyncio.Future[None], BaseException | None]]) -> None:
    for fut, res in items:
        if fut.done():
            continue
        if res is None:
            fut.set_result(None)
        else:
            fut.set_exception(res)
