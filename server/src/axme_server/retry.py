"""retryIntent (REQ-REATTEMPT-001..010): a FAILED or TIMED_OUT intent gets a new attempt, a
new intent linked both ways (`retry_of` / `retried_by`), that keeps the completed steps'
results and starts at the step that failed. The failed intent stays terminal: only its
`retried_by` link is written, in the same transaction that creates the attempt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from axme_server.access import check_read, forbidden
from axme_server.engine import Ctx, EngineCore
from axme_server.errors import ApiError, validation
from axme_server.jsonutil import clone, parse_iso
from axme_server.lifecycle import FAILED, TIMED_OUT
from axme_server.spec import _dotted, problems_of

if TYPE_CHECKING:
    from axme_server.intents import Intents

RETRYABLE = (FAILED, TIMED_OUT)
RETRY_FIELDS = frozenset({"reason", "payload_patch", "deadline_at"})
MAX_REASON = 1000
# runtime members a step gathers while it runs; a fresh copy starts without them
RUN_STATE = ("started_at", "completed_at", "decision", "error")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge member by member, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def input_schema_problems(schema: Any, payload: Any, prefix: str) -> list[dict[str, str]]:
    """Problems of `payload` against a step's input_schema, JSON Pointers under `prefix`."""
    return problems_of(Draft202012Validator(schema), payload, prefix)


def bad_input_schema(schema: Any) -> str | None:
    """Why `schema` is not a usable JSON Schema 2020-12 (None when it is)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return str(exc.message)
    return None


def fresh_step(step: dict[str, Any]) -> dict[str, Any]:
    """A copy of `step` as it was before it ran: pending, counters at zero, no task or result."""
    out = {k: v for k, v in clone(step).items() if k not in RUN_STATE}
    out["status"] = "pending"
    if out["kind"] == "human":
        out.update(outcome=None, reminders=0, escalated=False, task=None)
    else:
        out["result"] = None
        if out["kind"] == "agent":
            out["retries"] = 0
    return out


def failed_index(doc: dict[str, Any]) -> int:
    """The step that was current when the intent ended (REQ-REATTEMPT-006)."""
    steps = doc["_steps"]
    idx = doc.get("_failed_step")
    if not isinstance(idx, int):  # an intent that ended before the index was recorded
        started = [i for i, s in enumerate(steps) if s["status"] != "pending"]
        idx = started[-1] if started else 0
    review_of = steps[idx].get("review_of")
    return review_of if isinstance(review_of, int) else idx  # a review that ended: its agent step again


def attempt_steps(steps: list[dict[str, Any]], from_idx: int) -> tuple[list[dict[str, Any]], int]:
    """The new attempt's steps and the index it starts at: completed steps before `from_idx` kept
    with their results (review steps and failures a review retried are dropped), the rest fresh."""
    kept = []
    for s in steps[:from_idx]:
        if s["status"] == "completed" and s.get("review_of") is None:
            s = clone(s)
            s["task"] = None if s["kind"] == "human" else s.get("task")
            kept.append(s)
    rest = [fresh_step(s) for s in steps[from_idx:] if s.get("review_of") is None]
    return kept + rest, len(kept)


def _check_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation("the body must be a JSON object")
    unknown = sorted(k for k in body if k not in RETRY_FIELDS)
    if unknown:
        raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise validation(f"reason must be a string of at most {MAX_REASON} characters", "reason")
    if body.get("payload_patch") is not None and not isinstance(body["payload_patch"], dict):
        raise validation("payload_patch must be an object (a JSON Merge Patch)", "payload_patch")
    if body.get("deadline_at") is not None:
        try:
            parse_iso(body["deadline_at"])
        except (ValueError, TypeError, AttributeError):
            raise validation("deadline_at must be an RFC 3339 timestamp", "deadline_at") from None
    return body


class Retries:
    """retryIntent: a new attempt of a FAILED or TIMED_OUT intent."""

    def __init__(self, core: EngineCore, intents: Intents) -> None:
        self.core = core
        self.intents = intents

    async def retry_intent(self, ctx: Ctx, intent_id: str, body: Any) -> bytes:
        body = _check_body(body)
        p = ctx.principal
        async with self.core.intent_lock(intent_id):
            failed = check_read(p, self.core.cached_intent(intent_id))
            if not (p.kind == "admin" or (p.kind == "agent" and p.agent_address == failed["from_agent"])):
                reason = "forbidden" if p.kind == "human" else "initiator_required"
                raise forbidden(reason, "only the initiator or an admin may retry this intent")
            status = failed["status"]
            if status not in RETRYABLE:
                raise ApiError(
                    "invalid_transition",
                    f"intent is {status}; only FAILED or TIMED_OUT intents can be retried",
                    {"status": status},
                )
            if failed.get("retried_by"):
                raise ApiError(
                    "invalid_transition",
                    f"intent was already retried as {failed['retried_by']}; retry that attempt instead",
                    {"status": status, "retried_by": failed["retried_by"]},
                )
            from_idx = failed_index(failed)
            steps, start = attempt_steps(failed["_steps"], from_idx)
            payload = merge_patch(failed["payload"], body.get("payload_patch") or {})
            self._check_inputs(steps[start:], payload)
            for step in steps[start:]:  # an agent deleted since would leave the attempt undeliverable
                if step["kind"] == "agent" and self.core.agent(step["assigned_to"]) is None:
                    raise ApiError(
                        "agent_not_found",
                        f"agent {step['assigned_to']} of step {step['step_id']} is no longer registered",
                        {"address": step["assigned_to"]},
                    )
            attempt = self._attempt_doc(failed, steps, payload, body.get("deadline_at"))
            async with self.core.intent_lock(attempt["intent_id"]):
                ch = self.intents.start_new(
                    attempt,
                    ctx,
                    start,
                    {
                        "retry_of": intent_id,
                        "attempt": attempt["attempt"],
                        "from_step": steps[start]["step_id"],
                        "reason": body.get("reason"),
                    },
                )
                linked = clone(failed)
                linked["retried_by"] = attempt["intent_id"]
                ch.ops.append(("intent", linked))
                ch.after.append(lambda: self.core.remember(linked))
                resp = {
                    "ok": True,
                    "intent_id": attempt["intent_id"],
                    "retry_of": intent_id,
                    "attempt": attempt["attempt"],
                    "status": ch.intent["status"],
                    "from_step": steps[start]["step_id"],
                }
                return await self.core.apply(ch, ctx, resp)

    def _check_inputs(self, steps: list[dict[str, Any]], payload: dict[str, Any]) -> None:
        """REQ-REATTEMPT-004: the payload every remaining step will see must fit its input_schema."""
        for step in steps:
            schema = step.get("input_schema")
            if schema is None:
                continue
            problems = input_schema_problems(schema, payload, "/payload")
            if problems:
                first = problems[0]
                raise ApiError(
                    "validation_error",
                    f"step {step['step_id']}: {_dotted(first['path'])}: {first['message']}",
                    {"field": _dotted(first["path"]), "step_id": step["step_id"], "errors": problems},
                )

    def _attempt_doc(
        self,
        failed: dict[str, Any],
        steps: list[dict[str, Any]],
        payload: dict[str, Any],
        deadline_at: str | None,
    ) -> dict[str, Any]:
        now = self.core.clock.now()
        deadline = parse_iso(deadline_at) if deadline_at else None
        if deadline is None and failed.get("deadline_at") and parse_iso(failed["deadline_at"]) > now:
            deadline = parse_iso(failed["deadline_at"])
        doc: dict[str, Any] = self.intents.new_intent_doc(
            failed["_ws"],
            failed["intent_type"],
            failed["from_agent"],
            failed["to_agent"],
            payload,
            steps,
            correlation_id=failed["correlation_id"],
            reply_to=failed["reply_to"],
            deadline=deadline,
            max_delivery_attempts=failed["max_delivery_attempts"],
            policy=clone(failed["_policy"]),
            human_task=clone(failed.get("human_task")),
            multi=failed["_multi"],
            metadata=clone(failed.get("metadata")),
            scenario_id=failed.get("scenario_id"),
        )
        doc["attempt"] = int(failed.get("attempt") or 1) + 1
        doc["retry_of"] = failed["intent_id"]
        # the kept steps' last agent result is the result so far (REQ-LIFECYCLE-011)
        done = [s.get("result") for s in steps if s["status"] == "completed" and s["kind"] == "agent"]
        doc["_last_result"] = done[-1] if done else None
        return doc
