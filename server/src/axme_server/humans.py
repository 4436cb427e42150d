"""Human steps: assignment, the task record, decisions, and the reminder ->
escalation -> on_timeout timer algorithm (REQ-HUMAN-012..016)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from axme_server.access import check_decider, check_read, current_step, require_decider_kind
from axme_server.engine import SYSTEM_ACTOR, Change, Ctx, EngineCore, public
from axme_server.errors import ApiError
from axme_server.escalation import can_escalate, next_escalation_level, schedule_escalation, step_policy
from axme_server.jsonutil import iso
from axme_server.lifecycle import CANCELED, FAILED, TERMINAL, TIMED_OUT, WAITING
from axme_server.tasks import NEGATIVE_OUTCOMES, validate_decision
from axme_server.workflow import close_task, refresh_view

if TYPE_CHECKING:
    from axme_server.ports import FailureRouting, Notifier
    from axme_server.workflow import Workflow


def _pending(step: dict[str, Any]) -> dict[str, Any]:
    ref = step["assignees"][0] if step["assignees"] else "workspace"
    return {"type": "human", "ref": ref, "name": step.get("assignee_name") or ref}


class Humans:
    """Human steps: the task, reminders, escalation, on_timeout and decisions (decideTask)."""

    def __init__(
        self, core: EngineCore, workflow: Workflow, notify: Notifier, reviews: FailureRouting
    ) -> None:
        self.core = core
        self.workflow = workflow
        self.notify = notify
        self.reviews = reviews

    def enter_human(self, ch: Change, step: dict[str, Any], prelude: Callable[[], None] | None) -> None:
        doc = ch.intent
        ch.set_status(WAITING, "WAITING_FOR_HUMAN", _pending(step))
        doc["human_task"] = step["human_task"]
        refresh_view(doc)
        if prelude:
            prelude()
        step["reminders"] = 0
        self._schedule_first_reminder(ch, step, ch.now)
        schedule_escalation(ch, step, ch.now)  # REQ-HUMAN-025: level 1 after the step started
        deadline = doc["_timers"].get("step_deadline") or doc["_timers"].get("deadline")
        step["task"] = {
            "intent_id": doc["intent_id"],
            "step_id": step["step_id"],
            "status": "pending",
            "human_task": step["human_task"],
            "assignees": step["assignees"],
            "created_at": iso(ch.now),
            "deadline_at": iso(deadline) if deadline else None,
            "remind_count": doc["remind_count"],
            "intent_type": doc["intent_type"],
            "decision": None,
            "_ws": doc["_ws"],
        }
        ch.ops.append(("task", step["task"]))
        ch.emit(
            "intent.human_task_assigned",
            data={
                "step_id": step["step_id"],
                "human_task": step["human_task"],
                "assignees": step["assignees"],
                "deadline_at": step["task"]["deadline_at"],
            },
        )
        self.notify.notify_step(ch, step, "assigned")  # REQ-NOTIFY-002: in this same commit

    def _schedule_first_reminder(self, ch: Change, step: dict[str, Any], base: float) -> None:
        after = step_policy(ch, step, "remind_after_seconds")
        if after:
            ch.intent["_timers"]["remind"] = base + float(after)
            self._drop_after_deadline(ch, base + float(after))

    # -- timers ----------------------------------------------------------
    def timer_remind(self, ch: Change, due: float) -> None:
        doc = ch.intent
        step = current_step(doc)
        if step is None or step["kind"] != "human":
            return
        step["reminders"] += 1
        doc["remind_count"] += 1
        if step.get("task"):
            step["task"]["remind_count"] = doc["remind_count"]
            ch.ops.append(("task", step["task"]))
        ch.emit(
            "intent.reminder",
            actor=SYSTEM_ACTOR,
            channel="system",
            data={
                "step_id": step["step_id"],
                "remind_count": doc["remind_count"],
                "assignees": step["assignees"],
                "notify": step["human_task"].get("notify") or [],
            },
        )
        self.notify.notify_step(ch, step, "reminder")
        # REQ-HUMAN-012/013: interval defaults to remind_after, max_reminders to 3;
        # escalation one interval after the last reminder, at most once per step
        interval = float(
            step_policy(ch, step, "remind_interval_seconds")
            or step_policy(ch, step, "remind_after_seconds")
            or 0
        )
        max_reminders = step_policy(ch, step, "max_reminders")
        if max_reminders is None:
            max_reminders = 3
        nxt = None
        if step["reminders"] < max_reminders and interval > 0:
            doc["_timers"]["remind"] = nxt = due + interval
        elif step_policy(ch, step, "escalate_to") and not step["escalated"] and interval > 0:
            doc["_timers"]["escalate"] = nxt = due + interval
        self._drop_after_deadline(ch, nxt)

    def _drop_after_deadline(self, ch: Change, due: float | None) -> None:
        """Reminders and escalation due at or after the step's deadline never fire (REQ-HUMAN-014)."""
        timers = ch.intent["_timers"]
        deadline = min(
            [t for t in (timers.get("step_deadline"), timers.get("deadline")) if t is not None], default=None
        )
        if due is not None and deadline is not None and due >= deadline:
            timers.pop("remind", None)
            timers.pop("escalate", None)

    def timer_escalate(self, ch: Change, due: float) -> None:
        step = current_step(ch.intent)
        if step is None or step["kind"] != "human":
            return
        self.escalate(ch, step, due, "reminders_exhausted")  # REQ: reason reminders_exhausted

    def timer_escalate_level(self, ch: Change, due: float) -> None:
        step = current_step(ch.intent)
        if step is None or step["kind"] != "human" or step.get("escalation_due") != due:
            return  # the step moved on: a stale timer
        self.escalate(ch, step, due, "no_response")

    def escalate(self, ch: Change, step: dict[str, Any], at: float, reason: str) -> None:
        doc = ch.intent
        level = next_escalation_level(ch, step)  # REQ-HUMAN-013/025: escalate_to or the chain's next
        target = level["assignees"][0]
        previous = list(step["assignees"])
        step["assignees"] = level["assignees"]
        step["assigned_to"] = target
        step["assignee_name"] = target
        step["human_task"] = dict(step["human_task"], assignees=level["assignees"])
        step["escalated"] = True
        step["reminders"] = 0
        doc["remind_count"] = 0  # REQ-HUMAN-013: the new holder's cycle starts from zero
        doc["human_task"] = step["human_task"]
        ch.set_status(WAITING, "WAITING_FOR_HUMAN", _pending(step))
        refresh_view(doc)
        if step.get("task"):
            step["task"].update(assignees=level["assignees"], human_task=step["human_task"])
            ch.ops.append(("task", step["task"]))
        ch.emit(
            "intent.escalated",
            actor=SYSTEM_ACTOR,
            channel="system",
            data={
                "step_id": step["step_id"],
                "level": level["level"],
                "escalated_to": target,
                "assignees": level["assignees"],
                "previous_assignees": previous,
                "reason": reason,
            },
        )
        self.notify.notify_step(ch, step, "escalated", level["notify"])
        self._schedule_first_reminder(ch, step, at)
        schedule_escalation(ch, step, at)

    def run_on_timeout(self, ch: Change, step: dict[str, Any], action: str, due: float, reason: str) -> None:
        data = {"step_id": step["step_id"], "on_timeout": action, "reason": reason}
        if action == "escalate" and can_escalate(ch, step):
            if step.get("step_deadline_seconds"):  # the new holder gets one more deadline
                ch.intent["_timers"]["step_deadline"] = due + float(step["step_deadline_seconds"])
            self.escalate(ch, step, due, "timeout")
            return
        self.notify.notify_step(ch, step, "timeout")
        if action in ("approve", "reject"):
            task = step["human_task"]
            positive = [o for o in task["allowed_outcomes"] if o not in NEGATIVE_OUTCOMES]
            negative = [o for o in task["allowed_outcomes"] if o in NEGATIVE_OUTCOMES]
            outcome = (positive or ["approved"])[0] if action == "approve" else (negative or ["rejected"])[0]
            decision = {
                "outcome": outcome,
                "comment": f"automatic on timeout ({action})",
                "data": None,
                "evidence": None,
                "negative": action == "reject",
            }
            self.apply_decision(ch, step, decision, SYSTEM_ACTOR, "system")
            return
        if action == "cancel":
            self.workflow.finish(ch, CANCELED, actor=SYSTEM_ACTOR, channel="system", data=data)
            return
        self.workflow.finish(
            ch,
            TIMED_OUT,
            error={"code": "timed_out", "message": f"human step {step['step_id']} timed out"},
            actor=SYSTEM_ACTOR,
            channel="system",
            data={**data, "deadline_at": iso(due)},
        )

    # -- decisions -------------------------------------------------------
    async def decide(self, ctx: Ctx, intent_id: str, body: dict[str, Any]) -> bytes:
        async with self.core.intent_lock(intent_id):
            doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
            require_decider_kind(ctx.principal)
            if doc["status"] in TERMINAL:
                raise ApiError(
                    "intent_terminal", f"intent is already {doc['status']}", {"status": doc["status"]}
                )
            step = current_step(doc)
            if doc["status"] != WAITING or step is None or step["kind"] != "human":
                raise ApiError(
                    "invalid_transition",
                    f"intent is {doc['status']}, not waiting for a human decision",
                    {"status": doc["status"]},
                )
            check_decider(ctx.principal, doc)
            decision = validate_decision(step["human_task"], body)
            ch = self.core.change(doc, ctx)
            step = cast(dict[str, Any], current_step(ch.intent))  # the clone's step: checked above
            self.apply_decision(ch, step, decision, ctx.principal.actor, ctx.channel)
            return await self.core.apply(ch, ctx, {"ok": True, "applied": True, "intent": public(ch.intent)})

    def apply_decision(
        self, ch: Change, step: dict[str, Any], decision: dict[str, Any], actor: dict[str, Any], channel: str
    ) -> None:
        if step.get("review_of") is not None:  # an on_failure review: retry goes on, abandon ended it
            reviewed = self.reviews.review_decided(ch, step, decision, actor, channel)
            if reviewed is None:
                return
            decision = reviewed
        record = {k: decision[k] for k in ("outcome", "comment", "data", "evidence")}
        step["outcome"] = decision["outcome"]
        step["decision"] = dict(record, decided_by=actor, decided_at=iso(ch.now))
        close_task(ch, step, "decided", step["decision"])
        data = {"step_id": step["step_id"], **record}
        if decision["negative"]:
            who = actor.get("display_name") or actor.get("id")
            error = {
                "code": "rejected",
                "message": f"rejected by {who}",
                "details": {
                    "outcome": decision["outcome"],
                    "step_id": step["step_id"],
                    "comment": decision["comment"],
                },
            }
            step["status"] = "completed"
            self.workflow.finish(
                ch, FAILED, error=error, actor=actor, channel=channel, data=data, task_status="decided"
            )
            return
        self.workflow.complete_step(ch, None, actor, channel, data)
