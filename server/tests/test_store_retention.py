"""Retention (issue 16 item 4, REQ-LIFECYCLE-015, REQ-IDEMP-006, REQ-NOTIFY-010): terminal intents
with their events, tasks and side rows, idempotency records and used-link markers, deleted in small
batches once past their window; active intents and young rows stay; counters follow."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from helpers import Api, start_server
from pg.databases import StoreMaker
from test_store_indexes import WS, intent, task

from axme_server.jsonutil import iso
from axme_server.notify.links import MAX_LIFETIME_SECONDS
from axme_server.store.retention import RetentionPolicy

DAY = 86400.0
NOW = 1_800_000_000.0


def ended(n: int, days_ago: float, status: str = "COMPLETED") -> dict:
    return dict(intent(n, status=status, steps=["agent://o/w/c"]), updated_at=iso(NOW - days_ago * DAY))


def test_prune_deletes_only_what_is_past_its_window_in_batches(store_engine: StoreMaker) -> None:
    store = store_engine("r")
    store.open()
    try:
        ops: list[tuple] = []
        for n in range(1, 11):  # i1..i5 ended 10 days ago, i6..i8 an hour ago, i9..i10 still active
            doc = ended(n, 10 if n <= 5 else 1 / 24) if n <= 8 else intent(n)
            ops += [
                ("intent_new", doc),
                ("event", {"intent_id": doc["intent_id"], "seq": 1}),
                ("task", task(n, ["carol"], status="done" if n <= 8 else "pending")),
            ]
            ops.append(("idem", f"k|createIntent|/v1/intents|{n}", "h", 200, b"{}", NOW - (n * 5) * 3600))
            for state in ("sent", "pending"):
                ops += [
                    (
                        "outbox",
                        {
                            "outbox_id": f"o{n}{state}",
                            "channel": "push",
                            "intent_id": doc["intent_id"],
                            "status": state,
                        },
                    ),
                    ("outbox_attempt", {"outbox_id": f"o{n}{state}"}),
                ]
        asyncio.run(store.write(ops))
        forgotten: list[str] = []
        policy = RetentionPolicy(intents_days=7, idempotency_hours=24, batch=2)
        commits = store.commits
        intents, records, markers = asyncio.run(store.prune(policy, NOW, forgotten.extend))
        assert (intents, records, markers) == (5, 6, 0)  # records made 25..50 hours ago; 5..20 hours stay
        assert store.commits - commits == 4  # batches of 2: 2+2+1 intents, 2+2+2 records (+ an empty check)
        assert sorted(forgotten) == [f"i{n}" for n in range(1, 6)]
        remaining = {
            d["intent_id"]
            for _, d in store.list_intents(
                WS, status=None, to_agent=None, from_agent=None, involving=None, limit=100, cursor=None
            )
        }
        assert remaining == {f"i{n}" for n in range(6, 11)}
        for n in range(1, 6):
            assert store.get_intent(f"i{n}") is None and store.list_events(f"i{n}", 0, 10) == []
        assert store.list_events("i6", 0, 10) == [{"intent_id": "i6", "seq": 1}]
        by_party = store.list_intents(
            WS, status=None, to_agent=None, from_agent=None, involving="agent://o/w/c", limit=100, cursor=None
        )
        assert {d["intent_id"] for _, d in by_party} == {"i6", "i7", "i8"}
        tasks = store.list_tasks(WS, pending_only=False, assignees=["carol"], limit=100, cursor=None)
        assert {d["intent_id"] for _, d in tasks} == {f"i{n}" for n in range(6, 11)}
        counted = dict(store._read.execute("SELECT status, count(*) FROM intents GROUP BY status").fetchall())
        assert store.count_by_status(WS) == counted == {"COMPLETED": 3, "SUBMITTED": 2}
        side = store._read.execute(
            "SELECT (SELECT count(*) FROM task_assignees), (SELECT count(*) FROM tasks),"
            " (SELECT count(*) FROM idempotency)"
        ).fetchone()
        assert side == (5, 5, 4)
        outbox = store._read.execute("SELECT outbox_id FROM outbox ORDER BY rid").fetchall()
        assert [o for (o,) in outbox] == [f"o{n}pending" for n in range(1, 6)] + [
            f"o{n}{state}" for n in range(6, 11) for state in ("sent", "pending")
        ]  # pushes still due stay
        attempts = store._read.execute("SELECT count(*) FROM outbox_attempts").fetchone()[0]
        assert attempts == 15
        assert asyncio.run(store.prune(RetentionPolicy(intents_days=None, idempotency_hours=None), NOW)) == (
            0,
            0,
            0,
        )
    finally:
        store.close()


def test_prune_deletes_used_link_markers_once_their_link_has_expired(store_engine: StoreMaker) -> None:
    store = store_engine("m")
    store.open()
    try:
        old = [f"link_used:old{n}" for n in range(3)]  # used longer ago than a link lives
        young = iso(NOW - MAX_LIFETIME_SECONDS + 60)  # its link may still live
        asyncio.run(
            store.write(
                [("meta", k, iso(NOW - MAX_LIFETIME_SECONDS - 1 - n)) for n, k in enumerate(old)]
                + [
                    ("meta", "link_used:young", young),
                    ("meta", "linkXused:old", iso(NOW - 30 * DAY)),  # not a marker (`_` is no wildcard)
                ]
            )
        )
        commits = store.commits
        policy = RetentionPolicy(intents_days=None, idempotency_hours=None, batch=2)
        assert asyncio.run(store.prune(policy, NOW)) == (0, 0, 3)
        assert store.commits - commits == 2  # batches of 2: 2 + 1
        assert [store.get_meta(k) for k in old] == [None, None, None]
        assert store.get_meta("link_used:young") == young
        assert store.get_meta("linkXused:old") is not None
        unbounded = RetentionPolicy(intents_days=None, idempotency_hours=None, link_marker_seconds=None)
        assert asyncio.run(store.prune(unbounded, NOW + 30 * DAY)) == (0, 0, 0)
        assert store.get_meta("link_used:young") is not None
    finally:
        store.close()


def _wait_for(predicate: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "retention did not run in time"
        time.sleep(0.05)


def test_server_prunes_on_its_own_after_the_window(tmp_path: Path) -> None:
    srv = start_server(
        tmp_path / "d", "--testing", "--retain-intents-days", "1", "--retention-interval-seconds", "0.1"
    )
    try:
        api = Api(srv.base_url, srv.admin_key)
        addr, agent = api.register_agent("w")
        body = {"intent_type": "intent.test.thing.v1", "to_agent": addr, "payload": {}}
        first = api.ok(api.post("/v1/intents", body, headers={"Idempotency-Key": "k1"}))
        done = first["intent_id"]
        agent.ok(agent.complete(done, {"v": 1}))
        active = api.create(addr)
        assert api.intent(done)["status"] == "COMPLETED"
        api.advance(DAY + 3600)  # past both windows (1 day; idempotency 24 hours)
        _wait_for(lambda: api.get(f"/v1/intents/{done}").status_code == 404)
        assert api.get(f"/v1/intents/{done}/audit").status_code == 404
        assert api.intent(active)["status"] in ("SUBMITTED", "DELIVERED")  # active intents are never deleted
        assert done not in [i["intent_id"] for i in api.ok(api.get("/v1/intents"))["intents"]]
        again = api.post(
            "/v1/intents", body, headers={"Idempotency-Key": "k1"}
        )  # the record is gone: runs anew
        assert again.status_code == 200 and "idempotent-replayed" not in again.headers
        assert again.json()["intent_id"] != done
    finally:
        assert srv.stop() == 0


def test_retention_flags_are_checked(tmp_path: Path) -> None:
    for flags, message in (
        (["--retain-idempotency-hours", "5"], "at least 24"),
        (["--retain-intents-days", "0"], "positive"),
    ):
        out = subprocess.run(
            [sys.executable, "-m", "axme_server", "--data-dir", str(tmp_path), *flags],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 2 and message in out.stderr, out.stderr
