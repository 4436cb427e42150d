"""PostgreSQL store (psycopg 3 + psycopg-pool) behind the same Store protocol as SQLite.

The same shape as SqliteStore, whose reads and SQL it shares (postgres_sql.PgConn gives
psycopg connections the sqlite3 call shape):

- writes: one writer thread drains every pending `write()`, applies the batch in ONE
  transaction with pipeline mode (statements go out without waiting for each answer;
  only the few reads inside a write wait) and commits once; a failing write is
  isolated in a savepoint redo, as on SQLite. `synchronous_commit=on` (PostgreSQL's
  default): a write returns only after its commit is durable.
- reads: the Store protocol's reads are synchronous and called on the event loop, so
  they run on one dedicated autocommit connection there (a loopback round trip, measured
  in server/README.md), and the filter combinations no index covers run on pooled
  connections in reader threads (`list_intents_async`), never on the loop.
- the pool (`--database-pool-size`, at least 3): the writer's connection, the loop's, and
  the rest for the reader threads. A connection that breaks is replaced by the pool.

Several server processes may share the database (`shared = True`): each intent write is a
compare-and-set on the document's `_rev` and sends a notification (pg_cluster.py), so the
writer keeps no row cache (another process may have changed the row)."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from axme_server.jsonutil import loads
from axme_server.store import pg_outbox
from axme_server.store.migrations import Migration, migrate
from axme_server.store.pg_cluster import CHANNEL, Listener, check_batch, write_ops
from axme_server.store.postgres_sql import PgConn
from axme_server.store.sqlite import SqliteStore, next_batch, read_events, read_intent, resolve_batch
from axme_server.store.writes import Counts

log = logging.getLogger("axme_server.store")
T = TypeVar("T")

DEFAULT_POOL_SIZE = 4
DEFAULT_OUTBOX_CLAIM_SECONDS = 30.0  # > the longest push (10 s) plus its settle: a live sender keeps its rows
# pg_advisory_xact_lock key: two servers starting at once migrate one after the other
MIGRATION_LOCK = 0x61786D65
BATCH_MAX = 512
WRITE_CONNECT_TIMEOUT = 5.0  # the writer waits at most this for a connection
LOOP_CONNECT_TIMEOUT = 2.0  # the loop waits at most this for a new connection while the database is away
READY_TIMEOUT = 4.0  # seconds to wait for a pooled connection in ready() (REQ-API-021 allows 5)
# `doc` as jsonb for SQL that reads a field: jsonb refuses the escape \u0000 (a payload may hold it),
# so \u0020 stands in for it first (any JSON stays valid); the fields read this way (ids, addresses,
# kinds) are compared exactly in Python where it matters.
DOC_JSONB = "(replace(doc, '\\u0000', '\\u0020')::jsonb)"


def migrate_connection(conn: PgConn) -> list[Migration]:
    """Apply pending schema migrations in one transaction (refuses a newer database)."""

    def begin() -> None:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))

    def commit() -> None:
        conn.execute("COMMIT")

    def rollback() -> None:
        conn.execute("ROLLBACK")

    return migrate(conn, begin, commit, rollback)


class PooledReader:
    """Reads that cannot be one index search, and a replica's reads of what another process
    wrote: reader threads, each keeping one pooled connection (a checkout per read cost the
    pool's check, a round trip, on every read: a third of the reader threads' time in the
    replicas bench). A connection found broken is given back (the pool drops it) and a read
    is retried once on a new one; `retry=False` for a statement that writes."""

    def __init__(self, pool: ConnectionPool, threads: int) -> None:
        self._pool = pool
        self._local = threading.local()
        self._held: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="axme-pg-reader")

    def _connection(self, timeout: float | None) -> psycopg.Connection[Any]:
        raw: psycopg.Connection[Any] | None = getattr(self._local, "raw", None)
        if raw is not None and not (raw.closed or raw.broken):
            return raw
        if raw is not None:
            self._give_back(raw)
        raw = self._pool.getconn(timeout=timeout)  # (checked by the pool)
        self._local.raw = raw
        with self._lock:
            self._held.append(raw)
        return raw

    def _give_back(self, raw: psycopg.Connection[Any]) -> None:
        self._local.raw = None
        with self._lock:
            self._held.remove(raw)
        self._pool.putconn(raw)

    def _run(self, fn: Callable[[PgConn], T], timeout: float | None, retry: bool) -> T:
        raw = self._connection(timeout)
        try:
            return fn(PgConn(raw))
        except psycopg.OperationalError:
            if not (raw.closed or raw.broken):
                raise
            self._give_back(raw)
            if not retry:
                raise
            return fn(PgConn(self._connection(timeout)))

    async def run(self, fn: Callable[[PgConn], T], timeout: float | None = None, retry: bool = True) -> T:
        """`timeout`: seconds to wait for a connection (default: the pool's, 30)."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, self._run, fn, timeout, retry)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        with self._lock:
            held, self._held = self._held, []
        for raw in held:
            self._pool.putconn(raw)


class LoopConn(PgConn):
    """The event loop's own connection: taken from the pool once, replaced when it breaks. Only
    reads and the meta upsert (idempotent) run on it, so the retry cannot apply a change twice."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        super().__init__(pool.getconn())

    def execute(self, sql: str, args: Any = ()) -> Any:
        try:
            return super().execute(sql, args)
        except psycopg.OperationalError:
            if not (self.raw.closed or self.raw.broken):
                raise
        # the connection died (a database restart, an idle timeout): a read is retried once on a new one
        self._pool.putconn(self.raw)  # (the pool discards a broken connection)
        self.raw = self._pool.getconn(timeout=LOOP_CONNECT_TIMEOUT)
        return super().execute(sql, args)

    def close(self) -> None:
        self._pool.putconn(self.raw)


class PostgresStore(SqliteStore):
    """SqliteStore's reads and group commit on psycopg connections (see the module's docstring)."""

    shared = True  # other server processes may write the same database

    def __init__(self, url: str, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.url = url
        self.pool_size = max(3, pool_size)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = None
        self._read: Any = None
        self._slow: Any = None
        self._pool: ConnectionPool | None = None
        self.migrated: list[Migration] = []
        self.commits = 0  # batches committed (for /metrics)
        self.writes = 0  # write() calls committed
        self.process = uuid.uuid4().hex[:12]  # names this process's notifications
        self._listener: Listener | None = None
        self.outbox_claim_seconds = DEFAULT_OUTBOX_CLAIM_SECONDS  # (--outbox-claim-seconds)
        self.outbox_listener: Callable[[str | None], None] | None = None

    # -- lifecycle -------------------------------------------------------
    def open(self) -> None:
        try:  # one plain connection first: a wrong password or database fails now, with the server's words
            psycopg.connect(self.url, connect_timeout=10).close()
        except psycopg.OperationalError as exc:
            raise ValueError(
                f"cannot connect to PostgreSQL (AXME_DATABASE_URL): {str(exc).strip()}"
            ) from None
        pool = ConnectionPool(
            self.url,
            min_size=2,
            max_size=self.pool_size,
            kwargs={"autocommit": True},
            open=False,
            name="axme",
            check=ConnectionPool.check_connection,
        )
        try:
            pool.open(wait=True, timeout=15)
            with pool.connection() as raw:
                self.migrated = migrate_connection(PgConn(raw))
        except BaseException:
            pool.close()
            raise
        self._pool = pool
        self._read = LoopConn(pool)
        self._slow = PooledReader(pool, self.pool_size - 2)
        self._thread = threading.Thread(target=self._writer_loop, name="axme-pg-writer", daemon=True)
        self._thread.start()

    def listen(self, loop: asyncio.AbstractEventLoop, handle: Callable[[str | None], None]) -> None:
        """Hand every other process's intent notification to `handle` on `loop` (pg_cluster.py),
        and the outbox's wake-ups to `outbox_listener` (the dispatcher sets it; pg_outbox.py)."""
        handlers = {CHANNEL: handle}
        if self.outbox_listener is not None:
            handlers[pg_outbox.CHANNEL] = self.outbox_listener
        self._listener = Listener(self.url, loop, handlers, self.process)
        self._listener.start()

    # Reads a replica makes because another process wrote (cluster.py): on a reader thread, so the
    # event loop does not wait a database round trip per notification or per write under a lock
    # (they were two thirds of the loop's time in the replicas bench)
    async def get_intent_off_loop(self, intent_id: str) -> dict[str, Any] | None:
        assert self._slow is not None
        doc: dict[str, Any] | None = await self._slow.run(lambda conn: read_intent(conn, intent_id))
        return doc

    async def list_events_off_loop(self, intent_id: str, since: int, limit: int) -> list[dict[str, Any]]:
        assert self._slow is not None
        events: list[dict[str, Any]] = await self._slow.run(
            lambda conn: read_events(conn, intent_id, since, limit)
        )
        return events

    async def claim_outbox(self, now: float, limit: int, sending: list[str]) -> list[dict[str, Any]]:
        """Claim due outbox rows for this process (pg_outbox.claim), off the event loop."""
        assert self._slow is not None
        lease = self.outbox_claim_seconds
        rows: list[dict[str, Any]] = await self._slow.run(
            lambda conn: pg_outbox.claim(conn, self.process, now, limit, lease, sending),
            WRITE_CONNECT_TIMEOUT,
            retry=False,  # the claim may have been made before the connection broke
        )
        return rows

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        super().close()
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    async def ready(self) -> None:
        """One query on a pooled connection, off the event loop (/health/ready, REQ-API-021)."""
        assert self._slow is not None
        await self._slow.run(lambda conn: conn.execute("SELECT 1").fetchone(), READY_TIMEOUT)

    # -- writes ----------------------------------------------------------
    def _begin(self, raw: psycopg.Connection[Any] | None) -> psycopg.Connection[Any]:
        """BEGIN on the writer's connection; one that died idle (a restart, a timeout: nothing of the
        batch was sent yet) goes back to the pool and a new one begins instead."""
        assert self._pool is not None
        if raw is not None:
            try:
                raw.execute("BEGIN")
                return raw
            except psycopg.Error:
                self._pool.putconn(raw)  # (the pool drops a broken one)
        raw = self._pool.getconn(timeout=WRITE_CONNECT_TIMEOUT)
        try:
            raw.execute("BEGIN")
        except BaseException:
            self._pool.putconn(raw)
            raise
        return raw

    def _write_batches(self) -> None:
        """The writer keeps one connection (a pool checkout per batch cost a check round trip each);
        a connection that broke goes back to the pool (which drops it) and the next batch takes a
        new one, waiting at most WRITE_CONNECT_TIMEOUT (while the database is away the batch fails
        then instead of holding its callers)."""
        assert self._pool is not None
        raw: psycopg.Connection[Any] | None = None
        while True:
            batch, stop = next_batch(self._queue, BATCH_MAX)
            if batch:
                try:
                    held, raw = raw, None
                    raw = self._begin(held)  # (when it fails, no connection is held)
                    try:
                        results = _commit_batch(PgConn(raw), batch, self.process)
                    except PipelineAborted:  # redo write by write on a new connection
                        raw.close()
                        self._pool.putconn(raw)
                        raw = None
                        raw = self._begin(None)
                        results = _apply_isolated(PgConn(raw), batch, self.process)
                        raw.execute("COMMIT")
                    self.commits += 1
                    self.writes += len(batch)
                except (
                    Exception
                ) as exc:  # the commit itself failed (or the connection): every write in it failed
                    log.exception("postgresql batch commit failed")
                    results = [exc] * len(batch)
                    if raw is not None and (raw.broken or raw.closed):
                        self._pool.putconn(raw)
                        raw = None
                    elif raw is not None:  # (a failed COMMIT leaves no transaction open; be sure)
                        try:
                            raw.execute("ROLLBACK")
                        except psycopg.Error:
                            self._pool.putconn(raw)
                            raw = None
                resolve_batch(batch, results)
            if stop:
                if raw is not None:
                    self._pool.putconn(raw)
                return

    # -- reads whose SQL differs from SQLite's ---------------------------
    def list_workspaces(self) -> list[dict[str, Any]]:
        return [loads(r[0]) for r in self._read.execute("SELECT doc FROM workspaces ORDER BY rid")]

    def list_keys(self, workspace_id: str) -> list[dict[str, Any]]:
        rows = self._read.execute(
            "SELECT doc FROM api_keys WHERE workspace_id=? ORDER BY rid", (workspace_id,)
        )
        return [loads(r[0]) for r in rows]

    def ready_deliveries(self) -> Iterable[tuple[str, str]]:
        """(intent_id, agent address) of SUBMITTED intents on an agent step with no retry pending, oldest first."""
        step = "(d -> '_steps' -> ((d ->> '_step')::int))"
        yield from self._read.execute(
            f"SELECT intent_id, {step} ->> 'assigned_to' FROM"
            f" (SELECT rid, intent_id, {DOC_JSONB} AS d FROM intents WHERE status='SUBMITTED') s"
            f" WHERE {step} ->> 'kind' = 'agent' AND d -> '_timers' -> 'retry' IS NULL ORDER BY rid"
        )

    def ready_deliveries_to(self, address: str) -> list[str]:
        """ready_deliveries for one agent (its lane, loaded on first use), by its SUBMITTED party rows."""
        step = "(d -> '_steps' -> ((d ->> '_step')::int))"
        rows = self._read.execute(
            f"SELECT intent_id FROM (SELECT p.intent_rid AS rid, i.intent_id, {DOC_JSONB.replace('doc', 'i.doc')} AS d"
            " FROM intent_parties p JOIN intents i ON i.rid = p.intent_rid"
            " WHERE p.workspace_id IN (SELECT workspace_id FROM workspaces) AND p.party=?"
            " AND p.status='SUBMITTED') s"
            f" WHERE {step} ->> 'kind' = 'agent' AND {step} ->> 'assigned_to' = ?"
            " AND d -> '_timers' -> 'retry' IS NULL ORDER BY rid",
            (address, address),
        )
        return [r[0] for r in rows]

    def timers_due(self, after: float | None, until: float) -> Iterable[tuple[str, dict[str, float]]]:
        """(intent_id, _timers) of active intents whose earliest timer is in (after, until]."""
        rows = self._read.execute(
            "SELECT intent_id, doc FROM intents WHERE terminal=0"
            " AND next_timer IS NOT NULL AND next_timer > ? AND next_timer <= ?",
            (float("-inf") if after is None else after, until),
        )
        for intent_id, doc in rows:
            yield intent_id, loads(doc).get("_timers") or {}

    def intents_by_correlation(
        self, workspace_id: str, correlation_id: str, limit: int
    ) -> list[dict[str, Any]]:
        """Newest first, by the expression index of migration 11 (the same expression)."""
        rows = self._read.execute(
            f"SELECT doc FROM intents WHERE workspace_id=? AND ({DOC_JSONB} ->> 'correlation_id')=?"
            " ORDER BY rid DESC LIMIT ?",
            (workspace_id, correlation_id, limit),
        )
        docs = [loads(r[0]) for r in rows]  # (exact: the expression changed \u0000 escapes)
        return [d for d in docs if d.get("correlation_id") == correlation_id]


class PipelineAborted(Exception):
    """A statement of the batch's pipeline failed in the database (a unique key taken by another
    process, say): the rest of the pipeline was skipped, Parse messages included, so psycopg's
    cache of prepared statements may name some the server never made. The batch is redone on a
    new connection (rare: a write lost to another process's is usually a StaleWrite, found before
    anything fails in the database)."""


def _commit_batch(conn: PgConn, batch: list[tuple[Any, ...]], process: str) -> list[BaseException | None]:
    """One transaction for the whole batch (begun by the caller); pipeline mode sends its
    statements back to back."""
    try:  # fast path: no write fails, so none needs a savepoint of its own
        with conn.raw.pipeline():
            counts = Counts()
            checked = check_batch(conn, [ops for ops, _fut, _loop in batch])
            for ops, _fut, _loop in batch:
                write_ops(conn, ops, process, counts, checked)
            counts.flush(conn)
        results: list[BaseException | None] = [None] * len(batch)
    except psycopg.Error as exc:
        raise PipelineAborted() from exc
    except Exception:  # noqa: BLE001 - a stale revision (StaleWrite): redo with each write isolated
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        results = _apply_isolated(conn, batch, process)
    conn.execute("COMMIT")
    return results


def _apply_isolated(conn: PgConn, batch: list[tuple[Any, ...]], process: str) -> list[BaseException | None]:
    """Each write in its own savepoint: a failing one (a stale revision too) is rolled back alone."""
    results: list[BaseException | None] = []
    for ops, _fut, _loop in batch:
        conn.execute("SAVEPOINT w")
        try:
            counts = Counts()
            write_ops(conn, ops, process, counts)
            counts.flush(conn)
            conn.execute("RELEASE w")
            results.append(None)
        except Exception as exc:  # noqa: BLE001 - one bad write must not sink the batch
            conn.execute("ROLLBACK TO w")
            conn.execute("RELEASE w")
            results.append(exc)
    return results
