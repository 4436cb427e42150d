"""`call` op: canonical method name + wire args -> the SDK's idiomatic call -> wire result.

The spec's operations are mapped when the driver starts, from spec/naming.yaml, the
spec's parameters and each AsyncAxmeClient method's signature (call_table.py): a new
operation needs no edit here. HAND_WRITTEN holds what those rules cannot read: the
SDK-only helpers of naming.yaml (their arguments and results are not an operation's),
plus resumeIntent and intentHandle below.
"""

from __future__ import annotations

from typing import Any

from call_table import Mapping, build, load_spec

from axme import AsyncAxmeClient


class Unsupported(Exception):
    pass


INTENT = ("intent_id",)

HAND_WRITTEN: dict[str, Mapping] = {
    "sendIntent": Mapping(
        "send_intent", whole_body=True, http="POST", result=lambda v: {"intent_id": v}
    ),
    "submitIntent": Mapping(
        "submit_intent", whole_body=True, http="POST", result=lambda h: {"intent_id": h.intent_id}
    ),
    # the helper itself, whatever the result is (REQ-RESUME-010: a resume form is sent as is)
    "resumeIntentHelper": Mapping(
        "resume_intent", INTENT + ("result",), ("delivery_id",), http="POST"
    ),
    "failIntent": Mapping("fail_intent", INTENT + ("error",), ("delivery_id",), http="POST"),
    "cancelIntent": Mapping("cancel_intent", INTENT, ("reason",), http="POST"),
    "approveTask": Mapping("approve_task", INTENT, ("comment", "data"), http="POST"),
    "rejectTask": Mapping("reject_task", INTENT, ("comment",), http="POST"),
    "completeTask": Mapping("complete_task", INTENT, ("outcome", "data", "comment"), http="POST"),
    "waitFor": Mapping("wait_for", INTENT, ("timeout_ms",), result=lambda v: v.to_dict()),
}

#: Operations call_method maps itself (several SDK calls for one operation).
SPECIAL = frozenset({"resumeIntent", "intentHandle"})

TABLE = build(AsyncAxmeClient, *load_spec(), hand_written=frozenset(HAND_WRITTEN) | SPECIAL)
METHODS: dict[str, Mapping] = {**TABLE.calls, **HAND_WRITTEN}


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
        why = TABLE.not_calls.get(method) or TABLE.problems.get(method) or "no such method"
        raise Unsupported(f"the Python SDK's driver cannot call {method!r}: {why}")
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
