"""The harness steps of scenarios: plain HTTP with the namespace's keys, or the
server's test-only endpoints (``http``, ``register_agent``, ``create_intent``,
``take_delivery``, ``ack``, ``resume``, ``resolve``, ``decide``, ``check_intent``,
``advance_clock``, ``fault``, ``clear_faults``, ``wait_until``, ``set``, ``send_push``,
``webhook_receiver``, ``webhooks``).
conformance/README.md documents each one with an example.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

from axme_conformance.matchers import match
from axme_conformance.paths import VECTORS_FILE
from axme_conformance.push_steps import PushStepError, PushStepFailure, send_push
from axme_conformance.step_context import ScenarioContext, StepError, StepFailure, brief
from axme_conformance.traffic import check_traffic
from axme_conformance.webhook_steps import WebhookReceiver, received

# Shared SSE vectors name this intent id; the harness swaps in the real one.
VECTOR_INTENT_ID = "00000000-0000-4000-8000-000000000000"
POLL_INTERVAL_S = 0.05


def encode_address(address: str) -> str:
    return quote(address, safe="")


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
                f"{what}: setup {method} {path} → {response.status_code}: {brief(payload)}"
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
    elif action == "webhook_receiver":
        name = str(step.get("as") or "")
        if not name or name in ctx.receivers:
            raise StepError(f"{what}: a webhook_receiver needs a new `as:` name")
        ctx.receivers[name] = WebhookReceiver()
        result = {"url": ctx.receivers[name].url}
    elif action == "webhooks":
        result = _webhooks(ctx, what, spec, expect, float(step.get("timeout_s", 15)))
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
    """Wait (bounded) for a condition: an intent state, a GET's answer (`http: PATH`),
    recorded requests, or op progress."""
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
        elif "http" in spec:
            last = _http(ctx, what, "GET", spec["http"], key=key)
            if not match(spec.get("matches", {}), last):
                return
        elif "requests" in spec:
            records = ctx.api.requests(ctx.namespace.name)
            assertion = {"filter": spec["requests"], "count": spec.get("count", {"$gte": 1})}
            last = check_traffic(assertion, records)
            if not last:
                return
        else:
            raise StepError(f"{what}: wait_until needs handle, intent_id, http or requests")
        if time.monotonic() >= deadline:
            raise StepFailure(f"{what}: condition not met within {timeout_s}s: {brief(last)}")
        time.sleep(POLL_INTERVAL_S)


def _webhooks(
    ctx: ScenarioContext,
    what: str,
    spec: dict[str, Any],
    expect: dict[str, Any] | None,
    timeout_s: float,
) -> list[dict[str, Any]]:
    """Wait for `count` POSTs to a webhook_receiver; each checked against `secrets`."""
    receiver = ctx.receivers.get(str(spec.get("receiver")))
    if receiver is None:
        raise StepError(f"{what}: no webhook_receiver named {spec.get('receiver')!r}")
    count = int(spec.get("count", 1))
    if not receiver.wait(count, timeout_s):
        got = len(receiver.seen)
        raise StepFailure(f"{what}: {got} webhook(s), wanted {count} within {timeout_s}s")
    result = received(receiver, list(spec.get("secrets", [])))
    problems = match(expect, result, what) if expect is not None else []
    if problems:
        raise StepFailure("; ".join(problems[:6]) + f" — received: {brief(result)}")
    return result
