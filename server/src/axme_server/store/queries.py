"""listIntents and listTasks over indexes only (issue 16: no list filter scans).

Each query walks one index in the list's order and stops after `limit` rows:
- admin keys: `intents (workspace_id, status | to_agent | from_agent, rid)`;
- agent keys: `intent_parties (workspace_id, party, intent_rid)` (handed-off steps
  included, REQ-AUTH-007);
- human keys and the `assignee` filter: `task_assignees`, matched exactly and
  case-sensitively (REQ-HUMAN-018), one walk per name (id, contact, '' = any human)
  merged in order.
A status filter is searched together with the key's rows (`intent_parties.status`,
`task_assignees.intent_status`) and with `to_agent`/`from_agent` for admin keys. Other
combinations (an agent key's to_agent/from_agent, to_agent with from_agent) search the
first of them and read its rows until `limit` match."""

from __future__ import annotations

import heapq
from typing import Any

from axme_server.jsonutil import loads

Row = tuple[int, str]  # (rid, doc as stored JSON text)


def _intent_filters(
    status: str | None, to_agent: str | None, from_agent: str | None, alias: str
) -> tuple[list[str], list[Any]]:
    sql: list[str] = []
    args: list[Any] = []
    for column, value in (("status", status), ("to_agent", to_agent), ("from_agent", from_agent)):
        if value:
            sql.append(f"AND {alias}.{column}=?")
            args.append(value)
    return sql, args


def _scoped_filters(
    status_column: str, status: str | None, to_agent: str | None, from_agent: str | None
) -> tuple[list[str], list[Any]]:
    """Filters for a walk of a side table whose rows carry the intent's status (`status_column`)."""
    filters, args = _intent_filters(None, to_agent, from_agent, "i")
    if status:
        filters.insert(0, f"AND {status_column}=?")
        args.insert(0, status)
    return filters, args


def fully_indexed(
    *,
    status: str | None,
    to_agent: str | None,
    from_agent: str | None,
    involving: str | None,
    tasked_to: list[str] | None,
) -> bool:
    """Whether one index search covers every filter, so a page costs O(limit) (else the store
    runs the query off the event loop)."""
    del status  # searched with every scope
    if involving is not None and involving in (to_agent, from_agent):
        involving = None
    if involving is not None or tasked_to is not None:
        return not to_agent and not from_agent
    return not (to_agent and from_agent)


def list_intents(
    conn: Any,
    workspace_id: str,
    *,
    status: str | None,
    to_agent: str | None,
    from_agent: str | None,
    involving: str | None,
    limit: int,
    cursor: int | None,
    tasked_to: list[str] | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    before = cursor if cursor is not None else 1 << 62
    if involving is not None and involving in (to_agent, from_agent):
        involving = None  # the key's own address as to/from: that index holds only intents it is party to
    if involving is not None:  # the party rows carry the status, so a status filter is searched too
        filters, filter_args = _scoped_filters("p.status", status, to_agent, from_agent)
        sql = (
            "SELECT i.rid, i.doc FROM intent_parties p JOIN intents i ON i.rid = p.intent_rid"
            " WHERE p.workspace_id=? AND p.party=? AND p.intent_rid<? "
            + " ".join(filters)
            + " ORDER BY p.intent_rid DESC LIMIT ?"
        )
        return [
            (r[0], loads(r[1]))
            for r in conn.execute(sql, (workspace_id, involving, before, *filter_args, limit))
        ]
    if tasked_to is not None:  # the assignee rows carry the intent's status too
        filters, filter_args = _scoped_filters("a.intent_status", status, to_agent, from_agent)
        # max(i.doc): each group is one intent, one doc; an aggregate is what PostgreSQL's GROUP BY accepts
        sql = (
            "SELECT a.intent_rid, max(i.doc) FROM task_assignees a JOIN intents i ON i.rid = a.intent_rid"
            " WHERE a.workspace_id=? AND a.assignee=? AND a.intent_rid<? "
            + " ".join(filters)
            + " GROUP BY a.intent_rid ORDER BY a.intent_rid DESC LIMIT ?"
        )
        walks = [
            conn.execute(sql, (workspace_id, name, before, *filter_args, limit)).fetchall()
            for name in _with_anyone(tasked_to)
        ]
        return _merge(walks, limit, descending=True)
    filters, filter_args = _intent_filters(status, to_agent, from_agent, "i")
    sql = (
        "SELECT i.rid, i.doc FROM intents i WHERE i.workspace_id=? AND i.rid<? "
        + " ".join(filters)
        + " ORDER BY i.rid DESC LIMIT ?"
    )
    return [(r[0], loads(r[1])) for r in conn.execute(sql, (workspace_id, before, *filter_args, limit))]


def list_tasks(
    conn: Any,
    workspace_id: str,
    *,
    pending_only: bool,
    assignees: list[str] | None,
    limit: int,
    cursor: int | None,
) -> list[tuple[int, dict[str, Any]]]:
    after = cursor if cursor is not None else 0
    if assignees is None:
        status = "AND status='pending' " if pending_only else ""
        sql = f"SELECT rid, doc FROM tasks WHERE workspace_id=? {status}AND rid>? ORDER BY rid LIMIT ?"
        return [(r[0], loads(r[1])) for r in conn.execute(sql, (workspace_id, after, limit))]
    pending = "AND a.pending=1 " if pending_only else ""
    sql = (
        f"SELECT t.rid, t.doc FROM task_assignees a JOIN tasks t ON t.rid = a.task_rid"
        f" WHERE a.workspace_id=? AND a.assignee=? {pending}AND a.task_rid>? ORDER BY a.task_rid LIMIT ?"
    )
    walks = [
        conn.execute(sql, (workspace_id, name, after, limit)).fetchall() for name in _with_anyone(assignees)
    ]
    return _merge(walks, limit, descending=False)


def _with_anyone(names: list[str]) -> list[str]:
    """The names given plus '' (tasks open to any human), each once, empty names dropped."""
    return sorted({n for n in names if n} | {""})


def _merge(walks: list[list[Row]], limit: int, *, descending: bool) -> list[tuple[int, dict[str, Any]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    seen: set[int] = set()
    key = (lambda r: -r[0]) if descending else (lambda r: r[0])
    for rid, doc in heapq.merge(*walks, key=key):
        if rid in seen:
            continue
        seen.add(rid)
        out.append((rid, loads(doc)))
        if len(out) == limit:
            break
    return out
