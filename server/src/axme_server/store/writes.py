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
from typing import Any

from axme_server.jsonutil import dumps, parse_iso
from axme_server.store.base import WriteOp
from axme_server.store.idempotency import record_to_keep

TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT")


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
        conn.execute("INSERT INTO intent_parties(workspace_id, party, intent_rid, status) VALUES(?,?,?,?)"
                     " ON CONFLICT DO NOTHING", (workspace_id, party, rid, status))


def bump_count(conn: Any, workspace_id: str, status: str, n: int) -> None:
    conn.execute("INSERT INTO intent_counts(workspace_id, status, n) VALUES(?,?,?) ON CONFLICT(workspace_id, status)"
                 " DO UPDATE SET n = intent_counts.n + excluded.n", (workspace_id, status, n))


def set_task_assignees(conn: Any, task_rid: int, workspace_id: str, intent_rid: int | None,
                       assignees: list[str], pending: bool, intent_status: str | None = None) -> None:
    conn.execute("DELETE FROM task_assignees WHERE task_rid=?", (task_rid,))
    columns, values = "task_rid, assignee, workspace_id, intent_rid, pending", [workspace_id, intent_rid, int(pending)]
    if intent_status is not None:  # (the column comes with step 9)
        columns, values = columns + ", intent_status", [*values, intent_status]
    marks = ",".join("?" * (len(values) + 2))
    for name in task_assignee_names(assignees):
        conn.execute(f"INSERT INTO task_assignees({columns}) VALUES({marks})", (task_rid, name, *values))


def _new_intent(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    parties = agent_parties(doc)
    rid = conn.execute(
        "INSERT INTO intents(intent_id, workspace_id, status, from_agent, to_agent, terminal, parties, ended_at,"
        " next_timer, doc) VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING rid",
        (doc["intent_id"], doc["_ws"], doc["status"], doc["from_agent"], doc["to_agent"],
         int(doc["status"] in TERMINAL), parties, ended_at(doc), next_timer(doc), dumps(doc))).fetchone()[0]
    add_parties(conn, doc["_ws"], rid, parties.split(), doc["status"])
    bump_count(conn, doc["_ws"], doc["status"], 1)


def _update_intent(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    row = conn.execute("SELECT rid, workspace_id, status, parties FROM intents WHERE intent_id=?",
                       (doc["intent_id"],)).fetchone()
    if row is None:
        return
    rid, ws, old_status, old_parties = row
    parties = agent_parties(doc)
    conn.execute(
        "UPDATE intents SET status=?, to_agent=?, terminal=?, parties=?, ended_at=coalesce(ended_at, ?),"
        " next_timer=?, doc=? WHERE rid=?",
        (doc["status"], doc["to_agent"], int(doc["status"] in TERMINAL), parties, ended_at(doc), next_timer(doc),
         dumps(doc), rid))
    if parties != old_parties:
        gone = set(old_parties.split()) - set(parties.split())
        for party in gone:
            conn.execute("DELETE FROM intent_parties WHERE workspace_id=? AND party=? AND intent_rid=?",
                         (ws, party, rid))
        add_parties(conn, ws, rid, parties.split(), doc["status"])
    if doc["status"] != old_status:
        bump_count(conn, ws, old_status, -1)
        bump_count(conn, ws, doc["status"], 1)
        for party in parties.split():
            conn.execute("UPDATE intent_parties SET status=? WHERE workspace_id=? AND party=? AND intent_rid=?",
                         (doc["status"], ws, party, rid))
        conn.execute("UPDATE task_assignees SET intent_status=? WHERE task_rid IN"
                     " (SELECT rid FROM tasks WHERE intent_id=?)", (doc["status"], doc["intent_id"]))


def _task(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    task_rid = conn.execute(
        "INSERT INTO tasks(intent_id, step_id, workspace_id, status, assignees, doc) VALUES(?,?,?,?,?,?)"
        " ON CONFLICT(intent_id, step_id) DO UPDATE SET status=excluded.status,"
        " assignees=excluded.assignees, doc=excluded.doc RETURNING rid",
        (doc["intent_id"], doc["step_id"] or "", doc["_ws"], doc["status"],
         "|" + "|".join(doc["assignees"]) + "|", dumps(doc))).fetchone()[0]
    intent = conn.execute("SELECT rid, status FROM intents WHERE intent_id=?", (doc["intent_id"],)).fetchone()
    set_task_assignees(conn, task_rid, doc["_ws"], intent[0] if intent else None, doc["assignees"],
                       doc["status"] == "pending", intent[1] if intent else "")


def apply_op(conn: sqlite3.Connection, op: WriteOp) -> None:
    kind = op[0]
    if kind == "event":
        ev = op[1]
        conn.execute("INSERT INTO events(intent_id, seq, doc) VALUES(?,?,?)", (ev["intent_id"], ev["seq"], dumps(ev)))
    elif kind == "intent":
        _update_intent(conn, op[1])
    elif kind == "intent_new":
        _new_intent(conn, op[1])
    elif kind == "task":
        _task(conn, op[1])
    elif kind == "idem":
        _, scope_key, body_hash, status, response, created_at = op
        status, response = record_to_keep(scope_key, status, response)
        conn.execute(
            "INSERT INTO idempotency(scope_key, body_hash, status, response, created_at) VALUES(?,?,?,?,?)",
            (scope_key, body_hash, status, response, created_at))
    elif kind == "agent":
        doc = op[1]
        conn.execute(
            "INSERT INTO agents(address, workspace_id, doc) VALUES(?,?,?)"
            " ON CONFLICT(address) DO UPDATE SET doc=excluded.doc",
            (doc["address"], doc["_ws"], dumps(doc)))
    elif kind == "agent_delete":  # deleteAgent (REQ-AUTH-015)
        conn.execute("DELETE FROM agents WHERE address=?", (op[1],))
    elif kind == "key":
        doc = op[1]
        conn.execute(
            "INSERT INTO api_keys(key_id, workspace_id, doc) VALUES(?,?,?)"
            " ON CONFLICT(key_id) DO UPDATE SET doc=excluded.doc",
            (doc["key_id"], doc["workspace_id"], dumps(doc)))
    elif kind == "workspace":
        doc = op[1]
        conn.execute(
            "INSERT INTO workspaces(workspace_id, doc) VALUES(?,?)"
            " ON CONFLICT(workspace_id) DO UPDATE SET doc=excluded.doc", (doc["workspace_id"], dumps(doc)))
    elif kind == "meta":
        conn.execute("INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", (op[1], op[2]))
    elif kind == "outbox":  # outbound work (axme_server.outbound): insert or update by outbox_id
        doc = op[1]
        conn.execute(
            "INSERT INTO outbox(outbox_id, channel, intent_id, status, doc) VALUES(?,?,?,?,?)"
            " ON CONFLICT(outbox_id) DO UPDATE SET status=excluded.status, doc=excluded.doc",
            (doc["outbox_id"], doc["channel"], doc.get("intent_id"), doc["status"], dumps(doc)))
    elif kind == "outbox_attempt":
        conn.execute("INSERT INTO outbox_attempts(outbox_id, doc) VALUES(?,?)", (op[1]["outbox_id"], dumps(op[1])))
    elif kind == "prune":
        from axme_server.store.retention import prune_batch

        _, policy, now, out = op
        out.update(prune_batch(conn, policy, now))
    else:
        raise ValueError(f"unknown write op {kind!r}")
