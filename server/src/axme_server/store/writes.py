"""Applying WriteOps inside the writer's transaction, with the side tables that keep
every list filter on an index (maintained in the same transaction as the row):

- `intent_parties (workspace_id, party, intent_rid)`: the agents an intent involves
  (from, to, any step assigned to it, handed-off steps included) — an agent key's
  listIntents (REQ-AUTH-007);
- `task_assignees (task_rid, assignee, …)`: exact, case-sensitive assignee names of a
  task, `''` for a task open to any human of the workspace (REQ-HUMAN-018/020);
- `intent_counts (workspace_id, status, n)`: /metrics counts without a scan;
- `intents.ended_at`: when an intent became terminal, for retention."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from axme_server.jsonutil import dumps, parse_iso
from axme_server.store.base import WriteOp
from axme_server.store.idempotency import record_to_keep

TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT")
CountFn = Callable[[str, str, int], None]


def agent_parties(doc: dict[str, Any]) -> str:
    """Space-separated sorted agent addresses an intent involves (as access.involved_agent reads them)."""
    names = {doc.get("from_agent"), doc.get("to_agent")}
    names.update(s.get("assigned_to") for s in doc.get("_steps") or [])
    return " ".join(sorted(n for n in names if isinstance(n, str) and n.startswith("agent://")))


def ended_at(doc: dict[str, Any]) -> float | None:
    if doc["status"] not in TERMINAL:
        return None
    try:
        return parse_iso(doc["updated_at"])
    except (KeyError, TypeError, ValueError):
        return None


def next_timer(doc: dict[str, Any]) -> float | None:
    """The earliest timer of an active intent (the engine keeps it as `_next_timer`)."""
    return None if doc["status"] in TERMINAL else doc.get("_next_timer")


def task_assignee_names(assignees: list[str]) -> list[str]:
    """'' stands for "any human of the workspace" (an empty assignee list)."""
    return sorted(set(assignees)) if assignees else [""]


def add_parties(conn: Any, workspace_id: str, rid: int, parties: list[str], status: str | None) -> None:
    for party in parties:
        conn.execute(
            "INSERT INTO intent_parties(workspace_id, party, intent_rid, status) VALUES(?,?,?,?)"
            " ON CONFLICT DO NOTHING",
            (workspace_id, party, rid, status),
        )


def bump_count(conn: Any, workspace_id: str, status: str, n: int) -> None:
    conn.execute(
        "INSERT INTO intent_counts(workspace_id, status, n) VALUES(?,?,?) ON CONFLICT(workspace_id, status)"
        " DO UPDATE SET n = intent_counts.n + excluded.n",
        (workspace_id, status, n),
    )


class Counts:
    """intent_counts deltas of one batch, written once before it commits (one upsert per
    workspace and status touched, not two per transition)."""

    def __init__(self) -> None:
        self.deltas: dict[tuple[str, str], int] = {}

    def __call__(self, workspace_id: str, status: str, n: int) -> None:
        key = (workspace_id, status)
        self.deltas[key] = self.deltas.get(key, 0) + n

    def flush(self, conn: Any) -> None:
        # in key order: two PostgreSQL replicas' batches that lock the same counter rows in
        # opposite orders deadlocked, and the database took deadlock_timeout (1 s) to say so
        for (workspace_id, status), n in sorted(self.deltas.items()):
            if n:
                bump_count(conn, workspace_id, status, n)
        self.deltas.clear()


class RowCache:
    """The writer's copy of the indexed columns of recently written intents, so an update needs
    no SELECT first. Only the writer thread uses it; it is cleared whenever a transaction is
    rolled back or rows are deleted, so it never holds what the database does not."""

    SIZE = 4096

    def __init__(self) -> None:
        self.rows: OrderedDict[str, tuple[Any, ...]] = OrderedDict()

    def get(self, intent_id: str) -> tuple[Any, ...] | None:
        return self.rows.get(intent_id)

    def put(self, intent_id: str, row: tuple[Any, ...]) -> None:
        self.rows[intent_id] = row
        self.rows.move_to_end(intent_id)
        if len(self.rows) > self.SIZE:
            self.rows.popitem(last=False)

    def clear(self) -> None:
        self.rows.clear()


def set_task_assignees(
    conn: Any,
    task_rid: int,
    workspace_id: str,
    intent_rid: int | None,
    assignees: list[str],
    pending: bool,
    intent_status: str | None = None,
) -> None:
    conn.execute("DELETE FROM task_assignees WHERE task_rid=?", (task_rid,))
    columns, values = (
        "task_rid, assignee, workspace_id, intent_rid, pending",
        [workspace_id, intent_rid, int(pending)],
    )
    if intent_status is not None:  # (the column comes with step 9)
        columns, values = columns + ", intent_status", [*values, intent_status]
    marks = ",".join("?" * (len(values) + 2))
    for name in task_assignee_names(assignees):
        conn.execute(f"INSERT INTO task_assignees({columns}) VALUES({marks})", (task_rid, name, *values))


def _new_intent(conn: sqlite3.Connection, doc: dict[str, Any], count: CountFn, rows: RowCache | None) -> None:
    parties = agent_parties(doc)
    timer, ended = next_timer(doc), ended_at(doc)
    inserted = conn.execute(  # lastrowid, not RETURNING: SQLite's RETURNING made this insert 3x slower
        "INSERT INTO intents(intent_id, workspace_id, status, from_agent, to_agent, terminal, parties, ended_at,"
        " next_timer, rev, doc) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        (
            doc["intent_id"],
            doc["_ws"],
            doc["status"],
            doc["from_agent"],
            doc["to_agent"],
            int(doc["status"] in TERMINAL),
            parties,
            ended,
            timer,
            doc.get("_rev", 0),  # (replicas compare and set it: store/pg_cluster.py)
            dumps(doc),
        ),
    )
    rid = cast(int, inserted.lastrowid)  # set by every successful INSERT
    add_parties(conn, doc["_ws"], rid, parties.split(), doc["status"])
    count(doc["_ws"], doc["status"], 1)
    if rows is not None:
        rows.put(doc["intent_id"], (rid, doc["_ws"], doc["status"], doc["to_agent"], parties, timer, ended))


def _update_intent(
    conn: sqlite3.Connection, doc: dict[str, Any], count: CountFn, rows: RowCache | None
) -> None:
    """SETs only the columns whose value changed: an unchanged indexed column costs no index write."""
    row = rows.get(doc["intent_id"]) if rows is not None else None
    if row is None:
        row = conn.execute(
            "SELECT rid, workspace_id, status, to_agent, parties, next_timer, ended_at FROM intents"
            " WHERE intent_id=?",
            (doc["intent_id"],),
        ).fetchone()
        if row is None:
            return
    rid, ws, old_status, old_to, old_parties, old_timer, old_ended = row
    status, parties, timer = doc["status"], agent_parties(doc), next_timer(doc)
    ended = old_ended if old_ended is not None or status not in TERMINAL else ended_at(doc)
    sets: list[str] = ["doc=?"]
    args: list[Any] = [dumps(doc)]
    if "_rev" in doc:  # (written by replicas only: store/pg_cluster.py)
        sets.append("rev=?")
        args.append(doc["_rev"])
    if status != old_status:
        sets += ["status=?", "terminal=?"]
        args += [status, int(status in TERMINAL)]
    for column, old, new in (
        ("to_agent", old_to, doc["to_agent"]),
        ("parties", old_parties, parties),
        ("next_timer", old_timer, timer),
    ):
        if new != old:
            sets.append(f"{column}=?")
            args.append(new)
    if ended != old_ended:
        sets.append("ended_at=?")
        args.append(ended)
    conn.execute(f"UPDATE intents SET {', '.join(sets)} WHERE rid=?", (*args, rid))
    if rows is not None:
        rows.put(doc["intent_id"], (rid, ws, status, doc["to_agent"], parties, timer, ended))
    if parties != old_parties:
        gone = set(old_parties.split()) - set(parties.split())
        for party in gone:
            conn.execute(
                "DELETE FROM intent_parties WHERE workspace_id=? AND party=? AND intent_rid=?",
                (ws, party, rid),
            )
        add_parties(conn, ws, rid, parties.split(), status)
    if status != old_status:
        count(ws, old_status, -1)
        count(ws, status, 1)
        for party in parties.split():
            conn.execute(
                "UPDATE intent_parties SET status=? WHERE workspace_id=? AND party=? AND intent_rid=?",
                (status, ws, party, rid),
            )
        if any(step.get("task") for step in doc.get("_steps") or []):  # only intents with tasks have rows
            conn.execute(
                "UPDATE task_assignees SET intent_status=? WHERE task_rid IN"
                " (SELECT rid FROM tasks WHERE intent_id=?)",
                (status, doc["intent_id"]),
            )


def _task(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO tasks(intent_id, step_id, workspace_id, status, assignees, doc) VALUES(?,?,?,?,?,?)"
        " ON CONFLICT(intent_id, step_id) DO UPDATE SET status=excluded.status,"
        " assignees=excluded.assignees, doc=excluded.doc",
        (
            doc["intent_id"],
            doc["step_id"] or "",
            doc["_ws"],
            doc["status"],
            "|" + "|".join(doc["assignees"]) + "|",
            dumps(doc),
        ),
    )
    task_rid = conn.execute(
        "SELECT rid FROM tasks WHERE intent_id=? AND step_id=?", (doc["intent_id"], doc["step_id"] or "")
    ).fetchone()[0]
    intent = conn.execute("SELECT rid, status FROM intents WHERE intent_id=?", (doc["intent_id"],)).fetchone()
    set_task_assignees(
        conn,
        task_rid,
        doc["_ws"],
        intent[0] if intent else None,
        doc["assignees"],
        doc["status"] == "pending",
        intent[1] if intent else "",
    )


def _upsert_doc(
    conn: Any, table: str, key_column: str, key: str, workspace_id: str, doc: dict[str, Any]
) -> None:
    conn.execute(
        f"INSERT INTO {table}({key_column}, workspace_id, doc) VALUES(?,?,?)"
        f" ON CONFLICT({key_column}) DO UPDATE SET doc=excluded.doc",
        (key, workspace_id, dumps(doc)),
    )


def apply_op(
    conn: sqlite3.Connection, op: WriteOp, count: CountFn | None = None, rows: RowCache | None = None
) -> None:
    """Apply one op. `count` collects intent_counts deltas (a batch's Counts; without it they are
    written now); `rows` is the writer's RowCache."""
    kind = op[0]
    if kind == "event":
        ev = op[1]
        conn.execute(
            "INSERT INTO events(intent_id, seq, doc) VALUES(?,?,?)", (ev["intent_id"], ev["seq"], dumps(ev))
        )
    elif kind == "intent":
        _update_intent(conn, op[1], count or partial(bump_count, conn), rows)
    elif kind == "intent_new":
        _new_intent(conn, op[1], count or partial(bump_count, conn), rows)
    elif kind == "task":
        _task(conn, op[1])
    elif kind == "idem":
        _, scope_key, body_hash, status, response, created_at = op
        status, response = record_to_keep(scope_key, status, response)
        conn.execute(
            "INSERT INTO idempotency(scope_key, body_hash, status, response, created_at) VALUES(?,?,?,?,?)",
            (scope_key, body_hash, status, response, created_at),
        )
    elif kind == "agent":
        _upsert_doc(conn, "agents", "address", op[1]["address"], op[1]["_ws"], op[1])
    elif kind == "agent_delete":  # deleteAgent (REQ-AUTH-015)
        conn.execute("DELETE FROM agents WHERE address=?", (op[1],))
    elif kind == "key":
        _upsert_doc(conn, "api_keys", "key_id", op[1]["key_id"], op[1]["workspace_id"], op[1])
    elif kind == "workspace":
        doc = op[1]
        conn.execute(
            "INSERT INTO workspaces(workspace_id, doc) VALUES(?,?)"
            " ON CONFLICT(workspace_id) DO UPDATE SET doc=excluded.doc",
            (doc["workspace_id"], dumps(doc)),
        )
    elif kind == "meta":
        conn.execute(
            "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", (op[1], op[2])
        )
    elif kind == "outbox":  # outbound work (axme_server.outbound): insert or update by outbox_id
        # A settled row (sent, failed, canceled) never changes again: a late settle from a replica
        # whose claim expired meanwhile is a no-op (store/pg_outbox.py). Each write releases the claim.
        doc = op[1]
        conn.execute(
            "INSERT INTO outbox(outbox_id, channel, intent_id, status, doc, due) VALUES(?,?,?,?,?,?)"
            " ON CONFLICT(outbox_id) DO UPDATE SET status=excluded.status, doc=excluded.doc,"
            " due=excluded.due, claimed_by=NULL, claim_until=NULL WHERE outbox.status = 'pending'",
            (
                doc["outbox_id"],
                doc["channel"],
                doc.get("intent_id"),
                doc["status"],
                dumps(doc),
                doc.get("due"),
            ),
        )
    elif kind == "outbox_attempt":
        conn.execute(
            "INSERT INTO outbox_attempts(outbox_id, doc) VALUES(?,?)", (op[1]["outbox_id"], dumps(op[1]))
        )
    elif kind == "console_session":  # REQ-CONSOLE-002: only the id's hash is stored
        row = op[1]
        conn.execute(
            "INSERT INTO console_sessions(session_hash, key_id, workspace_id, created_at, expires_at)"
            " VALUES(?,?,?,?,?)",
            (row["session_hash"], row["key_id"], row["workspace_id"], row["created_at"], row["expires_at"]),
        )
    elif kind == "console_session_delete":  # sign-out (one hash), or every session expired before op[2]
        if op[1] is not None:
            conn.execute("DELETE FROM console_sessions WHERE session_hash=?", (op[1],))
        else:
            conn.execute("DELETE FROM console_sessions WHERE expires_at<=?", (op[2],))
    elif kind == "prune":
        from axme_server.store.retention import prune_batch

        _, policy, now, out = op
        if rows is not None:
            rows.clear()
        out.update(prune_batch(conn, policy, now))
    else:
        raise ValueError(f"unknown write op {kind!r}")
