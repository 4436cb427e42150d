"""The step vocabulary of scenarios, executed against one SDK's driver.

Driver steps (run through the SDK): ``new_client``, ``call``, ``observe``,
``wait_for``, ``listen``, ``cancel``, ``await``.
Harness steps (plain HTTP with the namespace's keys, or test-only endpoints):
``http``, ``register_agent``, ``create_intent``, ``take_delivery``, ``ack``,
``resume``, ``resolve``, ``decide``, ``check_intent``, ``advance_clock``,
``fault``, ``clear_faults``, ``wait_until``, ``set``.
conformance/README.md documents each one with an example.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from axme_conformance.driver import DriverError, DriverProcess, OpHandle
from axme_conformance.matchers import match
from axme_conformance.paths import VECTORS_FILE
from axme_conformance.push_steps import PushStepError, PushStepFailure, receiver_url, send_push
from axme_conformance.templating import Variables
from axme_conformance.testing_api import Namespace, TestingApi
from axme_conformance.traffic import check_traffic

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

# Shared SSE vectors name this intent id; the harness swaps in the real one.
VECTOR_INTENT_ID = "00000000-0000-4000-8000-000000000000"
DEFAULT_CLIENT_CONFIG = {"max_retries": 2, "retry_base_ms": 20, "timeout_ms": 10000}
POLL_INTERVAL_S = 0.05


class StepFailure(Exception):
    """The SDK did not do what the scenario expects (FAIL)."""


class StepError(Exception):
    """The scenario could not be judged: driver or server trouble (ERROR)."""


def step_action(step: dict[str, Any]) -> str:
    found = [k for k in step if k in ACTIONS]
    if len(found) != 1:
        raise StepError(f"a step needs exactly one action of {ACTIONS}, got {sorted(step)}")
    return found[0]


def encode_address(address: str) -> str:
    return quote(address, safe="")


@dataclass
class ScenarioContext:
    sdk: str
    driver: DriverProcess
    api: TestingApi
    base_url: str
    namespace: Namespace
    vars: Variables
    client_defaults: dict[str, Any]
    op_timeout_s: float = 30.0
    # name → (the driver process it lives in, the driver's client id)
    clients: dict[str, tuple[DriverProcess, str]] = field(default_factory=dict)
    handles: dict[str, OpHandle] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    # Extra driver processes started with `new_client.env` (one per distinct env).
    env_drivers: dict[tuple[tuple[str, str], ...], DriverProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.driver.stderr is not None:
            self.driver.stderr.new_window()  # expect.driver_log reads this scenario's output

    # -- driver steps ------------------------------------------------------
    def driver_send(self, message: dict[str, Any], client: str | None) -> OpHandle:
        driver = self.driver
        if client is not None:
            if client not in self.clients:
                raise StepError(f"unknown client {client!r}")
            driver, message["client"] = self.clients[client]
        elif self.clients and message["op"] != "new_client":
            driver, message["client"] = self.clients["default"]
        return self.send_to(driver, message)

    def send_to(self, driver: DriverProcess, message: dict[str, Any]) -> OpHandle:
        try:
            return driver.send(message)
        except DriverError as exc:
            raise StepError(str(exc)) from exc

    def finish(self, handle: OpHandle, timeout_s: float, what: str) -> dict[str, Any]:
        if not handle.wait(timeout_s):
            raise StepError(f"{what}: no answer from the {self.sdk} driver within {timeout_s}s")
        if handle.final_kind == "exited":
            raise StepError(f"{what}: the {self.sdk} driver exited")
        return handle.outcome()

    def new_client(
        self, name: str, config: dict[str, Any], env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Create a client; `env` runs it in a driver process started with those
        environment variables (Java cannot change its own environment)."""
        merged = {**DEFAULT_CLIENT_CONFIG, **self.client_defaults, **config}
        api_key = merged.pop("key", self.namespace.admin_api_key)
        merged = {"base_url": self.base_url, "api_key": api_key, **merged}
        # null = leave the member out, so the SDK applies its own default (REQ-CLIENT-001).
        merged = {k: v for k, v in merged.items() if v is not None}
        driver = self.driver if env is None else self.env_driver(env)
        handle = self.send_to(driver, {"op": "new_client", "config": merged})
        outcome = self.finish(handle, self.op_timeout_s, "new_client")
        if outcome["ok"]:
            self.clients[name] = (driver, str(outcome["result"].get("client", "")))
        return outcome

    def env_driver(self, env: dict[str, Any]) -> DriverProcess:
        if not all(isinstance(v, str) for v in env.values()):
            raise StepError(f"new_client.env values must be strings: {env}")
        key = tuple(sorted(env.items()))
        if key not in self.env_drivers:
            try:
                self.env_drivers[key] = self.driver.sibling(dict(key))
            except (DriverError, OSError) as exc:
                raise StepError(f"cannot start a driver with env {sorted(env)}: {exc}") from exc
        return self.env_drivers[key]

    def drivers(self) -> list[DriverProcess]:
        return [self.driver, *self.env_drivers.values()]

    def driver_log(self) -> str:
        """What the scenario's driver processes wrote on stderr while it ran."""
        return "".join(d.stderr.window() for d in self.drivers() if d.stderr is not None)

    def stop_env_drivers(self) -> list[str]:
        """Stop the extra drivers; returns their protocol violations."""
        violations = []
        for driver in self.env_drivers.values():
            violations += driver.take_violations()
            driver.stop()
        return violations

    def ensure_default_client(self) -> None:
        if "default" not in self.clients:
            outcome = self.new_client("default", {})
            if not outcome["ok"]:
                raise StepError(f"new_client failed: {outcome.get('error')}")


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
        raise StepFailure("; ".join(problems[:6]) + f" — outcome: {_brief(outcome)}")


def _brief(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


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


# -- harness steps -----------------------------------------------------------


def _http(
    ctx: ScenarioContext,
    what: str,
    method: str,
    path: str,
    *,
    key: str | None,
    body: Any = None,
    query: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    raw_body: str | None = None,
    expect: dict[str, Any] | None = None,
) -> Any:
    response = ctx.api.call(
        method, path, key=key, body=body, query=query, headers=headers, raw_body=raw_body
    )
    try:
        payload: Any = response.json()
    except ValueError:
        payload = response.text
    if expect is None:
        if response.status_code >= 300:
            raise StepError(
                f"{what}: setup {method} {path} → {response.status_code}: {_brief(payload)}"
            )
        return payload
    actual = {
        "status": response.status_code,
        "body": payload,
        "headers": {k.lower(): v for k, v in response.headers.items()},
    }
    problems = match(expect, actual, what)
    if problems:
        raise StepFailure("; ".join(problems[:6]))
    return payload


def run_harness_step(ctx: ScenarioContext, index: int, step: dict[str, Any], action: str) -> None:
    what = f"step {index + 1} ({action})"
    spec = ctx.vars.render(step[action])
    expect = ctx.vars.render(step.get("expect")) if "expect" in step else None
    key = ctx.vars.render(step.get("key")) if "key" in step else ctx.namespace.admin_api_key
    if isinstance(spec, dict) and "key" in spec:
        key = spec.pop("key")
    result: Any = None
    if action == "http":
        result = _http(
            ctx,
            what,
            spec["method"],
            spec["path"],
            key=spec.get("key", key),
            body=spec.get("body"),
            query=spec.get("query"),
            headers=spec.get("headers"),
            raw_body=spec.get("raw_body"),
            expect=expect,
        )
    elif action == "register_agent":
        body = spec if isinstance(spec, dict) else {"address": spec}
        result = _http(ctx, what, "POST", "/v1/agents", key=key, body=body, expect=expect)
    elif action == "create_intent":
        result = _http(ctx, what, "POST", "/v1/intents", key=key, body=spec, expect=expect)
    elif action == "take_delivery":
        result = _take_delivery(ctx, what, spec, key, float(step.get("timeout_s", 10)))
    elif action in ("ack", "resume", "resolve"):
        intent_id = spec.pop("intent_id")
        path = f"/v1/intents/{intent_id}/{action}"
        result = _http(ctx, what, "POST", path, key=key, body=spec, expect=expect)
    elif action == "decide":
        intent_id = spec.pop("intent_id")
        path = f"/v1/tasks/{intent_id}/decision"
        result = _http(ctx, what, "POST", path, key=key, body=spec, expect=expect)
    elif action == "check_intent":
        body = _http(ctx, what, "GET", f"/v1/intents/{spec['intent_id']}", key=key)
        result = body.get("intent")
        problems = match(spec.get("matches", {}), result, what)
        if problems:
            raise StepFailure("; ".join(problems[:6]))
    elif action == "advance_clock":
        ctx.api.advance_clock(float(spec))
    elif action == "fault":
        ctx.api.add_fault(ctx.namespace.name, spec.get("match", {}), _fault_action(spec))
    elif action == "clear_faults":
        ctx.api.clear_faults(ctx.namespace.name)
    elif action == "wait_until":
        _wait_until(ctx, what, spec, key, float(step.get("timeout_s", 15)))
    elif action == "send_push":
        try:
            result = send_push(what, spec, expect)
        except PushStepFailure as exc:
            raise StepFailure(str(exc)) from exc
        except PushStepError as exc:
            raise StepError(str(exc)) from exc
    elif action == "set":
        for name, value in spec.items():
            ctx.vars[name] = value
    if step.get("as") and action != "set":
        ctx.vars[str(step["as"])] = result


def _fault_action(spec: dict[str, Any]) -> dict[str, Any]:
    action = dict(spec["action"])
    vector_name = action.pop("vector", None)
    if vector_name is not None:
        vectors = json.loads(VECTORS_FILE.read_text())["vectors"]
        found = [v for v in vectors if v["name"] == vector_name]
        if not found:
            raise StepError(f"no SSE vector named {vector_name!r} in {VECTORS_FILE.name}")
        frames = found[0]["input"]
        intent_id = action.pop("intent_id", None)
        if intent_id:
            frames = frames.replace(VECTOR_INTENT_ID, intent_id)
        action["frames"] = frames
    return action


def _take_delivery(
    ctx: ScenarioContext, what: str, spec: dict[str, Any], key: str | None, timeout_s: float
) -> dict[str, Any]:
    """Act as an agent: long-poll until a delivery (optionally for one intent) arrives."""
    address = encode_address(spec["address"])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = _http(
            ctx,
            what,
            "GET",
            f"/v1/agents/{address}/intents",
            key=key,
            query={"status": "pending", "wait_seconds": 1},
        )
        for delivery in body.get("deliveries", []):
            if spec.get("intent_id") in (None, delivery.get("intent_id")):
                return dict(delivery)
    raise StepError(f"{what}: no delivery for {spec['address']} within {timeout_s}s")


def _wait_until(
    ctx: ScenarioContext, what: str, spec: dict[str, Any], key: str | None, timeout_s: float
) -> None:
    """Wait (bounded) for a condition: an intent state, recorded requests, or op progress."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while True:
        if "handle" in spec:
            handle = ctx.handles.get(spec["handle"])
            if handle is None:
                raise StepError(f"{what}: no background op named {spec['handle']!r}")
            kind = "event" if "events" in spec else "delivery"
            wanted = int(spec.get("events", spec.get("deliveries", 1)))
            if handle.wait_items(kind, wanted, max(0.0, deadline - time.monotonic())):
                return
            raise StepFailure(
                f"{what}: op {spec['handle']!r} produced {handle.count(kind)} {kind}(s), "
                f"wanted {wanted} within {timeout_s}s (final: {handle.final})"
            )
        if "intent_id" in spec:
            body = _http(ctx, what, "GET", f"/v1/intents/{spec['intent_id']}", key=key)
            last = body.get("intent")
            if not match(spec.get("matches", {}), last):
                return
        elif "requests" in spec:
            records = ctx.api.requests(ctx.namespace.name)
            assertion = {"filter": spec["requests"], "count": spec.get("count", {"$gte": 1})}
            last = check_traffic(assertion, records)
            if not last:
                return
        else:
            raise StepError(f"{what}: wait_until needs handle, intent_id or requests")
        if time.monotonic() >= deadline:
            raise StepFailure(f"{what}: condition not met within {timeout_s}s: {_brief(last)}")
        time.sleep(POLL_INTERVAL_S)


def run_step(ctx: ScenarioContext, index: int, step: dict[str, Any]) -> None:
    action = step_action(step)
    if action in DRIVER_ACTIONS:
        run_driver_step(ctx, index, step, action)
    else:
        run_harness_step(ctx, index, step, action)
