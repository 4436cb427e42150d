"""Versioned schema migrations: a data dir written by the first-schema server
(tests/data/v1-data, made by make_v1_fixture.py) is upgraded in place and everything
in it still reads and works; a newer database is refused; `axme-server migrate`."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import Api, start_server

from axme_server.store.migrations import MIGRATIONS, Migration, SchemaTooNew, latest_version
from axme_server.store.sqlite import SqliteStore

FIXTURE = Path(__file__).parent / "data" / "v1-data"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text())


def v1_data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "v1"
    data.mkdir()
    (data / "axme.db").write_bytes(gzip.decompress((FIXTURE / "axme.db.gz").read_bytes()))
    (data / "axme.db").chmod(0o644)  # as the first-schema server left it
    data.chmod(0o755)
    return data


def test_steps_are_numbered_densely_from_one() -> None:
    assert [m.version for m in MIGRATIONS[: latest_version()]] == list(range(1, latest_version() + 1))


def test_v1_data_dir_upgrades_and_everything_still_works(tmp_path: Path) -> None:
    data = v1_data_dir(tmp_path)
    m = MANIFEST
    secret = m["minted"]["api_key"].split("_")[-1].encode()
    assert secret in (data / "axme.db").read_bytes()  # the first schema kept it (REQ-IDEMP-009 is news)
    srv = start_server(data)
    try:
        assert (
            secret not in (data / "axme.db").read_bytes()
        )  # scrubbed and checkpointed at start, not at exit
        assert srv.admin_key is None  # the workspace and its admin key came from the old data
        admin = Api(srv.base_url, m["admin_key"])
        for name, iid in m["intents"].items():  # every intent and its events read back unchanged
            assert admin.intent(iid)["status"] == m["expect"][name]["status"], name
            assert len(admin.events(iid)) == m["expect"][name]["events"], name
        helper_addr, helper_key = m["agents"]["helper"]
        helper = admin.with_key(helper_key)
        # REQ-AUTH-007: the handed-off intent is the new handler's to list (the step-5 backfill)
        listed = {i["intent_id"] for i in helper.ok(helper.get("/v1/intents"))["intents"]}
        assert listed == {m["intents"]["handed"], m["intents"]["submitted"]}
        carol = admin.with_key(m["human_carol_key"])  # REQ-HUMAN-018 through the step-4 backfill
        tasks = carol.ok(carol.get("/v1/tasks"))["tasks"]
        assert [t["intent_id"] for t in tasks] == [m["intents"]["waiting"]]
        assert (
            carol.ok(carol.decide(m["intents"]["waiting"], outcome="approved"))["intent"]["status"]
            == "COMPLETED"
        )
        # REQ-IDEMP-003: an old record still replays byte for byte
        replay = m["create_replay"]
        again = admin.post(
            "/v1/intents",
            {
                "intent_type": "intent.test.thing.v1",
                "to_agent": m["agents"]["worker"][0],
                "payload": {"n": 1},
            },
            headers={"Idempotency-Key": replay["idempotency_key"]},
        )
        assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
        assert again.json()["intent_id"] == replay["intent_id"]
        # REQ-IDEMP-009: the old createKey record lost its secret in step 7
        minted = admin.post(
            "/v1/admin/keys",
            {"kind": "human", "name": "dave", "human": {"id": "dave", "display_name": "Dave"}},
            headers={"Idempotency-Key": m["minted"]["idempotency_key"]},
        )
        assert minted.status_code == 409, minted.text
        assert minted.json()["error"]["details"] == {
            "reason": "secret_not_kept",
            "key_id": m["minted"]["key_id"],
        }
        # the agents still work: the helper gets its submitted intents delivered and completes one
        delivered = helper.poll(helper_addr, wait=5)
        assert {d["intent_id"] for d in delivered} == {m["intents"]["handed"], m["intents"]["submitted"]}
        helper.ok(helper.complete(m["intents"]["submitted"], {"ok": True}))
        worker = admin.with_key(m["agents"]["worker"][1])
        new = worker.create(helper_addr)  # and new writes land next to the old rows
        assert admin.intent(new)["status"] == "SUBMITTED"
    finally:
        assert srv.stop() == 0
    raw = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("axme.db"))
    assert secret not in raw  # REQ-AUTH-003: not even in free pages
    assert (data / "axme.db").stat().st_mode & 0o777 == 0o600 and data.stat().st_mode & 0o777 == 0o700
    store = SqliteStore(str(data / "axme.db"))
    store.open()
    try:
        assert store.schema_version() == latest_version() and store.migrated == []
        counted = dict(store._read.execute("SELECT status, count(*) FROM intents GROUP BY status").fetchall())
        assert (
            store.count_by_status()
            == counted
            == {"COMPLETED": 3, "FAILED": 1, "CANCELED": 1, "DELIVERED": 1, "SUBMITTED": 1}
        )
    finally:
        store.close()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "new"
    data.mkdir()
    db = data / "axme.db"
    store = SqliteStore(str(db))
    store.open()
    store.close()
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO schema_version VALUES (?, 'from the future', '2099-01-01T00:00:00Z')",
        (latest_version() + 1,),
    )
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew, match=f"schema version {latest_version() + 1}"):
        SqliteStore(str(db)).open()
    for cmd in (["--port", "0", "--data-dir", str(data)], ["migrate", "--data-dir", str(data)]):
        out = subprocess.run(
            [sys.executable, "-m", "axme_server", *cmd],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 2 and "newer than this server knows" in out.stderr, out.stderr


def test_migrate_command_applies_the_steps_and_exits(tmp_path: Path) -> None:
    data = v1_data_dir(tmp_path)
    run = [sys.executable, "-m", "axme_server", "migrate", "--data-dir", str(data)]
    first = subprocess.run(run, check=False, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    # step 1 adopts the unversioned first-schema database; every later step is applied
    assert [ln.split(":")[0] for ln in first.stdout.splitlines() if ln.startswith("applied")] == [
        f"applied {v}" for v in range(1, latest_version() + 1)
    ]
    second = subprocess.run(run, check=False, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0 and "applied" not in second.stdout
    assert f"schema version {latest_version()}" in second.stdout


def test_a_failing_step_leaves_the_database_at_its_old_version(tmp_path: Path) -> None:
    data = v1_data_dir(tmp_path)

    def broken(db: object) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")  # type: ignore[attr-defined]
        raise RuntimeError("step failed")

    MIGRATIONS.append(Migration(len(MIGRATIONS) + 1, "broken", broken))
    try:
        with pytest.raises(RuntimeError, match="step failed"):
            SqliteStore(str(data / "axme.db")).open()
    finally:
        MIGRATIONS.pop()
    conn = sqlite3.connect(data / "axme.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    # one transaction: neither the broken step nor the good steps before it were kept
    assert "half_done" not in tables and "schema_version" not in tables and "task_assignees" not in tables


def test_steps_after_the_baseline_speak_postgresql_too() -> None:
    """The numbered steps are engine-neutral (issue 14): run for a postgresql Db, steps 2..N
    emit no SQLite-only syntax and use the engine's types."""

    class RecordingDb:
        dialect = "postgresql"

        def __init__(self) -> None:
            self.sql: list[str] = []

        def execute(self, sql: str, args: object = ()) -> None:
            self.sql.append(sql)

        def query(self, sql: str, args: object = ()) -> list[tuple]:
            self.sql.append(sql)
            return []

    db = RecordingDb()
    for step in MIGRATIONS[1 : latest_version()]:
        step.apply(db)
    text = "\n".join(db.sql)
    for sqlite_only in ("PRAGMA", "INDEXED BY", "WITHOUT ROWID", "AUTOINCREMENT", "{", " REAL", " BLOB"):
        assert sqlite_only not in text, sqlite_only
    assert "DOUBLE PRECISION" in text and "GENERATED BY DEFAULT AS IDENTITY" in text


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_version_11_database_upgrades_to_claimable_outbox_rows_and_intent_revisions(
    tmp_path: Path, engine: str
) -> None:
    """Steps 12-13 (issue 14): a database at version 11, holding a pending push row and an intent
    a replica wrote (its document has `_rev`), opens; the row's due time is backfilled (replicas
    claim by it) and it is unclaimed; the intent's revision is in `intents.rev`."""
    from contextlib import ExitStack

    from pg.databases import StoreMaker, fresh_database

    from axme_server.store.steps import outbox_claims

    with ExitStack() as stack:
        url = stack.enter_context(fresh_database()) if engine == "postgresql" else None
        make = StoreMaker(engine, tmp_path, url)
        newer = MIGRATIONS[11:]
        assert newer[0].apply is outbox_claims
        del MIGRATIONS[11:]  # the server of the previous version
        try:
            old = make("s")
            old.open()
            row = {"outbox_id": "dlv-1", "channel": "push", "status": "pending", "due": 1234.5, "attempts": 0}
            old._read.execute(  # type: ignore[attr-defined]  (the loop's connection writes too: set_meta_sync)
                "INSERT INTO outbox(outbox_id, channel, intent_id, status, doc) VALUES(?,?,?,?,?)",
                ("dlv-1", "push", "i-1", "pending", json.dumps(row)),
            )
            for intent_id, doc in (("i-1", {"_rev": 7, "n": "\u00e9"}), ("i-2", {"n": 1})):
                old._read.execute(  # type: ignore[attr-defined]
                    "INSERT INTO intents(intent_id, workspace_id, status, doc) VALUES(?,?,?,?)",
                    (intent_id, "ws", "SUBMITTED", json.dumps(doc)),
                )
            old.close()
        finally:
            MIGRATIONS.extend(newer)
        store = make("s")
        store.open()
        try:
            assert [m.version for m in store.migrated] == list(range(12, latest_version() + 1))
            read = store._read  # type: ignore[attr-defined]
            assert read.execute("SELECT due, claimed_by, claim_until FROM outbox").fetchall() == [
                (1234.5, None, None)
            ]
            assert [r["outbox_id"] for r in store.list_outbox("pending")] == ["dlv-1"]
            assert read.execute("SELECT intent_id, rev FROM intents ORDER BY rid").fetchall() == [
                ("i-1", 7),
                ("i-2", 0),
            ]
        finally:
            store.close()
