"""What each console page shows, read through the engine's own list and access methods with the
session's principal (REQ-CONSOLE-006/007): the same rights and the same indexed reads as /v1."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from axme_server.access import can_read_intent, check_decider, current_step
from axme_server.engine import Ctx, public
from axme_server.errors import ApiError
from axme_server.jsonutil import iso, loads, parse_iso
from axme_server.lifecycle import EVENT_TYPES, STATUSES, TERMINAL
from axme_server.notify.ops import step_deadline
from axme_server.pages.render import task_view, time_left

if TYPE_CHECKING:
    from axme_server.service import Engine

PAGE = 50
SEARCH_LIMIT = 50
_UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


def _seconds(at: str | None) -> float | None:
    try:
        return parse_iso(at) if at else None
    except (TypeError, ValueError):
        return None


def age(seconds: float) -> str:
    return time_left(seconds) or "" if seconds >= 60 else f"{int(max(seconds, 0))} s"


def waiting_for(doc: dict[str, Any], now: float) -> dict[str, Any] | None:
    """The pending holder and since when (a human task's creation, else the last change)."""
    holder = doc.get("pending_with")
    if not holder or doc["status"] in TERMINAL:
        return None
    step = current_step(doc) if "_steps" in doc else None
    task = (step or {}).get("task") or {}
    since = task.get("created_at") if task.get("status") == "pending" else doc.get("updated_at")
    started = _seconds(since)
    return {
        "name": holder.get("name") or holder.get("ref"),
        "kind": holder.get("type"),
        "since": since,
        "for": age(now - started) if started is not None else None,
    }


def row(doc: dict[str, Any], now: float) -> dict[str, Any]:
    created = _seconds(doc.get("created_at"))
    return {
        "intent_id": doc["intent_id"],
        "status": doc["status"],
        "intent_type": doc["intent_type"],
        "to_agent": doc["to_agent"],
        "correlation_id": doc.get("correlation_id"),
        "age": age(now - created) if created is not None else "",
        "created_at": doc.get("created_at"),
        "waiting": waiting_for(doc, now),
    }


async def intent_list(engine: Engine, ctx: Ctx, q: dict[str, str]) -> dict[str, Any]:
    """One page of intents by the API's indexed walks; a type filter is applied to that page."""
    now = engine.clock.now()
    p = ctx.principal
    status = q.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError(
            "validation_error", f"status must be one of {', '.join(STATUSES)}", {"field": "status"}
        )
    search = (q.get("q") or "").strip()
    next_cursor = None
    if search:
        docs = search_intents(engine, p, search)
    elif q.get("mine") and p.kind == "human":
        tasks = engine.directory.list_my_tasks(ctx, PAGE, _cursor(q))
        docs = [
            d for d in (engine.core.cached_intent(t["intent_id"]) for t in tasks["tasks"]) if d is not None
        ]
        next_cursor = tasks["next_cursor"]
    else:
        page = await engine.intents.list_intents(
            ctx,
            {
                "status": status,
                "to_agent": q.get("agent") or None,
                "from_agent": None,
                "limit": PAGE,
                "cursor": _cursor(q),
            },
        )
        docs, next_cursor = page["intents"], page["next_cursor"]
    if q.get("type"):
        docs = [d for d in docs if d["intent_type"] == q["type"]]
    counts = engine.store.count_by_status(p.workspace_id) if p.kind == "admin" else None
    return {
        "rows": [row(d, now) for d in docs],
        "next_cursor": next_cursor,
        "search": search,
        "counts": [(s, counts.get(s, 0)) for s in STATUSES] if counts is not None else None,
    }


def _cursor(q: dict[str, str]) -> int | None:
    raw = q.get("cursor") or ""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 17:
        raise ApiError("validation_error", "cursor is not valid", {"field": "cursor"})
    return int(raw)


def search_intents(engine: Engine, principal: Any, text: str) -> list[dict[str, Any]]:
    """By intent id (one primary-key read) or correlation id (the index of migration step 11);
    only intents the key may read (REQ-AUTH-007)."""
    found: dict[str, dict[str, Any]] = {}
    if _UUID.match(text):
        doc = engine.core.cached_intent(text.lower())
        if doc is not None:
            found[doc["intent_id"]] = doc
    for doc in engine.store.intents_by_correlation(principal.workspace_id, text, SEARCH_LIMIT):
        found.setdefault(doc["intent_id"], engine.core.cached_intent(doc["intent_id"]) or doc)
    return [
        public(d)
        for d in found.values()
        if d["_ws"] == principal.workspace_id and can_read_intent(principal, d)
    ]


def intent_detail(engine: Engine, ctx: Ctx, intent_id: str) -> dict[str, Any]:
    """Everything the intent page shows; 404 (ApiError) exactly where getIntent says so."""
    now = engine.clock.now()
    intent = engine.intents.get_intent(ctx, intent_id)
    doc = cast(dict[str, Any], engine.core.cached_intent(intent_id))  # getIntent above found it
    events = engine.intents.list_events(ctx, intent_id, 0, 1000)["events"]
    audit = [
        e
        for e in engine.intents.audit(ctx, intent_id)["audit"]
        if (e.get("actor") or {}).get("type") != "system"
    ]
    try:
        notifications = engine.links.list_notifications(ctx, intent_id)["notifications"]
    except ApiError:  # only the initiator and admins see them (REQ-NOTIFY-005)
        notifications = None
    step = current_step(doc)
    timers = doc.get("_timers") or {}
    next_remind = timers.get("remind") or timers.get("escalate")
    deadline = step_deadline(doc)
    decide = None
    if step is not None and step["kind"] == "human" and doc["status"] == "WAITING":
        try:
            check_decider(ctx.principal, doc)
            who = ctx.principal.actor
            decide = task_view(
                doc,
                step,
                now,
                token="",
                can_decide=True,
                person=str(who.get("display_name") or who.get("id")),
            )
        except ApiError:
            decide = None
    return {
        "intent": intent,
        "events": events,
        "audit": audit,
        "notifications": notifications,
        "step": {"step_id": step["step_id"], "kind": step["kind"], "holder": waiting_for(doc, now)}
        if step is not None and doc["status"] not in TERMINAL
        else None,
        "remind_count": doc.get("remind_count", 0),
        "next_remind": _iso(next_remind),
        "deadline_at": _iso(deadline),
        "time_left": time_left(deadline - now) if deadline else None,
        "decide": decide,
        "terminal": doc["status"] in TERMINAL,
        "event_types": list(EVENT_TYPES),
        "last_seq": events[-1]["seq"] if events else 0,
    }


def _iso(at: float | None) -> str | None:
    return iso(at) if at is not None else None


def inbox(engine: Engine, ctx: Ctx, cursor: int | None) -> dict[str, Any]:
    """A human's pending tasks, oldest first (listMyTasks); an admin sees the workspace's (listTasks)."""
    now = engine.clock.now()
    if ctx.principal.kind == "human":
        page = engine.directory.list_my_tasks(ctx, PAGE, cursor)
    else:
        page = engine.directory.list_tasks(ctx, "pending", None, PAGE, cursor)  # 403 for agent keys
    tasks = []
    for t in page["tasks"]:
        deadline = _seconds(t.get("deadline_at"))
        created = _seconds(t.get("created_at"))
        tasks.append(
            {
                "intent_id": t["intent_id"],
                "title": t["human_task"].get("title"),
                "intent_type": t.get("intent_type"),
                "created_at": t.get("created_at"),
                "waiting": age(now - created) if created is not None else "",
                "deadline_at": t.get("deadline_at"),
                "time_left": time_left(deadline - now) if deadline is not None else None,
            }
        )
    return {"tasks": tasks, "next_cursor": page["next_cursor"]}


def agents(engine: Engine, ctx: Ctx, cursor: str | None) -> dict[str, Any]:
    """listAgents (403 for human keys), with live listeners and leases from the delivery lanes;
    an admin also sees every agent's keys (one listKeys read)."""
    page = engine.directory.list_agents(ctx, PAGE, cursor)
    keys: dict[str, list[dict[str, Any]]] = {}
    if ctx.principal.kind == "admin":
        for key in engine.directory.list_keys(ctx)["keys"]:
            if key.get("agent_address"):
                keys.setdefault(key["agent_address"], []).append(key)
    out = []
    for agent in page["agents"]:
        lane = engine.lanes.lane(
            agent["address"]
        )  # loads a lane not used yet, so `queued` counts its backlog
        consumers = [c for c in lane.consumers if c.connection_open()]
        out.append(
            {
                **agent,
                "listeners": len(consumers),
                "queued": len(lane.ready),
                "leased": sum(c.reserved for c in consumers),
                "keys": keys.get(agent["address"], []),
            }
        )
    return {"agents": out, "next_cursor": page["next_cursor"], "admin": ctx.principal.kind == "admin"}


def created_key(raw: bytes) -> dict[str, Any]:
    key: dict[str, Any] = loads(raw)
    return key
