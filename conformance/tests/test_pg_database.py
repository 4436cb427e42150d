"""`run --postgres`: the run's database holds one fresh schema per reference server, and is
dropped at the end (issue 14). Needs PostgreSQL (AXME_TEST_POSTGRES_URL, as .ci/run exports;
AXME_TEST_POSTGRES=0 skips on a machine without it)."""

from __future__ import annotations

import os

import httpx
import pytest

from axme_conformance.pg_database import run_database
from axme_conformance.server_process import ReferenceServer

ADMIN_URL = (
    os.environ.get("AXME_TEST_POSTGRES_URL")
    or "postgresql://axme_test:axme_test@127.0.0.1:5432/postgres"
)


@pytest.mark.skipif(os.environ.get("AXME_TEST_POSTGRES") == "0", reason="AXME_TEST_POSTGRES=0")
def test_each_server_gets_a_schema_of_the_runs_database_which_is_dropped() -> None:
    import psycopg

    with run_database(ADMIN_URL) as url:
        with ReferenceServer() as first, ReferenceServer() as second:
            for srv in (first, second):
                assert (
                    srv.info is not None and srv.info.admin_api_key
                )  # a fresh store each: a new workspace
                assert httpx.get(srv.info.base_url + "/health/ready").status_code == 200
        with psycopg.connect(url) as conn:
            schemas = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'intents'"
            ).fetchone()
        assert schemas == (2,)
    name = url.rpartition("/")[2]
    with psycopg.connect(ADMIN_URL) as conn:
        assert (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None
        )
    assert "AXME_CONFORMANCE_DATABASE" not in os.environ
