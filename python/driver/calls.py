"""`call` op: canonical method name + wire args -> the SDK's idiomatic call -> wire result.

Each entry names the path parameters and the arguments the Python method has; any
other wire member travels through the SDK's `extra_body` (POST) / `extra_query` (GET)
escape hatch, so the server sees exactly what the harness sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axme import AsyncAxmeClient


class Unsupported(Exception):
    pass


@dataclass(frozen=True)
class Mapping:
    sdk_method: str
    positional: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    http: str = "GET"
    #: the whole args object is the first argument after the path params (a body)
    whole_body: bool = False
    #: turn the SDK's return value into the wire result (default: its response body)
    result: Callable[[Any], dict[str, Any]] | None = None


INTENT = ("intent_id",)
ADDRESS = ("address",)

METHODS: dict[str, Mapping] = {
    "getHealth": Mapping("get_health"),
    "createIntent": Mapping("create_intent", whole_body=True, http="POST"),
    "sendIntent": Mapping(
        "send_intent", whole_body=True, http="POST", result=lambda v: {"intent_id": v}
    ),
    "getIntent": Mapping("get_intent", INTENT),
    "listIntents": Mapping(
        "list_intents", keywords=("status", "to_agent", "from_agent", "limit", "cursor")
    ),
    "listIntentEvents": Mapping("list_intent_events", INTENT, ("since", "limit")),
    # resumeIntent: see resume_call (the helper for a plain agent result, else the raw form)
    "resolveIntent": Mapping(
        "resolve_intent", INTENT + ("status",), ("result", "error", "reason"), http="POST"
    ),
    "retryIntent": Mapping(
        "retry_intent", INTENT, ("reason", "payload_patch", "deadline_at"), http="POST"
    ),
    "ackIntent": Mapping("ack_intent", INTENT + ("delivery_id",), http="POST"),
    "getIntentAudit": Mapping("get_intent_audit", INTENT),
    "registerAgent": Mapping(
        "register_agent",
        ADDRESS,
        ("display_name", "delivery_mode", "callback_url", "callback_secret"),
        http="POST",
    ),
    "listAgents": Mapping("list_agents", keywords=("limit", "cursor")),
    "getAgent": Mapping("get_agent", ADDRESS),
    "createAgentKey": Mapping("create_agent_key", ADDRESS, ("name", "expires_at"), http="POST"),
    "pollAgentDeliveries": Mapping(
        "poll_agent_deliveries", ADDRESS, ("status", "wait_seconds", "limit")
    ),
    "listTasks": Mapping("list_tasks", keywords=("status", "assignee", "limit", "cursor")),
    "listMyTasks": Mapping("list_my_tasks", keywords=("limit", "cursor")),
    "deleteAgent": Mapping("delete_agent", ADDRESS, http="DELETE"),
    "listAgentKeys": Mapping("list_agent_keys", ADDRESS),
    "decideTask": Mapping(
        "decide_task", INTENT + ("outcome",), ("comment", "data", "evidence"), http="POST"
    ),
    "applyScenario": Mapping("apply_scenario", whole_body=True, http="POST"),
    "validateScenario": Mapping("validate_scenario", whole_body=True, http="POST"),
    "createKey": Mapping(
        "create_key", ("kind", "name"), ("agent_address", "human", "expires_at"), http="POST"
    ),
    "listKeys": Mapping("list_keys"),
    "revokeKey": Mapping("revoke_key", ("key_id",), http="DELETE"),
    # the helper itself, whatever the result is (REQ-RESUME-010: a resume form is sent as is)
    "resumeIntentHelper": Mapping(
        "resume_intent", INTENT + ("result",), ("delivery_id",), http="POST"
    ),
    "submitIntent": Mapping(
        "submit_intent", whole_body=True, http="POST", result=lambda h: {"intent_id": h.intent_id}
    ),
    "failIntent": Mapping("fail_intent", INTENT + ("error",), ("delivery_id",), http="POST"),
    "cancelIntent": Mapping("cancel_intent", INTENT, ("reason",), http="POST"),
    "approveTask": Mapping("approve_task", INTENT, ("comment", "data"), http="POST"),
    "rejectTask": Mapping("reject_task", INTENT, ("comment",), http="POST"),
    "completeTask": Mapping("complete_task", INTENT, ("outcome", "data", "comment"), http="POST"),
    "waitFor": Mapping("wait_for", INTENT, ("timeout_ms",), result=lambda v: v.to_dict()),
}


#: The wire members of the body `resume_intent(id, result, delivery_id=…)` sends.
HELPER_RESUME_KEYS = {"kind", "outcome", "result", "delivery_id"}


def resume_call(args: dict[str, Any]) -> tuple[str, list[Any], dict[str, Any]]:
    """A plain agent result goes through `resume_intent`; any other body (progress,
    task_result, control, legacy or invalid forms) through `resume_intent_with`, as is."""
    body = dict(args)
    intent_id = body.pop("intent_id")
    helper_shaped = (
        body.keys() <= HELPER_RESUME_KEYS
        and body.get("kind") == "agent_result"
        and body.get("outcome") == "complete"
        and isinstance(body.get("result"), dict)
    )
    if helper_shaped:
        keywords = {"delivery_id": body["delivery_id"]} if "delivery_id" in body else {}
        return "resume_intent", [intent_id, body["result"]], keywords
    return "resume_intent_with", [intent_id, body], {}


async def call_method(client: AsyncAxmeClient, method: str, args: dict[str, Any]) -> dict[str, Any]:
    if method == "resumeIntent":
        if "intent_id" not in args:
            raise ValueError("resumeIntent: missing argument 'intent_id'")
        name, positional, keywords = resume_call(args)
        written = await getattr(client, name)(*positional, **keywords)
        return dict(written.response.body)
    if method == "intentHandle":
        return await handle_call(client, args)
    spec = METHODS.get(method)
    if spec is None:
        raise Unsupported(f"the Python SDK has no method for {method!r}")
    args = dict(args)
    positional = []
    for name in spec.positional:
        if name not in args:
            raise ValueError(f"{method}: missing argument {name!r}")
        positional.append(args.pop(name))
    keywords = {k: args.pop(k) for k in spec.keywords if k in args}
    if "timeout_ms" in keywords:
        ms = keywords.pop("timeout_ms")
        keywords["timeout"] = None if ms is None else ms / 1000
    if spec.whole_body:
        positional.append(args)
    elif args:
        keywords["extra_body" if spec.http == "POST" else "extra_query"] = args
    value = await getattr(client, spec.sdk_method)(*positional, **keywords)
    if spec.result is not None:
        return spec.result(value)
    body: dict[str, Any] = value.response.body
    return body


async def handle_call(client: AsyncAxmeClient, args: dict[str, Any]) -> dict[str, Any]:
    """`intentHandle`: client.intent(intent_id).<action>(…) — complete, fail or cancel."""
    handle = client.intent(args["intent_id"])
    action = args.get("action")
    if action == "complete":
        written = await (handle.complete(args["result"]) if "result" in args else handle.complete())
    elif action == "fail":
        written = await handle.fail(args["error"])
    elif action == "cancel":
        written = await handle.cancel(reason=args.get("reason"))
    else:
        raise ValueError(f"intentHandle: unknown action {action!r}")
    return dict(written.response.body)
