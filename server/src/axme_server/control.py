"""Steering an intent from outside its current step: resolve (REQ-LIFECYCLE-*), and resume,
the tagged union with its legacy bodies (REQ-RESUME-001..007), which dispatches to the
agent's result, a human decision or a control (approve the current step, hand it off)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from axme_server.access import (
    check_decider,
    check_handler,
    check_read,
    check_resolver,
    current_step,
    require_controller,
    require_not_human,
)
from axme_server.addresses import canonical
from axme_server.engine import Change, Ctx, EngineCore, public
from axme_server.errors import ApiError, validation
from axme_server.lifecycle import CANCELED, COMPLETED, FAILED, SUBMITTED, TERMINAL
from axme_server.workflow import close_task, refresh_view

if TYPE_CHECKING:
    from axme_server.delivery import Delivery
    from axme_server.humans import Humans
    from axme_server.ports import Offering
    from axme_server.workflow import Workflow

RESOLVE_FIELDS = frozenset({"status", "result", "error", "reason", "actor"})


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


class IntentControl:
    """resolveIntent and resumeIntent (with `control`)."""

    def __init__(
        self, core: EngineCore, workflow: Workflow, lanes: Offering, delivery: Delivery, humans: Humans
    ) -> None:
        self.core = core
        self.workflow = workflow
        self.lanes = lanes
        self.delivery = delivery
        self.humans = humans

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
        async with self.core.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
            require_not_human(ctx.principal, "resolve intents", "initiator_required")
            if doc["status"] in TERMINAL:
                raise ApiError(
                    "intent_terminal", f"intent is already {doc['status']}", {"status": doc["status"]}
                )
            check_resolver(ctx.principal, doc)
            ch = self.core.change(doc, ctx)
            reason = body.get("reason")
            error = None
            if status == COMPLETED:
                ch.intent["result"] = body.get("result") if body.get("result") is not None else {}
                step = current_step(ch.intent)
                if step is not None and step["kind"] == "human":
                    close_task(ch, step, "expired")
                ch.set_status(COMPLETED)
                refresh_view(ch.intent)
                ch.emit(
                    "intent.completed",
                    # the audit reads outcome and comment from here (REQ-AUDIT-002)
                    data={
                        "result": ch.intent["result"],
                        "reason": reason,
                        "outcome": "completed",
                        "comment": reason,
                    },
                )
            else:
                if status == FAILED:
                    e = body.get("error") or {}
                    error = {
                        "code": e.get("code") or "failed",
                        "message": e.get("message") or reason or "resolved as failed",
                        **({"details": e["details"]} if e.get("details") is not None else {}),
                    }
                self.workflow.finish(
                    ch,
                    status,
                    error=error,
                    actor=ctx.principal.actor,
                    channel=ctx.channel,
                    data={"reason": reason, "outcome": status.lower(), "comment": reason},
                )
            return await self.core.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    async def resume(self, ctx: Ctx, intent_id: str, body: dict[str, Any]) -> bytes:
        r = parse_resume(body)
        kind = r["kind"]
        if kind == "agent_result":
            return await self.delivery.agent_result(ctx, intent_id, r)
        if kind == "progress":
            return await self.delivery.progress(ctx, intent_id, r)
        if kind == "task_result":
            decision = {k: v for k, v in r.items() if k != "kind"}
            return await self.humans.decide(ctx, intent_id, decision)
        return await self.control(ctx, intent_id, r)

    async def control(self, ctx: Ctx, intent_id: str, r: dict[str, Any]) -> bytes:
        approve = r.get("approve_current_step")
        next_handler = r.get("next_handler")
        if approve is None and next_handler is None:
            raise validation("control needs approve_current_step or next_handler", "approve_current_step")
        async with self.core.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
            require_controller(ctx.principal, bool(approve) and next_handler is None)
            if doc["status"] in TERMINAL:
                raise ApiError(
                    "intent_terminal", f"intent is already {doc['status']}", {"status": doc["status"]}
                )
            step = current_step(doc)
            if step is None:
                raise ApiError("invalid_transition", "intent has no current step")
            (check_decider if step["kind"] == "human" else check_handler)(ctx.principal, doc)
            ch = self.core.change(doc, ctx)
            step = cast(dict[str, Any], current_step(ch.intent))  # the clone's step: checked above
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
                    self.humans.apply_decision(ch, step, decision, actor, channel)
                else:
                    ch.intent["_delivery"] = None
                    ch.intent["_timers"].pop("lease", None)
                    self.workflow.complete_step(
                        ch, r.get("result") or {}, actor, channel, {"approved_by_control": True}
                    )
            else:
                raise validation("approve_current_step must be true", "approve_current_step")
            return await self.core.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

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
            handed = {"escalated_to": next_handler, "previous_assignees": previous_assignees}
            data = {"step_id": step["step_id"], **handed, "reason": "next_handler"}
            ch.emit("intent.escalated", actor=actor, channel=channel, data=data)
            return
        ws = self.core.workspace(doc["_ws"])
        address = canonical(next_handler, ws["org"], ws["name"])
        agent = self.core.agent(address)
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
        self.lanes.offer(ch, address)
