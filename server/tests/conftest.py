from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import Api, ServerProc, start_server
from pg.databases import StoreMaker, fresh_database, fresh_schema


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """A fresh PostgreSQL database for this run, dropped at its end (pg/databases.py)."""
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_engine(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """Store-level tests run on both engines: `store_engine(name)` makes an unopened store."""
    database = request.getfixturevalue("postgres_database") if request.param == "postgresql" else None
    return StoreMaker(request.param, tmp_path, database)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> ServerProc:
    """The shared server; on PostgreSQL when AXME_TEST_ENGINE=postgresql (a fresh schema of the run's database)."""
    env = {}
    if os.environ.get("AXME_TEST_ENGINE") == "postgresql":
        env["AXME_DATABASE_URL"] = fresh_schema(request.getfixturevalue("postgres_database"))
    proc = start_server(
        tmp_path_factory.mktemp("axme-data"), "--testing", "--keepalive-seconds", "0.5", env=env
    )
    proc.database_url = env.get("AXME_DATABASE_URL")  # type: ignore[attr-defined]  (pg.databases.stored_bytes)
    yield proc
    # any unexpected exception answered as 500 fails the run
    metrics = httpx.get(proc.base_url + "/metrics", headers={"x-api-key": proc.admin_key}).text
    unhandled = int(re.search(r"^axme_unhandled_errors_total (\d+)$", metrics, re.MULTILINE).group(1))
    code = proc.stop()
    assert unhandled == 0, (
        f"{unhandled} unexpected 500s; see {proc.stderr_path}:\n" + proc.stderr_path.read_text()[-4000:]
    )
    assert code == 0, f"server exit code {code}"


@pytest.fixture()
def api(server: ServerProc) -> Api:
    """An admin client in a fresh namespace (workspace) of the shared server."""
    ns = httpx.post(server.base_url + "/_testing/namespaces").json()
    client = Api(server.base_url, ns["admin_api_key"])
    client.namespace = ns["namespace"]  # type: ignore[attr-defined]
    yield client
    client.http.close()


@pytest.fixture()
def anon(server: ServerProc) -> Api:
    client = Api(server.base_url, None)
    yield client
    client.http.close()
