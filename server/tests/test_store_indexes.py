"""Every list filter the API offers walks an index (no table scan, no sort of the whole
match), /metrics counts come from counters kept at write time, and timers load by index
(issue 16 item 2). Checked on SQLite's own query plans and against plain GROUP BY counts."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from pg.databases import StoreMaker

from axme_server.store.sqlite import SqliteStore

WS = "ws_1"
A, B, C = (f"agent://o/w/{n}" for n in "abc")


def intent(
    n: int, status: str = "SUBMITTED", to: str = A, steps: list[str] | None = None, timer: float | None = None
) -> dict[str, Any]:
    return {
        "intent_id": f"i{n}",
        "_ws": WS,
        "status": status,
        "from_agent": "admin://k",
        "to_agent": to,
        "updated_at": "2026-01-01T00:00:00.000Z",
        "_steps": [{"assigned_to": s} for s in steps or [to]],
        "_timers": {"lease": timer} if timer else {},
        "_next_timer": timer,
    }


def task(n: int, assignees: list[str], status: str = "pending") -> dict[str, Any]:
    return {"intent_id": f"i{n}", "step_id": "h", "_ws": WS, "status": status, "assignees": assignees}


@pytest.fixture()
def store(tmp_path: Path) -> SqliteStore:
    """SQLite's, for the query-plan checks."""
    yield from _seeded(SqliteStore(str(tmp_path / "s.db")))


@pytest.fixture()
def any_store(store_engine: StoreMaker) -> Any:
    """Each engine's (SQLite, PostgreSQL), for what the lists and counters return."""
    yield from _seeded(store_engine())


def _seeded(s: Any) -> Any:
    s.open()
    ops: list[tuple] = []
    for n in range(1, 301):
        ops.append(("intent_new", intent(n, to=A if n % 2 else B, timer=1000.0 + n if n % 3 == 0 else None)))
        if n % 5 == 0:
            ops.append(("task", task(n, ["carol"] if n % 10 else [])))
    asyncio.run(s.write(ops))
    yield s
    s.close()


class PlanRecorder:
    """A read connection that records the query plan of every statement it runs."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.plans: list[tuple[str, list[str]]] = []

    def execute(self, sql: str, args: Any = ()) -> sqlite3.Cursor:
        plan = [r[3] for r in self.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
        self.plans.append((sql, plan))
        return self.conn.execute(sql, args)

    def close(self) -> None:
        self.conn.close()


def assert_indexed(rec: PlanRecorder, searched: tuple[str, ...] = ()) -> None:
    """No scan, no sort; and the filter's column is part of the index search (a walk of the
    whole workspace that tests each row is a scan too)."""
    assert rec.plans
    for sql, plan in rec.plans:
        for step in plan:
            assert not re.match(r"SCAN \w+$", step), f"table scan in {sql!r}: {plan}"
            assert "TEMP B-TREE" not in step, f"sort of the whole match in {sql!r}: {plan}"
        if searched:
            assert any(
                step.startswith("SEARCH") and all(f"{c}=?" in step for c in searched) for step in plan
            ), f"{searched} not searched by index in {sql!r}: {plan}"


def searched_columns(filters: dict[str, Any]) -> tuple[str, ...]:
    """What one index search must cover: the key's own rows first (an agent's with its status
    filter), else the first filter given."""
    with_status = ("status",) if filters.get("status") else ()
    if filters.get("involving") and filters["involving"] not in (
        filters.get("to_agent"),
        filters.get("from_agent"),
    ):
        return ("party", *with_status)
    if filters.get("tasked_to"):
        return ("assignee", "intent_status") if with_status else ("assignee",)
    for name in ("to_agent", "from_agent"):
        if filters.get(name):
            return (name, *with_status)
    return with_status


LIST_INTENTS = [
    {},
    {"status": "SUBMITTED"},
    {"status": "NO_SUCH"},
    {"to_agent": B},
    {"to_agent": "agent://o/w/none"},
    {"from_agent": "admin://k"},
    {"involving": C},
    {"involving": A},
    {"involving": A, "status": "SUBMITTED"},
    {"involving": A, "status": "NONE"},
    {"to_agent": B, "status": "NONE"},
    {"involving": B, "to_agent": B, "status": "SUBMITTED"},
    {"involving": A, "from_agent": A},
    {"from_agent": "admin://k", "status": "X"},
    {"tasked_to": ["carol", "carol@x"]},
    {"tasked_to": ["nobody"], "status": "WAITING"},
]


@pytest.mark.parametrize("filters", LIST_INTENTS, ids=lambda f: ",".join(f) or "none")
def test_list_intents_filters_walk_an_index(store: SqliteStore, filters: dict[str, Any]) -> None:
    store._read = rec = PlanRecorder(store._read)
    args = {"status": None, "to_agent": None, "from_agent": None, "involving": None, **filters}
    rows = store.list_intents(WS, limit=20, cursor=250, **args)
    assert_indexed(rec, searched_columns(filters))
    assert len(rows) <= 20 and all(rid < 250 for rid, _ in rows)
    assert [rid for rid, _ in rows] == sorted((rid for rid, _ in rows), reverse=True)


@pytest.mark.parametrize("pending_only", [True, False])
@pytest.mark.parametrize("assignees", [None, ["carol"], ["nobody", "x"]])
def test_list_tasks_filters_walk_an_index(
    store: SqliteStore, pending_only: bool, assignees: list[str] | None
) -> None:
    store._read = rec = PlanRecorder(store._read)
    rows = store.list_tasks(WS, pending_only=pending_only, assignees=assignees, limit=5, cursor=1)
    assert_indexed(rec, ("assignee",) if assignees else ("status",) if pending_only else ())
    assert [rid for rid, _ in rows] == sorted(rid for rid, _ in rows)


def test_handed_off_and_exact_matches(any_store: Any) -> None:
    store = any_store
    asyncio.run(store.write([("intent", intent(7, to=A, steps=[C]))]))  # i7's step handed from A to C
    mine = store.list_intents(
        WS, status=None, to_agent=None, from_agent=None, involving=C, limit=50, cursor=None
    )
    assert [d["intent_id"] for _, d in mine] == ["i7"]
    done = store.list_intents(
        WS, status="COMPLETED", to_agent=None, from_agent=None, involving=C, limit=5, cursor=None
    )
    assert done == []
    asyncio.run(store.write([("intent", intent(7, status="COMPLETED", to=A, steps=[C]))]))
    done = store.list_intents(
        WS, status="COMPLETED", to_agent=None, from_agent=None, involving=C, limit=5, cursor=None
    )
    assert [d["intent_id"] for _, d in done] == ["i7"]  # the party rows follow the status
    asyncio.run(store.write([("intent", intent(7, to=A, steps=[A]))]))  # handed back: C no longer involved
    assert (
        store.list_intents(
            WS, status=None, to_agent=None, from_agent=None, involving=C, limit=50, cursor=None
        )
        == []
    )
    own_inbox = store.list_intents(
        WS, status=None, to_agent=A, from_agent=None, involving=A, limit=500, cursor=None
    )
    walked = store.list_intents(
        WS, status=None, to_agent=None, from_agent=None, involving=A, limit=500, cursor=None
    )
    assert [rid for rid, _ in own_inbox] == [rid for rid, d in walked if d["to_agent"] == A] != []
    carol = store.list_tasks(WS, pending_only=True, assignees=["carol"], limit=100, cursor=None)
    upper = store.list_tasks(WS, pending_only=True, assignees=["CAROL"], limit=100, cursor=None)
    assert len(carol) == 60 and len(upper) == 30  # CAROL sees only the 30 tasks open to anyone


def test_counters_match_group_by_through_transitions(any_store: Any) -> None:
    store = any_store

    def group_by() -> dict[str, int]:
        return dict(store._read.execute("SELECT status, count(*) FROM intents GROUP BY status").fetchall())

    assert store.count_by_status(WS) == group_by() == {"SUBMITTED": 300}
    asyncio.run(
        store.write(
            [("intent", intent(n, status="COMPLETED")) for n in range(1, 11)]
            + [("intent", intent(11, status="DELIVERED")), ("intent", intent(11, status="DELIVERED"))]
        )
    )
    assert store.count_by_status(WS) == group_by() == {"SUBMITTED": 289, "COMPLETED": 10, "DELIVERED": 1}
    assert store.count_by_status("ws_other") == {} and store.count_intents_by_status() == group_by()


def test_counters_are_read_by_index(store: SqliteStore) -> None:
    rec = PlanRecorder(store._read)
    rec.execute("SELECT status, n FROM intent_counts WHERE workspace_id=?", (WS,))
    assert_indexed(rec)


def test_timers_load_by_index(any_store: Any) -> None:
    store = any_store
    due = dict(store.timers_due(None, 1030.0))
    assert set(due) == {f"i{n}" for n in (3, 6, 9, 12, 15, 18, 21, 24, 27, 30)}
    assert due["i3"] == {"lease": 1003.0}
    assert dict(store.timers_due(1029.0, 1030.0)) == {"i30": {"lease": 1030.0}}
    asyncio.run(store.write([("intent", intent(30, status="COMPLETED", timer=1030.0))]))
    assert dict(store.timers_due(1029.0, 1030.0)) == {}  # terminal intents hold no timers


def _agent_step(
    n: int, to: str, *, step: str | None = None, kind: str = "agent", retry: bool = False
) -> dict:
    """An intent on its second step: `step` (default `to`) of kind `kind`, a step retry pending or not."""
    doc = intent(n, to=to, steps=[to, step or to])
    doc["_step"] = 1
    doc["_steps"][1]["kind"] = kind
    doc["_timers"] = {"retry": 5000.0} if retry else {}
    return doc


def test_an_agents_ready_lane_loads_by_its_party_rows(any_store: Any, tmp_path: Path) -> None:
    """ready_deliveries_to(address) is ready_deliveries for that agent: its SUBMITTED intents on
    an agent step assigned to it, no retry pending, oldest first (delivery.py loads a lane with
    it on first use, issue 16); handed-off steps count for the agent they were handed to."""
    store = any_store
    asyncio.run(store.write([("workspace", {"workspace_id": WS})]))
    asyncio.run(
        store.write(
            [
                ("intent_new", _agent_step(401, A)),
                ("intent_new", _agent_step(402, A, step=C)),  # handed from A to C
                ("intent_new", _agent_step(403, C, kind="human")),
                ("intent_new", _agent_step(404, C, retry=True)),
                ("intent_new", _agent_step(405, C)),
                ("intent_new", dict(_agent_step(406, C), status="DELIVERED")),
            ]
        )
    )
    lanes: dict[str, list[str]] = {}
    for intent_id, address in store.ready_deliveries():
        lanes.setdefault(address, []).append(intent_id)
    assert lanes[C] == ["i402", "i405"]
    for address in (A, B, C, "agent://o/w/none"):
        assert store.ready_deliveries_to(address) == lanes.get(address, [])
    asyncio.run(store.write([("intent", dict(_agent_step(402, A, step=C), status="DELIVERED"))]))
    assert store.ready_deliveries_to(C) == ["i405"]  # the party rows follow the status
    if isinstance(store, SqliteStore) and store.__class__ is SqliteStore:
        rec = PlanRecorder(store._read)
        store._read, real = rec, store._read  # type: ignore[assignment]
        try:
            store.ready_deliveries_to(C)
        finally:
            store._read = real
        [(_, plan)] = rec.plans  # sorted: the agent's own rows, one walk per workspace
        assert not any(re.match(r"SCAN \w+$", step) for step in plan), plan
        assert any(step.startswith("SEARCH p") and "party=? AND status=?" in step for step in plan), plan


def test_filters_no_index_covers_run_off_the_event_loop(
    any_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = any_store
    from axme_server.store import queries

    threads: list[str] = []
    real = queries.list_intents

    def spy(conn: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(queries, "list_intents", spy)
    both = {"status": None, "to_agent": B, "from_agent": "admin://k", "involving": None, "tasked_to": None}
    indexed = dict(both, from_agent=None, status="SUBMITTED")

    async def main() -> tuple[list, list]:
        return (
            await store.list_intents_async(WS, **both, limit=10, cursor=None),
            await store.list_intents_async(WS, **indexed, limit=10, cursor=None),
        )

    slow, fast = asyncio.run(main())
    assert threads[0].startswith(("axme-sqlite-reader", "axme-pg-reader"))
    assert threads[1] == threading.current_thread().name
    assert slow == store.list_intents(WS, **both, limit=10, cursor=None) != []
    assert fast == store.list_intents(WS, **indexed, limit=10, cursor=None) != []


def test_list_agents_pages_by_index(store: SqliteStore) -> None:
    asyncio.run(store.write([("agent", {"address": f"agent://o/w/a{n:03}", "_ws": WS}) for n in range(50)]))
    store._read = rec = PlanRecorder(store._read)
    page = store.list_agents(WS, 10, "agent://o/w/a019")
    assert [a["address"] for a in page] == [f"agent://o/w/a{n:03}" for n in range(20, 30)]
    assert_indexed(rec, ("workspace_id",))
