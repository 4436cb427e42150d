"""`on_failure` review steps (REQ-REATTEMPT-011, T24-T26): an agent step that fails for good
asks a person "retry or abandon?" instead of ending the intent. The review is an ordinary
human step added right after the failed one, so reminders, escalation, notifications,
on_timeout and decisions work as for any human step; only its outcome is read here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.access import current_step
from axme_server.engine import Change
from axme_server.jsonutil import iso
from axme_server.lifecycle import FAILED
from axme_server.retry import fresh_step
from axme_server.tasks import normalize_task
from axme_server.workflow import close_task, human_step

if TYPE_CHECKING:
    from axme_server.workflow import Workflow

RETRY, ABANDON = "retry", "abandon"
MAX_DESCRIPTION = 4000


def review_task(step_id: str, error: dict[str, Any], assignees: list[str]) -> dict[str, Any]:
    return normalize_task(
        {
            "title": f"Step {step_id} failed: retry or abandon?",
            "description": str(error.get("message") or error.get("code") or "the step failed")[
                :MAX_DESCRIPTION
            ],
            "task_type": "review",
            "allowed_outcomes": [RETRY, ABANDON],
            "assignees": assignees,
        }
    )


class FailureReview:
    """T24-T26 on top of the workflow: a review step after a failed agent step, and its outcome."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow

    def route_failure(
        self, ch: Change, error: dict[str, Any], actor: dict[str, Any] | None, channel: str | None
    ) -> bool:
        """T24: the current agent step failed for good. With `on_failure`, add a review step after
        it and wait for the decision; False (the failure stands) without one."""
        doc = ch.intent
        step = current_step(doc)
        target = (step or {}).get("on_failure")
        if step is None or step["kind"] != "agent" or not target:
            return False
        idx = doc["_step"]
        step["status"] = "failed"
        step["error"] = error
        step["completed_at"] = iso(ch.now)
        doc["_delivery"] = None
        doc["_timers"].pop("lease", None)
        doc["_timers"].pop("retry", None)
        n = 1 + sum(
            1
            for s in doc["_steps"]
            if s.get("review_of") is not None and s["step_id"].startswith(f"{step['step_id']}.on_failure-")
        )
        assignees = list(target["assignees"])
        review = human_step(
            f"{step['step_id']}.on_failure-{n}",
            review_task(step["step_id"], error, assignees),
            assignees,
            target.get("name"),
        )
        review.update(review_of=idx, failure_error=error)
        doc["_steps"].insert(idx + 1, review)

        def announce() -> None:
            ch.emit(
                "intent.step_completed",
                actor=actor,
                channel=channel,
                data={
                    "step_id": step["step_id"],
                    "index": idx,
                    "kind": "agent",
                    "outcome": "failed",
                    "result": None,
                    "error": error,
                    "next_step_id": review["step_id"],
                },
            )

        self.workflow.start_step(ch, idx + 1, announce)
        return True

    def review_decided(
        self, ch: Change, step: dict[str, Any], decision: dict[str, Any], actor: dict[str, Any], channel: str
    ) -> dict[str, Any] | None:
        """The decision on review step `step`: T25 (retry) puts the failed agent step again right
        after the review and returns the decision to apply as a positive one; T26 ends the
        intent here (None)."""
        failed_idx: int = step["review_of"]
        doc = ch.intent
        if decision["outcome"] == RETRY:
            doc["_steps"].insert(doc["_step"] + 1, fresh_step(doc["_steps"][failed_idx]))
            return dict(decision, negative=False)
        # T26 (abandon, or a negative outcome from on_timeout reject): FAILED with the step's own error
        record = {k: decision[k] for k in ("outcome", "comment", "data", "evidence")}
        step["outcome"] = decision["outcome"]
        step["decision"] = dict(record, decided_by=actor, decided_at=iso(ch.now))
        close_task(ch, step, "decided", step["decision"])
        step["status"] = "completed"
        self.workflow.finish(
            ch,
            FAILED,
            error=step["failure_error"],
            actor=actor,
            channel=channel,
            data={"step_id": step["step_id"], **record},
            task_status="decided",
        )
        doc["_failed_step"] = failed_idx  # a later retryIntent starts at the agent step
        return None
