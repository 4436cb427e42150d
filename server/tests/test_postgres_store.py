"""The PostgreSQL store's own behaviour (issue 14); what it shares with SQLite runs on both
engines in test_store*.py (the `store_engine` fixture). Needs PostgreSQL: see pg/databases.py."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from pg.databases import fresh_schema, with_database
from test_store_indexes import WS, intent

from axme_server.store import open_store
from axme_server.store.migrations import SchemaTooNew, latest_version
from axme_server.store.pg_cluster import check_batch
from axme_server.store.postgres import PostgresStore
from axme_server.store.postgres_sql import PgConn
from axme_server.store.writes import Counts


@pytest.fixture()
def url(postgres_database: str) -> str:
    return fresh_schema(postgres_database)


def _opened(url: str) -> PostgresStore:
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    store.open()
    return store


def test_migrations_apply_once_and_a_newer_database_is_refused(url: str) -> None:
    store = _opened(url)
    try:
        assert [m.version for m in store.migrated] == list(range(1, latest_version() + 1))
        assert store.schema_version() == latest_version()
    finally:
        store.close()
    again = _opened(url)
    try:
        assert again.migrated == []
        again._read.execute(
            "INSERT INTO schema_version(version, name, applied_at) VALUES(?, 'future', 'x')",
            (latest_version() + 1,),
        )
    finally:
        again.close()
    with pytest.raises(SchemaTooNew, match="newer than this server knows"):
        open_store(url).open()


def test_agents_page_by_address_in_byte_order_whatever_the_locale(url: str) -> None:
    """listAgents' cursor is the address; SQLite compares bytes, so PostgreSQL must too (COLLATE "C")."""
    store = _opened(url)
    names = ["agent://o/w/B", "agent://o/w/a", "agent://o/w/_x", "agent://o/w/Z-1"]
    try:
        asyncio.run(store.write([("agent", {"address": n, "_ws": WS}) for n in names]))
        assert [a["address"] for a in store.list_agents(WS, 10, None)] == sorted(names)
        assert [a["address"] for a in store.list_agents(WS, 10, "agent://o/w/Z-1")] == sorted(names)[2:]
        collation = store._read.execute(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = 'agents' AND column_name = 'address'"
        ).fetchone()
        assert collation == ("C",)
    finally:
        store.close()


def test_two_servers_starting_at_once_migrate_once(url: str) -> None:
    """The advisory lock: the second waits, then finds nothing to do (no duplicate-table error)."""
    stores = [open_store(url), open_store(url)]
    errors: list[BaseException] = []

    def start(store: Any) -> None:
        try:
            store.open()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert errors == []
        assert sorted(len(s.migrated) for s in stores) == [0, latest_version()]
        rows = (
            stores[0]._read.execute("SELECT count(*), count(DISTINCT version) FROM schema_version").fetchone()
        )
        assert rows == (latest_version(), latest_version())
    finally:
        for s in stores:
            s.close()


def test_migrate_command_and_a_clear_error_for_a_wrong_password(url: str, tmp_path: Any) -> None:
    def migrate(database_url: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "axme_server", "migrate", "--data-dir", str(tmp_path)],
            env={"AXME_DATABASE_URL": database_url, "PATH": ""},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    first = migrate(url)
    assert first.returncode == 0, first.stderr
    assert "applied 1: baseline" in first.stdout and f"schema version {latest_version()}" in first.stdout
    second = migrate(url)
    assert second.returncode == 0 and "applied" not in second.stdout
    wrong = url.replace("axme_test:axme_test@", "axme_test:not-the-password@")
    assert wrong != url
    bad = migrate(wrong)
    assert bad.returncode == 2 and "cannot connect to PostgreSQL" in bad.stderr and "password" in bad.stderr
    assert "not-the-password" not in bad.stderr and "Traceback" not in bad.stderr


def test_writes_under_load_share_few_commits(url: str) -> None:
    store = _opened(url)

    async def main() -> None:
        await asyncio.gather(
            *(
                store.write([("intent_new", intent(n)), ("event", {"intent_id": f"i{n}", "seq": 1})])
                for n in range(1, 401)
            )
        )

    try:
        asyncio.run(main())
        assert store.writes == 400 and store.commits <= 40, (store.writes, store.commits)
        assert store.count_by_status(WS) == {"SUBMITTED": 400}
        assert [e["seq"] for e in store.list_events("i400", 0, 5)] == [1]
    finally:
        store.close()


def test_payloads_with_nul_escapes_and_binary_replays(url: str) -> None:
    """jsonb refuses \\u0000, which JSON payloads may hold; the idempotency response is bytes."""
    store = _opened(url)
    doc = dict(
        intent(1),
        correlation_id="c-1",
        payload={"text": "a\x00b \\u0000 100% ?"},
        _step=0,
        _steps=[{"kind": "agent", "assigned_to": "agent://o/w/a"}],
    )
    blob = bytes(range(256))
    try:
        asyncio.run(
            store.write([("intent_new", doc), ("idem", "k|createIntent|/v1/intents|1", "h", 200, blob, 1.0)])
        )
        assert store.get_intent("i1") == doc
        assert [d["intent_id"] for d in store.intents_by_correlation(WS, "c-1", 5)] == ["i1"]
        assert list(store.ready_deliveries()) == [("i1", "agent://o/w/a")]
        assert store.get_idempotency("k|createIntent|/v1/intents|1") == ("h", 200, blob)
    finally:
        store.close()


def test_lost_connections_are_replaced(url: str, postgres_database: str) -> None:
    """A database restart or an idle timeout ends the connections: reads retry once on a new
    one, the writer's next batch takes a checked one from the pool."""
    store = _opened(url)
    dbname = postgres_database.rpartition("/")[2]
    try:
        asyncio.run(store.write([("intent_new", intent(1))]))
        with psycopg.connect(with_database(postgres_database, "postgres"), autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname=%s AND pid <> pg_backend_pid()",
                (dbname,),
            ).fetchone()[0]
        assert ended >= 2  # the loop's and the pool's idle connections
        assert store.get_intent("i1")["status"] == "SUBMITTED"
        asyncio.run(store.write([("intent", intent(1, status="DELIVERED"))]))
        assert store.get_intent("i1")["status"] == "DELIVERED"
        asyncio.run(store.ready())
    finally:
        store.close()


def test_writes_fail_while_the_database_is_away_and_work_after(tmp_path: Any) -> None:
    """The writer thread outlives an outage: a write then fails (its caller sees why), the next
    writes land once the database takes connections again; nothing half-written shows."""
    from pg.databases import fresh_database

    with fresh_database() as url:
        dbname = url.rpartition("/")[2]
        admin_url = with_database(url, "postgres")
        store = _opened(url)
        try:
            asyncio.run(store.write([("intent_new", intent(1))]))
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=%s", (dbname,)
                )
            with pytest.raises(psycopg.Error):
                asyncio.run(
                    store.write(
                        [("intent", intent(1, status="DELIVERED")), ("event", {"intent_id": "i1", "seq": 1})]
                    )
                )
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS true')
            asyncio.run(
                store.write(
                    [("intent", intent(1, status="ACKNOWLEDGED")), ("event", {"intent_id": "i1", "seq": 1})]
                )
            )
            assert store.get_intent("i1")["status"] == "ACKNOWLEDGED"
            assert store.count_by_status(WS) == {"ACKNOWLEDGED": 1}
            assert [e["seq"] for e in store.list_events("i1", 0, 5)] == [1]
        finally:
            store.close()


class PausingConn:
    """Waits at `barrier` after its first statement, so two transactions interleave there."""

    def __init__(self, conn: PgConn, barrier: threading.Barrier) -> None:
        self.conn, self.barrier, self.paused = conn, barrier, False

    def execute(self, sql: str, args: Any = ()) -> Any:
        out = self.conn.execute(sql, args)
        if not self.paused:
            self.paused = True
            try:  # (the other may be blocked behind this one's lock: then wait no longer)
                self.barrier.wait(timeout=1.5)
            except threading.BrokenBarrierError:
                pass
        return out


def _interleaved(url: str, batches: list[Callable[[Any], None]]) -> list[BaseException]:
    """Run each batch in its own transaction on its own connection, all pausing after their
    first statement until the others reach theirs (or 1.5 s pass): the errors they raised."""
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def run(batch: Callable[[Any], None]) -> None:
        try:
            with psycopg.connect(url, autocommit=True) as raw:
                raw.execute("BEGIN")
                batch(PausingConn(PgConn(raw), barrier))
                raw.execute("COMMIT")
        except psycopg.Error as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_two_replicas_batches_bump_the_same_counters_without_deadlocking(url: str) -> None:
    """Counts.flush upserts in key order: two replicas' batches that touched the same counter rows
    in opposite orders deadlocked, and PostgreSQL took deadlock_timeout (1 s) to abort one (the
    replicas bench's 1-2 s stalls)."""
    _opened(url).close()  # the schema

    def bump(statuses: list[str]) -> Callable[[Any], None]:
        counts = Counts()
        for status in statuses:
            counts(WS, status, 1)
        return counts.flush

    assert _interleaved(url, [bump(["A", "B"]), bump(["B", "A"])]) == []
    store = _opened(url)
    try:
        assert store.count_by_status(WS) == {"A": 2, "B": 2}
    finally:
        store.close()


def test_two_replicas_batches_lock_the_same_intents_without_deadlocking(url: str) -> None:
    """check_batch locks the rows it compares (FOR UPDATE) in id order, whatever the batch's."""
    store = _opened(url)
    try:
        asyncio.run(store.write([("intent_new", intent(1)), ("intent_new", intent(2))]))
        revs = {i: store.get_intent(i).get("_rev", 0) for i in ("i1", "i2")}
    finally:
        store.close()

    def check(order: list[str]) -> Callable[[Any], None]:
        writes = [[("intent", {"intent_id": i, "_rev": revs[i] + 1})] for i in order]
        return lambda conn: check_batch(conn, writes) and None

    assert _interleaved(url, [check(["i1", "i2"]), check(["i2", "i1"])]) == []


def test_reader_threads_keep_their_connections_and_replace_a_broken_one(url: str) -> None:
    """A read off the loop takes no pool checkout (each checkout was a check round trip); a
    connection that died under a reader thread is replaced and the read retried on the new one."""
    store = _opened(url)
    try:
        asyncio.run(store.write([("intent_new", intent(1))]))

        async def reads(n: int) -> None:
            for _ in range(n):
                assert (await store.get_intent_off_loop("i1") or {}).get("intent_id") == "i1"

        assert store._pool is not None and store._slow is not None
        # One checkout per reader thread, however many reads: the executor may start another
        # thread while the idle one has not yet said so, so the bound is the thread count.
        before = store._pool.get_stats().get("requests_num", 0)
        asyncio.run(reads(55))
        checkouts = store._pool.get_stats().get("requests_num", 0) - before
        assert 1 <= checkouts == len(store._slow._held) <= store._slow._threads._max_workers < 55
        held = [raw.info.backend_pid for raw in store._slow._held]
        with psycopg.connect(url, autocommit=True) as admin:
            for pid in held:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        asyncio.run(reads(20))
        assert not set(held) & {raw.info.backend_pid for raw in store._slow._held}
    finally:
        store.close()
