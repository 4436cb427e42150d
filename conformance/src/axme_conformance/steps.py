"""The step vocabulary of scenarios, executed against one SDK's driver.

Driver steps (run through the SDK, here): ``new_client``, ``call``, ``observe``,
``wait_for``, ``listen``, ``push_receiver``, ``cancel``, ``await``.
Harness steps (plain HTTP with the namespace's keys, or test-only endpoints) are in
`harness_steps`; what steps share (`ScenarioContext`, `StepFailure`, `StepError`) in
`step_context`. conformance/README.md documents each step with an example.
"""

from __future__ import annotations

from typing import Any

from axme_conformance.driver import OpHandle
from axme_conformance.harness_steps import run_harness_step
from axme_conformance.matchers import match
from axme_conformance.push_steps import PushStepFailure, receiver_url
from axme_conformance.step_context import ScenarioContext, StepError, StepFailure, brief

__all__ = ["ACTIONS", "ScenarioContext", "StepError", "StepFailure", "run_step", "step_action"]

DRIVER_ACTIONS = (
    "new_client",
    "call",
    "observe",
    "wait_for",
    "listen",
    "push_receiver",
    "cancel",
    "await",
)
HARNESS_ACTIONS = (
    "http",
    "register_agent",
    "create_intent",
    "take_delivery",
    "ack",
    "resume",
    "resolve",
    "decide",
    "check_intent",
    "advance_clock",
    "fault",
    "clear_faults",
    "wait_until",
    "set",
    "send_push",
    "webhook_receiver",
    "webhooks",
)
ACTIONS = DRIVER_ACTIONS + HARNESS_ACTIONS
STEP_OPTIONS = (
    "as",
    "expect",
    "background",
    "client",
    "timeout_s",
    "compare",
    "note",
    "args",
    "config",
    "key",
    "env",
)


def step_action(step: dict[str, Any]) -> str:
    found = [k for k in step if k in ACTIONS]
    if len(found) != 1:
        raise StepError(f"a step needs exactly one action of {ACTIONS}, got {sorted(step)}")
    return found[0]


# What of an error is the same in every SDK (message, request_id… are informational).
COMPARED_ERROR_FIELDS = ("type", "status", "code", "retryable")


# Errors that are not API responses: status/code/retryable are defined only for API
# errors (driver-protocol.md), so only the type is compared.
NON_API_ERROR_TYPES = frozenset(
    {"Connection", "Timeout", "WaitTimeout", "Stream", "Canceled", "Configuration"}
)


def comparable(outcome: dict[str, Any]) -> dict[str, Any]:
    error = outcome.get("error")
    if not isinstance(error, dict):
        return outcome
    if error.get("type") in NON_API_ERROR_TYPES and error.get("status") is None:
        return {**outcome, "error": {"type": error.get("type")}}
    kept = {k: error.get(k) for k in COMPARED_ERROR_FIELDS}
    if error.get("retry_after") is not None:
        kept["retry_after"] = error["retry_after"]
    return {**outcome, "error": kept}


def _expect_outcome(pattern: Any, outcome: dict[str, Any], what: str) -> None:
    if pattern is None:
        pattern = {}
    if isinstance(pattern, dict) and "ok" not in pattern:
        pattern = {**pattern, "ok": "error" not in pattern}
    problems = match(pattern, outcome, what)
    if problems:
        raise StepFailure("; ".join(problems[:6]) + f" — outcome: {brief(outcome)}")


def run_driver_step(ctx: ScenarioContext, index: int, step: dict[str, Any], action: str) -> None:
    timeout_s = float(step.get("timeout_s", ctx.op_timeout_s))
    what = f"step {index + 1} ({action})"
    if action == "new_client":
        _new_client_step(ctx, step, what)
        return
    if action == "await":
        name = str(step["await"])
        handle = ctx.handles.pop(name, None)
        if handle is None:
            raise StepError(f"{what}: no background op named {name!r}")
        outcome = ctx.finish(handle, timeout_s, what)
        ctx.vars[name] = outcome  # `${NAME.…}` reads a background op's outcome once awaited
        _record(ctx, step, handle, outcome, what)
        return
    if action == "cancel":
        name = str(step["cancel"])
        target = ctx.handles.get(name)
        if target is None:
            raise StepError(f"{what}: no background op named {name!r}")
        handle = ctx.send_to(
            target.driver or ctx.driver,
            {"op": "cancel", "target_id": target.op_id, "args": {"target_id": target.op_id}},
        )
        ctx.finish(handle, timeout_s, what)
        if not target.wait(timeout_s):
            raise StepFailure(f"{what}: op {name!r} still running {timeout_s}s after cancel")
        return

    ctx.ensure_default_client()
    message = _driver_message(ctx, step, action)
    handle = ctx.driver_send(message, step.get("client"))
    if step.get("background"):
        label = step.get("as")
        if not label:
            raise StepError(f"{what}: a background op needs `as: NAME`")
        ctx.handles[str(label)] = handle
        if action == "push_receiver":  # `${NAME.url}` until the op is awaited
            try:
                ctx.vars[str(label)] = receiver_url(handle, what)
            except PushStepFailure as exc:
                raise StepFailure(str(exc)) from exc
        return
    if action == "push_receiver":
        raise StepError(f"{what}: push_receiver runs in the background (`background: true`)")
    _record(ctx, step, handle, ctx.finish(handle, timeout_s, what), what)


def _new_client_step(ctx: ScenarioContext, step: dict[str, Any], what: str) -> None:
    """Without `expect` the client must be created; with one, its outcome is judged
    (e.g. `error: {type: Configuration}` when no key is given, REQ-CLIENT-001)."""
    env = ctx.vars.render(step["env"]) if "env" in step else None
    outcome = ctx.new_client(str(step["new_client"]), ctx.vars.render(step.get("config", {})), env)
    if "expect" not in step:
        if not outcome["ok"]:
            raise StepError(f"{what}: new_client failed: {outcome.get('error')}")
        return
    # The client id ("c2") is the driver's own naming: only success or the error compares.
    judged = {k: v for k, v in outcome.items() if k != "result"}
    if step.get("compare", True):
        ctx.transcript.append(
            {"op": "new_client", "label": "new_client", "outcome": comparable(judged)}
        )
    _expect_outcome(ctx.vars.render(step["expect"]), outcome, what)


def _driver_message(ctx: ScenarioContext, step: dict[str, Any], action: str) -> dict[str, Any]:
    if action == "call":
        return {
            "op": "call",
            "method": str(step["call"]),
            "args": ctx.vars.render(step.get("args", {})),
        }
    params = dict(ctx.vars.render(step[action]))
    if action == "observe":
        params.setdefault("until_terminal", True)
    elif action == "wait_for":
        params.setdefault("timeout_ms", 20000)
    elif action in ("listen", "push_receiver"):
        params.setdefault("max_deliveries", 1)
        params.setdefault("handler", {"action": "complete", "result": {}})
    # driver-protocol.md's op table puts op parameters at the top level, its
    # example under `args`; the harness sends both so a driver may read either.
    return {"op": action, **params, "args": params}


def _record(
    ctx: ScenarioContext, step: dict[str, Any], handle: OpHandle, outcome: dict[str, Any], what: str
) -> None:
    if step.get("as"):
        ctx.vars[str(step["as"])] = outcome
    if step.get("compare", True):
        label = step.get("call") or handle.op
        ctx.transcript.append({"op": handle.op, "label": label, "outcome": comparable(outcome)})
    _expect_outcome(ctx.vars.render(step.get("expect")), outcome, what)


def run_step(ctx: ScenarioContext, index: int, step: dict[str, Any]) -> None:
    action = step_action(step)
    if action in DRIVER_ACTIONS:
        run_driver_step(ctx, index, step, action)
    else:
        run_harness_step(ctx, index, step, action)
