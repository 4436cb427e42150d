"""A server on PostgreSQL (issue 14): readiness follows the database (REQ-API-021), and the
state survives a restart. The whole contract suite runs on PostgreSQL too (server/Makefile:
AXME_TEST_ENGINE=postgresql)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
from helpers import Api, start_server
from pg.databases import fresh_database


def _ready(base_url: str) -> int:
    return httpx.get(base_url + "/health/ready", timeout=15).status_code


def _until(predicate: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "no change in time"
        time.sleep(0.1)


def test_readiness_follows_the_database_and_state_survives_a_restart(tmp_path: Path) -> None:
    with fresh_database() as url:
        dbname = url.rpartition("/")[2]
        env = {"AXME_DATABASE_URL": url}
        srv = start_server(tmp_path / "a", "--testing", env=env)
        try:
            api = Api(srv.base_url, srv.admin_key)
            assert _ready(srv.base_url) == 200
            addr, agent = api.register_agent("w")
            iid = api.create(addr)
            agent.ok(agent.complete(iid, {"v": 1}))
            admin_url = url.rpartition("/")[0] + "/postgres"
            with psycopg.connect(
                admin_url, autocommit=True
            ) as admin:  # the database stops taking connections
                admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=%s", (dbname,)
                )
            started = time.monotonic()
            answer = httpx.get(srv.base_url + "/health/ready", timeout=15)
            assert answer.status_code == 503 and answer.json()["error"]["code"] == "unavailable"
            assert time.monotonic() - started < 6.5  # within the 5 seconds REQ-API-021 allows (+ the request)
            assert (
                httpx.get(srv.base_url + "/health").status_code == 200
            )  # liveness does not ask the database
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS true')
            _until(lambda: _ready(srv.base_url) == 200)
            assert api.intent(iid)["status"] == "COMPLETED"
        finally:
            assert srv.stop() == 0
        again = start_server(tmp_path / "a", "--testing", env=env)  # (the data dir keeps only admin.key)
        try:
            api = Api(again.base_url, (tmp_path / "a" / "admin.key").read_text().strip())
            assert api.intent(iid)["result"] == {"v": 1}
            assert [e["event_type"] for e in api.ok(api.get(f"/v1/intents/{iid}/events"))["events"]][
                -1
            ] == "intent.completed"
        finally:
            assert again.stop() == 0
