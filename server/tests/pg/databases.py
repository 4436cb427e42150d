"""PostgreSQL for the tests: one fresh database per test run (dropped at the end), one
fresh schema per store a test makes (cheap, and isolated like a new SQLite file).

The cluster comes from `ensure_postgres.sh` (.ci/run calls it and exports
AXME_TEST_POSTGRES_URL). Without a reachable PostgreSQL the PostgreSQL tests FAIL: CI
must not pass by skipping them. On a machine without PostgreSQL set AXME_TEST_POSTGRES=0
to skip them, with that reason shown."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest

DEFAULT_ADMIN_URL = (
    "postgresql://axme_test:axme_test@127.0.0.1:5432/postgres"  # what ensure_postgres.sh makes
)


def admin_url() -> str:
    """The URL of a role that may create databases; skips (visibly) only when AXME_TEST_POSTGRES=0."""
    if os.environ.get("AXME_TEST_POSTGRES") == "0":
        pytest.skip("AXME_TEST_POSTGRES=0: the PostgreSQL tests are off on this machine")
    return os.environ.get("AXME_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL


def with_database(url: str, dbname: str, schema: str | None = None) -> str:
    base, _, _ = url.rpartition("/")
    out = f"{base}/{dbname}"
    if schema:  # every connection of the store starts in this schema
        out += "?options=" + quote(f"-csearch_path={schema}")
    return out


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database for this run; dropped (with any connection left) at the end."""
    import psycopg

    admin = admin_url()
    name = f"axme_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin.split('@')[-1]} ({exc}); run "
            "server/tests/pg/ensure_postgres.sh, or set AXME_TEST_POSTGRES=0 to skip these tests"
        )
    try:
        yield with_database(admin, name)
    finally:
        drop_database(admin, name)


def drop_database(admin: str, name: str, patience: float = 15.0) -> None:
    """DROP … WITH (FORCE), again while an autovacuum worker holds the database: FORCE may not
    end a superuser's process, so it fails with InsufficientPrivilege until the worker is done."""
    import psycopg

    deadline = time.monotonic() + patience
    while True:
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def fresh_schema(database_url: str) -> str:
    """A new schema in the run's database; the URL of a store that lives in it."""
    import psycopg

    schema = f"s_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return with_database(database_url, database_url.rpartition("/")[2], schema)


class StoreMaker:
    """`make(name)`: an unopened store of the engine under test; the same name reaches the same data
    (a reopened SQLite file, or the same PostgreSQL schema)."""

    def __init__(self, engine: str, tmp_path: os.PathLike[str], database_url: str | None) -> None:
        self.engine = engine
        self._tmp_path = tmp_path
        self._database_url = database_url
        self._urls: dict[str, str] = {}

    def url(self, name: str = "s") -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{os.path.join(self._tmp_path, name + '.db')}"
        assert self._database_url is not None
        if name not in self._urls:
            self._urls[name] = fresh_schema(self._database_url)
        return self._urls[name]

    def __call__(self, name: str = "s") -> object:
        from axme_server.store import open_store

        return open_store(self.url(name))


def stored_bytes(server: Any) -> bytes:
    """Everything the server's database holds, as bytes: its SQLite files, or every value of
    every table of its PostgreSQL schema (bytea as is), for "this secret is stored nowhere" checks."""
    url = getattr(server, "database_url", None)
    if not url:
        data_dir = server.data_dir
        return b"".join(p.read_bytes() for p in data_dir.iterdir() if p.name.startswith("axme.db"))
    import psycopg

    out: list[bytes] = []
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                out += [v if isinstance(v, bytes) else str(v).encode() for v in row]
    return b"\n".join(out)


def query_server_database(server: Any, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A read-only query (`?` placeholders) on the database of a test's server, on either engine."""
    url = getattr(server, "database_url", None)
    if not url:
        import sqlite3

        with sqlite3.connect(f"file:{server.data_dir / 'axme.db'}?mode=ro", uri=True) as db:
            return db.execute(sql, args).fetchall()
    from axme_server.store.postgres_sql import connect

    conn = connect(url)
    try:
        return conn.query(sql, args)
    finally:
        conn.close()
