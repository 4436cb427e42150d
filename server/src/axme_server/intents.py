"""Intent operations: create (T1: the first step starts in the same commit), read, list,
events, audit. Resolve, resume and control are in control.py."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from axme_server.access import check_read, human_names, principal_address, require_not_human
from axme_server.addresses import canonical
from axme_server.engine import Change, Ctx, EngineCore, public
from axme_server.errors import ApiError, validation
from axme_server.escalation import check_chain
from axme_server.jsonutil import iso, new_time_uuid, new_uuid, parse_iso
from axme_server.lifecycle import SUBMITTED
from axme_server.tasks import normalize_task
from axme_server.workflow import ON_TIMEOUT, agent_step, human_step

if TYPE_CHECKING:
    from axme_server.workflow import Workflow

INTENT_TYPE_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+\.v[0-9]+$")
CREATE_FIELDS = frozenset(
    {
        "intent_type",
        "to_agent",
        "payload",
        "correlation_id",
        "reply_to",
        "deadline_at",
        "remind_after_seconds",
        "remind_interval_seconds",
        "max_reminders",
        "escalate_to",
        "max_delivery_attempts",
        "human_task",
        "on_timeout",
        "from_agent",
        "metadata",
        "escalation",
        "escalation_repeat",
    }
)


def _num(
    body: dict[str, Any],
    name: str,
    *,
    integer: bool = False,
    minimum: float = 0,
    maximum: float | None = None,
) -> Any:
    v = body.get(name)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise validation(f"{name} must be {'an integer' if integer else 'a number'}", name)
    if v < minimum or (maximum is not None and v > maximum):
        raise validation(
            f"{name} must be between {minimum} and {maximum}"
            if maximum is not None
            else f"{name} must be >= {minimum}",
            name,
        )
    return v


def policy_from(body: dict[str, Any]) -> dict[str, Any]:
    out = {
        "remind_after_seconds": _num(body, "remind_after_seconds", minimum=0.001),
        "remind_interval_seconds": _num(body, "remind_interval_seconds", minimum=0.001),
        "max_reminders": _num(body, "max_reminders", integer=True, maximum=1000),
        "escalate_to": body.get("escalate_to"),
        "on_timeout": body.get("on_timeout"),
        "escalation": body.get("escalation"),  # checked by check_chain (REQ-HUMAN-025)
        "escalation_repeat": body.get("escalation_repeat"),
    }
    check_chain(body)
    if out["escalate_to"] is not None and (not isinstance(out["escalate_to"], str) or not out["escalate_to"]):
        raise validation("escalate_to must be a non-empty string", "escalate_to")
    if out["on_timeout"] is not None and out["on_timeout"] not in ON_TIMEOUT:
        raise validation(f"on_timeout must be one of {', '.join(ON_TIMEOUT)}", "on_timeout")
    return out


class Intents:
    """Creating intents (T1) and reading them: get, list, events, audit."""

    def __init__(self, core: EngineCore, workflow: Workflow) -> None:
        self.core = core
        self.workflow = workflow

    # -- create ------------------------------------------------------------
    async def create_intent(self, ctx: Ctx, body: dict[str, Any]) -> bytes:
        p = ctx.principal
        require_not_human(p, "create intents")
        unknown = sorted(k for k in body if k not in CREATE_FIELDS)
        if unknown:
            raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
        intent_type = body.get("intent_type")
        if not isinstance(intent_type, str) or not INTENT_TYPE_RE.match(intent_type):
            raise validation(
                "intent_type is required and must look like domain.name.v1 "
                "(lower-case dot-separated, ending in .v<N>)",
                "intent_type",
            )
        if "to_agent" not in body or body["to_agent"] in (None, ""):
            raise validation("to_agent is required", "to_agent")
        ws = self.core.workspace(p.workspace_id)
        to_agent = canonical(body["to_agent"], ws["org"], ws["name"])
        agent = self.core.agent(to_agent)
        if agent is None or agent["_ws"] != p.workspace_id:
            raise ApiError(
                "agent_not_found",
                f"agent {to_agent} is not registered (POST /v1/agents first)",
                {"address": to_agent, "field": "to_agent"},
            )  # REQ-API-011
        payload = body.get("payload", {})
        if not isinstance(payload, dict):
            raise validation("payload must be an object", "payload")
        for name in ("correlation_id", "reply_to"):
            if body.get(name) is not None and (not isinstance(body[name], str) or len(body[name]) > 255):
                raise validation(f"{name} must be a string of at most 255 characters", name)
        deadline = None
        if body.get("deadline_at") is not None:
            try:
                deadline = parse_iso(body["deadline_at"])
            except (ValueError, TypeError, AttributeError):
                raise validation("deadline_at must be an RFC 3339 timestamp", "deadline_at") from None
        mda = _num(body, "max_delivery_attempts", integer=True, minimum=1, maximum=100) or 3
        policy = policy_from(body)
        steps = [agent_step("agent", to_agent, agent.get("display_name"))]
        task = None
        if body.get("human_task") is not None:
            task = normalize_task(body["human_task"])
            steps.append(human_step("human_task", task, task["assignees"], None))
        if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
            raise validation("metadata must be an object", "metadata")
        from_agent = principal_address(p)
        doc = self.new_intent_doc(
            p.workspace_id,
            intent_type,
            from_agent,
            to_agent,
            payload,
            steps,
            correlation_id=body.get("correlation_id"),
            reply_to=body.get("reply_to"),
            deadline=deadline,
            max_delivery_attempts=mda,
            policy=policy,
            human_task=task,
            metadata=body.get("metadata"),
        )
        async with self.core.intent_lock(doc["intent_id"]):
            ch = self.start_new(doc, ctx)
            resp = {
                "ok": True,
                "intent_id": doc["intent_id"],
                "status": SUBMITTED,
                "created_at": doc["created_at"],
            }
            return await self.core.apply(ch, ctx, resp)

    def new_intent_doc(
        self,
        ws_id: str,
        intent_type: str,
        from_agent: str,
        to_agent: str,
        payload: dict[str, Any],
        steps: list[dict[str, Any]],
        *,
        correlation_id: str | None,
        reply_to: str | None,
        deadline: float | None,
        max_delivery_attempts: int,
        policy: dict[str, Any],
        human_task: dict[str, Any] | None,
        multi: bool | None = None,
        metadata: dict[str, Any] | None = None,
        scenario_id: str | None = None,
    ) -> dict[str, Any]:
        now = iso(self.core.clock.now())
        doc = {
            "intent_id": new_time_uuid(),
            "intent_type": intent_type,
            "from_agent": from_agent,
            "to_agent": to_agent,
            "correlation_id": correlation_id or new_uuid(),
            "reply_to": reply_to or from_agent,
            "payload": payload,
            "status": SUBMITTED,
            "lifecycle_status": SUBMITTED,
            "waiting_reason": None,
            "pending_with": None,
            "result": None,
            "error": None,
            "human_task": human_task,
            "current_step": None,
            "steps": None,
            "delivery_attempt": 0,
            "max_delivery_attempts": max_delivery_attempts,
            "remind_count": 0,
            "deadline_at": iso(deadline) if deadline is not None else None,
            "created_at": now,
            "updated_at": now,
            "last_seq": 0,
            "_ws": ws_id,
            "_steps": steps,
            "_step": None,
            "_multi": len(steps) > 1 if multi is None else multi,
            "_policy": policy,
            "_timers": {"deadline": deadline} if deadline is not None else {},
            "_delivery": None,
            "_last_result": None,
        }
        # members outside the Intent schema: present only with a value (REQ-API-020)
        if metadata is not None:
            doc["metadata"] = metadata
        if scenario_id is not None:
            doc["scenario_id"] = scenario_id
        return doc

    def start_new(
        self, doc: dict[str, Any], ctx: Ctx, start: int = 0, extra: dict[str, Any] | None = None
    ) -> Change:
        """T1; a retry attempt (retry.py) starts at its failed step and says so in `extra`."""
        ch = Change(
            intent=doc, now=self.core.clock.now(), new=True, actor=ctx.principal.actor, channel=ctx.channel
        )
        ch.emit(
            "intent.submitted",
            data={"intent_type": doc["intent_type"], "to_agent": doc["to_agent"], **(extra or {})},
        )
        self.workflow.start_step(ch, start)
        return ch

    # -- reads ---------------------------------------------------------------
    def get_intent(self, ctx: Ctx, intent_id: str) -> dict[str, Any]:
        return public(check_read(ctx.principal, self.core.cached_intent(intent_id)))

    async def list_intents(self, ctx: Ctx, q: dict[str, Any]) -> dict[str, Any]:
        p = ctx.principal
        ws = self.core.workspace(p.workspace_id)
        to_agent = canonical(q["to_agent"], ws["org"], ws["name"]) if q.get("to_agent") else None
        from_agent = canonical(q["from_agent"], ws["org"], ws["name"]) if q.get("from_agent") else None
        rows = await self.core.store.list_intents_async(  # a filter combination no index covers runs off the loop
            p.workspace_id,
            status=q.get("status"),
            to_agent=to_agent,
            from_agent=from_agent,
            involving=p.agent_address if p.kind == "agent" else None,
            tasked_to=human_names(p) if p.kind == "human" else None,
            limit=q["limit"] + 1,
            cursor=q.get("cursor"),
        )
        more = len(rows) > q["limit"]
        rows = rows[: q["limit"]]
        intents = [public(self.core.visible_intent(d)) for _, d in rows]
        return {"ok": True, "intents": intents, "next_cursor": str(rows[-1][0]) if more else None}

    def list_events(self, ctx: Ctx, intent_id: str, since: int, limit: int) -> dict[str, Any]:
        events = self.core.visible_events(
            check_read(ctx.principal, self.core.cached_intent(intent_id)), since, limit
        )
        return {"ok": True, "events": events, "next_seq": (events[-1]["seq"] if events else since) + 1}

    def audit(self, ctx: Ctx, intent_id: str, since: int = 0, limit: int = 500) -> dict[str, Any]:
        doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
        entries = []
        for ev in self.core.visible_events(doc, since, limit):  # one page (REQ-LIMIT-013)
            data = ev.get("data") or {}
            entries.append(
                {
                    "seq": ev["seq"],
                    "at": ev["at"],
                    "event_type": ev["event_type"],
                    "status": ev["status"],
                    "actor": ev["actor"],
                    "channel": ev["channel"],
                    "outcome": data.get("outcome"),
                    "comment": data.get("comment"),
                    "data": data or None,
                }
            )
        return {
            "ok": True,
            "intent_id": intent_id,
            "audit": entries,
            "next_seq": (entries[-1]["seq"] if entries else since) + 1,
        }
