"""Steps and how an intent moves through them: agent steps are delivered,
human steps wait (with reminders, escalation and on_timeout), internal steps
run in the server. Every plain intent is a one-step workflow (two with a
`human_task`); scenario bundles give several."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from axme_server.access import current_step
from axme_server.engine import SYSTEM_ACTOR, Change, EngineCore
from axme_server.jsonutil import iso
from axme_server.lifecycle import CANCELED, COMPLETED, FAILED, SUBMITTED, TERMINAL_EVENT, TIMED_OUT, WAITING

if TYPE_CHECKING:
    from axme_server.ports import HumanSteps, Offering

ON_TIMEOUT = ("fail", "cancel", "approve", "reject", "escalate")
POLICY_FIELDS = (
    "remind_after_seconds",
    "remind_interval_seconds",
    "max_reminders",
    "escalate_to",
    "step_deadline_seconds",
    "on_timeout",
    "escalation",
    "escalation_repeat",
)


def agent_step(
    step_id: str, address: str, name: str | None, retry: dict[str, Any] | None = None, **policy: Any
) -> dict[str, Any]:
    """`retry` (scenario steps): {max_retries, retry_delay_seconds}, REQ-DELIVERY-015."""
    return {
        "step_id": step_id,
        "kind": "agent",
        "assigned_to": address,
        "assignee_name": name,
        "status": "pending",
        "result": None,
        "retry": retry,
        "retries": 0,
        **{k: policy.get(k) for k in POLICY_FIELDS},
    }


def human_step(
    step_id: str, task: dict[str, Any], assignees: list[str], name: str | None, **policy: Any
) -> dict[str, Any]:
    task = dict(task, assignees=assignees)
    return {
        "step_id": step_id,
        "kind": "human",
        "assigned_to": assignees[0] if assignees else None,
        "assignee_name": name,
        "assignees": assignees,
        "human_task": task,
        "status": "pending",
        "outcome": None,
        "reminders": 0,
        "escalated": False,
        "task": None,
        **{k: policy.get(k) for k in POLICY_FIELDS},
    }


def internal_step(step_id: str, runtime_type: str, config: dict[str, Any]) -> dict[str, Any]:
    return {
        "step_id": step_id,
        "kind": "internal",
        "assigned_to": None,
        "runtime_type": runtime_type,
        "runtime_config": config,
        "status": "pending",
        "result": None,
        **{k: None for k in POLICY_FIELDS},
    }


def _assigned(step: dict[str, Any]) -> str:
    if step["kind"] == "human":
        return ",".join(step["assignees"])
    return str(step["assigned_to"] or step["step_id"])


def close_task(ch: Change, step: dict[str, Any], status: str, decision: dict[str, Any] | None = None) -> None:
    """End a human step's task record (`decided`, `expired`) in `ch`'s commit."""
    task = step.get("task")
    if task is None or task["status"] != "pending":
        return
    task.update(status=status, decision=decision, remind_count=ch.intent["remind_count"])
    ch.ops.append(("task", task))


def refresh_view(doc: dict[str, Any]) -> None:
    """Recompute the public step fields from the internal step list."""
    steps = doc["_steps"]
    idx = doc["_step"]
    if not doc["_multi"]:
        doc["steps"] = None
        doc["current_step"] = None
        return
    doc["steps"] = [
        {
            "step_id": s["step_id"],
            "index": i,
            "kind": s["kind"],
            "assigned_to": _assigned(s),
            "status": s["status"],
            "result": s.get("result"),
            "outcome": s.get("outcome"),
        }
        for i, s in enumerate(steps)
    ]
    if idx is None or doc["status"] in (COMPLETED, FAILED, CANCELED, TIMED_OUT):
        doc["current_step"] = None
    else:
        s = steps[idx]
        doc["current_step"] = {
            "step_id": s["step_id"],
            "index": idx,
            "kind": s["kind"],
            "assigned_to": _assigned(s),
        }


class Workflow:
    """Steps: start (an agent step is offered to its lane, a human step waits), complete, end;
    and the deadline and delay timers. `bind` closes the cycle with the human steps."""

    def __init__(self, core: EngineCore, lanes: Offering) -> None:
        self.core = core
        self.lanes = lanes
        self._humans: HumanSteps | None = None

    def bind(self, humans: HumanSteps) -> None:
        self._humans = humans

    @property
    def humans(self) -> HumanSteps:
        assert self._humans is not None, "Workflow.bind(humans) was not called"
        return self._humans

    # -- starting and finishing steps ------------------------------------
    def start_step(self, ch: Change, idx: int, prelude: Callable[[], None] | None = None) -> None:
        """Make step `idx` current. `prelude` emits the event announcing the previous
        step's end; it runs after the new status is set, before the step's own events."""
        doc = ch.intent
        doc["_step"] = idx
        step = doc["_steps"][idx]
        step["status"] = "active"
        step["started_at"] = iso(ch.now)
        timers = doc["_timers"]
        for k in ("remind", "escalate", "step_deadline", "delay", "retry"):
            timers.pop(k, None)
        if step.get("step_deadline_seconds"):
            timers["step_deadline"] = ch.now + float(step["step_deadline_seconds"])
        if step["kind"] == "agent":
            doc["delivery_attempt"] = 0  # counts deliveries of the current agent step
            doc["_delivery"] = None
            timers.pop("lease", None)
            pending = {
                "type": "agent",
                "ref": step["assigned_to"],
                "name": step.get("assignee_name") or step["assigned_to"],
            }
            ch.set_status(SUBMITTED, None, pending)
            refresh_view(doc)
            if prelude:
                prelude()
            self.lanes.offer(ch, step["assigned_to"])
        elif step["kind"] == "human":
            self.humans.enter_human(ch, step, prelude)
        else:
            self.start_internal(ch, step, prelude)

    def start_internal(self, ch: Change, step: dict[str, Any], prelude: Callable[[], None] | None) -> None:
        doc = ch.intent
        if step["runtime_type"] == "delay":
            seconds = float((step.get("runtime_config") or {}).get("seconds", 0))
            ch.set_status(
                WAITING, "WAITING_FOR_TIME", {"type": "internal", "ref": step["step_id"], "name": "delay"}
            )
            refresh_view(doc)
            if prelude:
                prelude()
            doc["_timers"]["delay"] = ch.now + seconds
            ch.emit(
                "intent.waiting",
                data={
                    "step_id": step["step_id"],
                    "waiting_reason": "WAITING_FOR_TIME",
                    "until": iso(ch.now + seconds),
                },
            )
        else:  # notification and other one-way steps complete at once
            if prelude:
                prelude()
            self.complete_step(ch, {"runtime_type": step["runtime_type"]}, SYSTEM_ACTOR, "system", {})

    def complete_step(
        self, ch: Change, result: Any, actor: dict[str, Any] | None, channel: str | None, data: dict[str, Any]
    ) -> None:
        doc = ch.intent
        step = current_step(doc)
        assert step is not None
        step["status"] = "completed"
        step["completed_at"] = iso(ch.now)
        if step["kind"] != "human":
            step["result"] = result
            doc["_last_result"] = result
        nxt = doc["_step"] + 1
        if nxt < len(doc["_steps"]):

            def announce() -> None:
                info = {
                    "step_id": step["step_id"],
                    "index": nxt - 1,
                    "kind": step["kind"],
                    "outcome": step.get("outcome"),
                    "next_step_id": doc["_steps"][nxt]["step_id"],
                }
                if step["kind"] != "human":
                    info["result"] = step.get("result")
                ch.emit("intent.step_completed", actor=actor, channel=channel, data={**info, **data})

            self.start_step(ch, nxt, announce)
            return
        doc["result"] = doc.get("_last_result") if doc.get("_last_result") is not None else {}
        ch.set_status(COMPLETED)
        refresh_view(doc)
        ch.emit(
            "intent.completed",
            actor=actor,
            channel=channel,
            data={"step_id": step["step_id"], **data, "result": doc["result"]},
        )

    def finish(
        self,
        ch: Change,
        status: str,
        event_type: str | None = None,
        *,
        error: dict[str, Any] | None = None,
        actor: dict[str, Any] | None = None,
        channel: str | None = None,
        data: dict[str, Any] | None = None,
        task_status: str = "expired",
    ) -> None:
        """Move to a terminal status (not via normal step completion)."""
        doc = ch.intent
        step = current_step(doc)
        if status in (FAILED, TIMED_OUT):
            doc["_failed_step"] = doc["_step"]  # where retryIntent starts again (REQ-REATTEMPT-006)
        if step is not None and step["status"] == "active":
            step["status"] = "failed"  # StepSummary.status has no "canceled": the step ended unfinished
            if step["kind"] == "human":
                close_task(ch, step, task_status)
        reason = (data or {}).get("reason")
        if error is None and status == CANCELED:
            error = {"code": "canceled", "message": reason or "canceled"}
        if error is not None:
            doc["error"] = error
        ch.set_status(status)
        refresh_view(doc)
        payload = {"error": error, **(data or {})}
        if status == CANCELED:
            payload.setdefault("reason", None)
        if status == TIMED_OUT:
            payload.setdefault("step_id", step["step_id"] if step else None)
            payload.setdefault("deadline_at", doc.get("deadline_at"))
        ch.emit(event_type or TERMINAL_EVENT[status], actor=actor, channel=channel, data=payload)

    # -- timers ----------------------------------------------------------
    def timer_deadline(self, ch: Change, due: float) -> None:
        step = current_step(ch.intent)
        policy = ch.intent["_policy"].get("on_timeout")
        if step is not None and step["kind"] == "human" and policy:
            self.humans.run_on_timeout(ch, step, policy, due, "deadline")
        else:
            self.finish(
                ch,
                TIMED_OUT,
                error={"code": "timed_out", "message": "the intent's deadline passed"},
                actor=SYSTEM_ACTOR,
                channel="system",
                data={"reason": "deadline", "deadline_at": ch.intent["deadline_at"]},
            )

    def timer_step_deadline(self, ch: Change, due: float) -> None:
        step = current_step(ch.intent)
        assert step is not None
        if step["kind"] == "human":
            self.humans.run_on_timeout(
                ch,
                step,
                step.get("on_timeout") or ch.intent["_policy"].get("on_timeout") or "fail",
                due,
                "step_deadline",
            )
        else:
            self.finish(
                ch,
                TIMED_OUT,
                error={"code": "timed_out", "message": f"step {step['step_id']} timed out"},
                actor=SYSTEM_ACTOR,
                channel="system",
                data={"step_id": step["step_id"], "deadline_at": iso(due)},
            )

    def timer_delay(self, ch: Change, due: float) -> None:
        self.complete_step(ch, {"delayed_until": iso(due)}, SYSTEM_ACTOR, "system", {})
