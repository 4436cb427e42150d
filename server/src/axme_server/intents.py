"""Intent operations: create, read, list, events, audit, resolve, and the
resume dispatcher (tagged union + legacy bodies, REQ-RESUME-001..007)."""

from __future__ import annotations

import re
from typing import Any

from axme_server.access import (
    check_decider,
    check_handler,
    check_read,
    check_resolver,
    current_step,
    human_names,
    principal_address,
    require_controller,
    require_not_human,
)
from axme_server.addresses import canonical
from axme_server.engine import Change, Ctx, public
from axme_server.errors import ApiError, validation
from axme_server.escalation import check_chain
from axme_server.jsonutil import iso, new_uuid, parse_iso
from axme_server.lifecycle import CANCELED, COMPLETED, FAILED, SUBMITTED, TERMINAL
from axme_server.tasks import normalize_task
from axme_server.workflow import ON_TIMEOUT, agent_step, human_step, refresh_view

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
RESOLVE_FIELDS = frozenset({"status", "result", "error", "reason", "actor"})


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


def parse_resume(body: dict[str, Any]) -> dict[str, Any]:
    """Normalize a resume body to {"kind": …, …}; legacy shapes are accepted."""
    if "kind" in body:
        kind = body["kind"]
        if kind not in ("agent_result", "task_result", "progress", "control"):
            raise validation("kind must be one of agent_result, task_result, progress, control", "kind")
        r = dict(body)
    elif "action" in body:  # REQ-RESUME-005
        action = body["action"]
        rest = {k: v for k, v in body.items() if k not in ("action", "delivery_id")}
        r = {"kind": "agent_result", "delivery_id": body.get("delivery_id")}
        if action == "complete":
            r.update(outcome="complete", result=rest)
        elif action == "fail":
            err = rest.get("error")
            if not (
                isinstance(err, dict)
                and isinstance(err.get("code"), str)
                and isinstance(err.get("message"), str)
            ):
                msg = rest.get("reason") or rest.get("message") or "agent reported failure"
                err = {"code": "agent_error", "message": str(msg), "details": rest}
            r.update(outcome="fail", error=err)
        else:
            raise validation("legacy action must be complete or fail", "action")
    elif "task_result" in body:  # REQ-RESUME-006
        tr = body["task_result"]
        if not isinstance(tr, dict):
            raise validation("task_result must be an object", "task_result")
        flat = {k: v for k, v in tr.items() if k not in ("outcome", "comment", "data", "evidence")}
        data = tr.get("data")
        if flat:
            data = {**flat, **(data if isinstance(data, dict) else {})}
        r = {"kind": "task_result", **{k: tr[k] for k in ("outcome", "comment", "evidence") if k in tr}}
        if data is not None:
            r["data"] = data
    elif "approve_current_step" in body:  # REQ-RESUME-007
        r = {
            "kind": "control",
            **{
                k: v
                for k, v in body.items()
                if k not in ("actor", "expected_policy_generation", "internal_scheduler")
            },
        }
    else:
        raise validation(
            "resume body needs a `kind` (agent_result | task_result | progress | control); "
            'to return a result send {"kind":"agent_result","outcome":"complete","result":{…}}',
            "kind",
        )
    if r["kind"] == "agent_result":
        if r.get("outcome") not in ("complete", "fail"):
            raise validation("agent_result.outcome must be complete or fail", "outcome")
        if r.get("result") is not None and not isinstance(r["result"], dict):
            raise validation("result must be an object", "result")
        if r.get("error") is not None and not isinstance(r["error"], dict):
            raise validation("error must be an object", "error")
    if r.get("delivery_id") is not None and not isinstance(r["delivery_id"], str):
        raise validation("delivery_id must be a string", "delivery_id")
    return r


class IntentOps:
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
        ws = self.workspace(p.workspace_id)
        to_agent = canonical(body["to_agent"], ws["org"], ws["name"])
        agent = self.agent(to_agent)
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
        async with self.intent_lock(doc["intent_id"]):
            ch = self.start_new(doc, ctx)
            resp = {
                "ok": True,
                "intent_id": doc["intent_id"],
                "status": SUBMITTED,
                "created_at": doc["created_at"],
            }
            return await self.apply(ch, ctx, resp)

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
        now = iso(self.clock.now())
        doc = {
            "intent_id": new_uuid(),
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
            intent=doc, now=self.clock.now(), new=True, actor=ctx.principal.actor, channel=ctx.channel
        )
        ch.emit(
            "intent.submitted",
            data={"intent_type": doc["intent_type"], "to_agent": doc["to_agent"], **(extra or {})},
        )
        self.start_step(ch, start)
        return ch

    # -- reads ---------------------------------------------------------------
    def get_intent(self, ctx: Ctx, intent_id: str) -> dict[str, Any]:
        return public(check_read(ctx.principal, self.cached_intent(intent_id)))

    async def list_intents(self, ctx: Ctx, q: dict[str, Any]) -> dict[str, Any]:
        p = ctx.principal
        ws = self.workspace(p.workspace_id)
        to_agent = canonical(q["to_agent"], ws["org"], ws["name"]) if q.get("to_agent") else None
        from_agent = canonical(q["from_agent"], ws["org"], ws["name"]) if q.get("from_agent") else None
        rows = await self.store.list_intents_async(  # a filter combination no index covers runs off the loop
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
        intents = [public(self.visible_intent(d)) for _, d in rows]
        return {"ok": True, "intents": intents, "next_cursor": str(rows[-1][0]) if more else None}

    def list_events(self, ctx: Ctx, intent_id: str, since: int, limit: int) -> dict[str, Any]:
        events = self.visible_events(check_read(ctx.principal, self.cached_intent(intent_id)), since, limit)
        return {"ok": True, "events": events, "next_seq": (events[-1]["seq"] if events else since) + 1}

    def audit(self, ctx: Ctx, intent_id: str, since: int = 0, limit: int = 500) -> dict[str, Any]:
        doc = check_read(ctx.principal, self.cached_intent(intent_id))
        entries = []
        for ev in self.visible_events(doc, since, limit):  # one page (REQ-LIMIT-013)
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

    # -- writes ---------------------------------------------------------------
    async def resolve(self, ctx: Ctx, intent_id: str, body: dict[str, Any]) -> bytes:
        unknown = sorted(k for k in body if k not in RESOLVE_FIELDS)
        if unknown:
            raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
        status = body.get("status")
        if status not in (COMPLETED, FAILED, CANCELED):
            raise validation("status must be one of COMPLETED, FAILED, CANCELED", "status")
        for name in ("result", "error"):
            if body.get(name) is not None and not isinstance(body[name], dict):
                raise validation(f"{name} must be an object", name)
        if body.get("reason") is not None and not isinstance(body["reason"], str):
            raise validation("reason must be a string", "reason")
        async with self.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.cached_intent(intent_id))
            require_not_human(ctx.principal, "resolve intents", "initiator_required")
            if doc["status"] in TERMINAL:
                raise ApiError(
                    "intent_terminal", f"intent is already {doc['status']}", {"status": doc["status"]}
                )
            check_resolver(ctx.principal, doc)
            ch = self.change(doc, ctx)
            reason = body.get("reason")
            error = None
            if status == COMPLETED:
                ch.intent["result"] = body.get("result") if body.get("result") is not None else {}
                step = current_step(ch.intent)
                if step is not None and step["kind"] == "human":
                    self.close_task(ch, step, "expired")
                ch.set_status(COMPLETED)
                refresh_view(ch.intent)
                ch.emit("intent.completed", data={"result": ch.intent["result"], "reason": reason})
            else:
                if status == FAILED:
                    e = body.get("error") or {}
                    error = {
                        "code": e.get("code") or "failed",
                        "message": e.get("message") or reason or "resolved as failed",
                        **({"details": e["details"]} if e.get("details") is not None else {}),
                    }
                self.finish(
                    ch,
                    status,
                    error=error,
                    actor=ctx.principal.actor,
                    channel=ctx.channel,
                    data={"reason": reason},
                )
            return await self.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    async def resume(self, ctx: Ctx, intent_id: str, body: dict[str, Any]) -> bytes:
        r = parse_resume(body)
        kind = r["kind"]
        if kind == "agent_result":
            return await self.agent_result(ctx, intent_id, r)
        if kind == "progress":
            return await self.progress(ctx, intent_id, r)
        if kind == "task_result":
            decision = {k: v for k, v in r.items() if k != "kind"}
            return await self.decide(ctx, intent_id, decision)
        return await self.control(ctx, intent_id, r)

    async def control(self, ctx: Ctx, intent_id: str, r: dict[str, Any]) -> bytes:
        approve = r.get("approve_current_step")
        next_handler = r.get("next_handler")
        if approve is None and next_handler is None:
            raise validation("control needs approve_current_step or next_handler", "approve_current_step")
        async with self.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.cached_intent(intent_id))
            require_controller(ctx.principal, bool(approve) and next_handler is None)
            if doc["status"] in TERMINAL:
                raise ApiError(
                    "intent_terminal", f"intent is already {doc['status']}", {"status": doc["status"]}
                )
            step = current_step(doc)
            if step is None:
                raise ApiError("invalid_transition", "intent has no current step")
            (check_decider if step["kind"] == "human" else check_handler)(ctx.principal, doc)
            ch = self.change(doc, ctx)
            step = current_step(ch.intent)
            actor, channel = ctx.principal.actor, ctx.channel
            if next_handler is not None:
                self.reassign(ch, step, next_handler, actor, channel)
            elif approve:
                if step["kind"] == "human":
                    outcome = (
                        "approved"
                        if "approved" in step["human_task"]["allowed_outcomes"]
                        else step["human_task"]["allowed_outcomes"][0]
                    )
                    decision = {
                        "outcome": outcome,
                        "comment": r.get("reason") or r.get("comment"),
                        "data": None,
                        "evidence": None,
                        "negative": False,
                    }
                    self.apply_decision(ch, step, decision, actor, channel)
                else:
                    ch.intent["_delivery"] = None
                    ch.intent["_timers"].pop("lease", None)
                    self.complete_step(
                        ch, r.get("result") or {}, actor, channel, {"approved_by_control": True}
                    )
            else:
                raise validation("approve_current_step must be true", "approve_current_step")
            return await self.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    def reassign(self, ch: Change, step: dict[str, Any], next_handler: Any, actor: Any, channel: str) -> None:
        if not isinstance(next_handler, str) or not next_handler:
            raise validation("next_handler must be a non-empty string", "next_handler")
        doc = ch.intent
        if step["kind"] == "human":
            previous_assignees = list(step["assignees"])
            step["assigned_to"] = next_handler
            step["assignees"] = [next_handler]
            step["assignee_name"] = next_handler
            step["human_task"] = dict(step["human_task"], assignees=[next_handler])
            doc["human_task"] = step["human_task"]
            if step.get("task"):
                step["task"].update(assignees=[next_handler], human_task=step["human_task"])
                ch.ops.append(("task", step["task"]))
            ch.set_status(
                doc["status"],
                doc["waiting_reason"],
                {"type": "human", "ref": next_handler, "name": next_handler},
            )
            refresh_view(doc)
            ch.emit(
                "intent.escalated",
                actor=actor,
                channel=channel,
                data={
                    "step_id": step["step_id"],
                    "escalated_to": next_handler,
                    "previous_assignees": previous_assignees,
                    "reason": "next_handler",
                },
            )
            return
        ws = self.workspace(doc["_ws"])
        address = canonical(next_handler, ws["org"], ws["name"])
        agent = self.agent(address)
        if agent is None or agent["_ws"] != doc["_ws"]:
            raise ApiError("agent_not_found", f"agent {address} is not registered")
        step["assigned_to"] = address
        step["assignee_name"] = agent.get("display_name")
        previous = (doc.get("_delivery") or {}).get("delivery_id")
        ended = doc["delivery_attempt"]
        doc["_delivery"] = None
        doc["delivery_attempt"] = 0  # T17: a new holder starts counting again
        doc["_timers"].pop("lease", None)
        doc["_timers"].pop("retry", None)  # the new holder starts now, not after a retry delay
        pending = {"type": "agent", "ref": address, "name": agent.get("display_name") or address}
        ch.set_status(SUBMITTED, None, pending)
        refresh_view(doc)
        ch.emit(
            "intent.redelivered",
            actor=actor,
            channel=channel,
            data={
                "step_id": step["step_id"],
                "previous_delivery_id": previous,
                "attempt": ended,
                "reason": "handoff",
                "next_handler": address,
            },
        )
        self.offer(ch, address)
