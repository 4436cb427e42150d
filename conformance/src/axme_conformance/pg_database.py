"""The matrix on PostgreSQL (`axme-conformance run --postgres ADMIN_URL`; issue 14): one fresh
database per run, dropped at the end; every reference server the run starts (the shared one
and each scenario's private one) gets a fresh schema in it, as it gets a fresh data dir on
SQLite. A schema costs a few milliseconds where a database costs a checkpoint, so private
servers do not slow the run down."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

ENV = "AXME_CONFORMANCE_DATABASE"  # the run's database, for the servers it starts


@contextmanager
def run_database(admin_url: str) -> Iterator[str]:
    """A new database for this run (its URL), dropped with any connection left at the end."""
    import psycopg

    name = f"axme_conformance_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"axme-conformance: PostgreSQL is not reachable at {admin_url.split('@')[-1]} ({exc}); "
            "run server/tests/pg/ensure_postgres.sh, or set AXME_TEST_POSTGRES=0 to skip this run"
        ) from None
    url = f"{admin_url.rpartition('/')[0]}/{name}"
    os.environ[ENV] = url
    try:
        yield url
    finally:
        os.environ.pop(ENV, None)
        # FORCE cannot end an autovacuum worker (a superuser process): wait it out, 15 s at most
        for attempt in range(75):
            try:
                with psycopg.connect(admin_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.errors.InsufficientPrivilege:
                if attempt == 74:
                    raise
                time.sleep(0.2)


def server_env() -> dict[str, str]:
    """AXME_DATABASE_URL of a fresh schema in the run's database (nothing on a SQLite run)."""
    database = os.environ.get(ENV)
    if not database:
        return {}
    import psycopg

    schema = f"s_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return {"AXME_DATABASE_URL": f"{database}?options=" + quote(f"-csearch_path={schema}")}
