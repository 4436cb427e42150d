"""Every AXP operation as data: HTTP method, path, query, body and result type.

The clients turn each `Call` into a plan (`_transport.json_plan`); nothing here does IO.
Names follow the canonical operation ids of spec/naming.yaml in snake_case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from . import models as m
from ._transport import CallOptions, Plan, RequestSpec, request_plan
from .errors import AxmeError

W = TypeVar("W", bound=m.WireObject)


@dataclass(frozen=True)
class Call(Generic[W]):
    spec: RequestSpec
    parse: Callable[[Any], W]


def call_plan(core: Any, call: Call[W]) -> Plan[W]:
    """Send the call (with retries) and parse the JSON answer into its typed result."""
    response = yield from request_plan(core, call.spec)
    try:
        body = response.json()
        result = call.parse(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise AxmeError(
            f"{call.spec.operation}: unexpected response body from the server ({exc!r})"
        ) from exc
    info = m.ResponseInfo(response.status_code, dict(response.headers), body)
    return result._with_response(info)


def segment(value: str) -> str:
    """One path segment, fully percent-encoded (addresses contain ':' and '/')."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty string path parameter, got {value!r}")
    return quote(value, safe="")


def compact(**fields: Any) -> dict[str, Any]:
    """A JSON body without the fields the caller left out."""
    return {k: v for k, v in fields.items() if v is not None}


def _whole(cls: type[W]) -> Callable[[Any], W]:
    """The response body itself is the result."""
    return cls


def _member(key: str, cls: type[W]) -> Callable[[Any], W]:
    """The result is one resource inside `{"ok": true, key: {...}}`."""

    def parse(body: Any) -> W:
        return cls(body[key])

    return parse


def _get(
    op: str, path: str, parse: Callable[[Any], W], options: CallOptions, **params: Any
) -> Call[W]:
    return Call(RequestSpec(op, "GET", path, params=params, options=options), parse)


def _post(
    op: str, path: str, body: Any, parse: Callable[[Any], W], options: CallOptions
) -> Call[W]:
    return Call(RequestSpec(op, "POST", path, body=body, options=options), parse)


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a JSON object (a dict), got {type(value).__name__}")
    return dict(value)


# --- intents -------------------------------------------------------------------


def get_health(options: CallOptions) -> Call[m.Health]:
    return _get("getHealth", "/health", _whole(m.Health), options)


def create_intent(request: Mapping[str, Any], options: CallOptions) -> Call[m.CreateIntentResult]:
    body = _object(request, "the intent")
    return _post("createIntent", "/v1/intents", body, _whole(m.CreateIntentResult), options)


def get_intent(intent_id: str, options: CallOptions) -> Call[m.Intent]:
    return _get(
        "getIntent", f"/v1/intents/{segment(intent_id)}", _member("intent", m.Intent), options
    )


def list_intents(options: CallOptions, **query: Any) -> Call[m.IntentPage]:
    return _get("listIntents", "/v1/intents", _whole(m.IntentPage), options, **query)


def list_intent_events(intent_id: str, options: CallOptions, **query: Any) -> Call[m.EventPage]:
    return _get(
        "listIntentEvents",
        f"/v1/intents/{segment(intent_id)}/events",
        _whole(m.EventPage),
        options,
        **query,
    )


def resume_intent(
    intent_id: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.WriteResult]:
    return _post(
        "resumeIntent",
        f"/v1/intents/{segment(intent_id)}/resume",
        _object(body, "the resume body"),
        _whole(m.WriteResult),
        options,
    )


#: Top-level members that make the server read a body as a resume form (REQ-RESUME-002).
RESUME_FORM_MEMBERS = ("kind", "action", "task_result", "approve_current_step")


def is_resume_form(result: Any) -> bool:
    return isinstance(result, Mapping) and any(k in result for k in RESUME_FORM_MEMBERS)


def agent_result_body(result: Any, delivery_id: str | None) -> dict[str, Any]:
    """The agent_result complete body; a result that already is a resume form (e.g. the
    legacy `{"action": "fail", ...}`) is sent as given, never wrapped (REQ-RESUME-010)."""
    if is_resume_form(result):
        body = dict(result)
        if delivery_id is not None:
            body.setdefault("delivery_id", delivery_id)
        return body
    return compact(
        kind="agent_result",
        outcome="complete",
        result={} if result is None else result,
        delivery_id=delivery_id,
    )


#: The error code failIntent sends when the caller gives none (as serve does for a handler error).
DEFAULT_ERROR_CODE = "agent_error"


def agent_failure_body(error: Mapping[str, Any] | str, delivery_id: str | None) -> dict[str, Any]:
    if isinstance(error, str):
        error = {"message": error}
    given = _object(error, "error")
    failure = {"code": given.get("code") or DEFAULT_ERROR_CODE}
    failure.update((k, v) for k, v in given.items() if k != "code")
    return compact(kind="agent_result", outcome="fail", error=failure, delivery_id=delivery_id)


def progress_body(details: Mapping[str, Any] | None, delivery_id: str | None) -> dict[str, Any]:
    return compact(kind="progress", details=details, delivery_id=delivery_id)


def resolve_intent(
    intent_id: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.WriteResult]:
    return _post(
        "resolveIntent",
        f"/v1/intents/{segment(intent_id)}/resolve",
        _object(body, "the resolve body"),
        _whole(m.WriteResult),
        options,
    )


def retry_intent(
    intent_id: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.RetryResult]:
    return _post(
        "retryIntent",
        f"/v1/intents/{segment(intent_id)}/retry",
        _object(body, "the retry body"),
        _whole(m.RetryResult),
        options,
    )


def retry_body(reason: str | None, payload_patch: Any, deadline_at: str | None) -> dict[str, Any]:
    return compact(reason=reason, payload_patch=payload_patch, deadline_at=deadline_at)


def ack_intent(intent_id: str, delivery_id: str, options: CallOptions) -> Call[m.AckResult]:
    return _post(
        "ackIntent",
        f"/v1/intents/{segment(intent_id)}/ack",
        {"delivery_id": delivery_id},
        _whole(m.AckResult),
        options,
    )


def list_notifications(intent_id: str, options: CallOptions) -> Call[m.NotificationList]:
    return _get(
        "listNotifications",
        f"/v1/intents/{segment(intent_id)}/notifications",
        _whole(m.NotificationList),
        options,
    )


def get_intent_audit(intent_id: str, options: CallOptions) -> Call[m.AuditTrail]:
    return _get(
        "getIntentAudit", f"/v1/intents/{segment(intent_id)}/audit", _whole(m.AuditTrail), options
    )


# --- agents --------------------------------------------------------------------


def register_agent(body: Mapping[str, Any], options: CallOptions) -> Call[m.AgentWithKey]:
    return _post(
        "registerAgent", "/v1/agents", _object(body, "the agent"), _whole(m.AgentWithKey), options
    )


def list_agents(options: CallOptions, **query: Any) -> Call[m.AgentPage]:
    return _get("listAgents", "/v1/agents", _whole(m.AgentPage), options, **query)


def get_agent(address: str, options: CallOptions) -> Call[m.Agent]:
    return _get("getAgent", f"/v1/agents/{segment(address)}", _member("agent", m.Agent), options)


def create_agent_key(
    address: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.KeyWithSecret]:
    return _post(
        "createAgentKey",
        f"/v1/agents/{segment(address)}/keys",
        dict(body),
        _whole(m.KeyWithSecret),
        options,
    )


def delete_agent(address: str, options: CallOptions) -> Call[m.AgentRemoved]:
    spec = RequestSpec("deleteAgent", "DELETE", f"/v1/agents/{segment(address)}", options=options)
    return Call(spec, _whole(m.AgentRemoved))


def list_agent_keys(address: str, options: CallOptions) -> Call[m.KeyList]:
    return _get("listAgentKeys", f"/v1/agents/{segment(address)}/keys", _whole(m.KeyList), options)


def rotate_callback_secret(
    address: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.CallbackSecretRotated]:
    path = f"/v1/agents/{segment(address)}/callback-secret"
    return _post("rotateCallbackSecret", path, body, _whole(m.CallbackSecretRotated), options)


def poll_agent_deliveries(
    address: str, options: CallOptions, **query: Any
) -> Call[m.DeliveryBatch]:
    return _get(
        "pollAgentDeliveries",
        f"/v1/agents/{segment(address)}/intents",
        _whole(m.DeliveryBatch),
        options,
        **query,
    )


def agent_stream_path(address: str) -> str:
    return f"/v1/agents/{segment(address)}/intents/stream"


def intent_stream_path(intent_id: str) -> str:
    return f"/v1/intents/{segment(intent_id)}/events/stream"


# --- humans ----------------------------------------------------------------------


def list_tasks(options: CallOptions, **query: Any) -> Call[m.TaskPage]:
    return _get("listTasks", "/v1/tasks", _whole(m.TaskPage), options, **query)


def list_my_tasks(options: CallOptions, **query: Any) -> Call[m.TaskPage]:
    return _get("listMyTasks", "/v1/me/tasks", _whole(m.TaskPage), options, **query)


def decide_task(
    intent_id: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.WriteResult]:
    return _post(
        "decideTask",
        f"/v1/tasks/{segment(intent_id)}/decision",
        _object(body, "the decision"),
        _whole(m.WriteResult),
        options,
    )


# --- scenarios and admin -----------------------------------------------------------


def apply_scenario(bundle: Mapping[str, Any], options: CallOptions) -> Call[m.ScenarioApplyResult]:
    return _post(
        "applyScenario",
        "/v1/scenarios/apply",
        _object(bundle, "the scenario bundle"),
        _whole(m.ScenarioApplyResult),
        options,
    )


def validate_scenario(
    bundle: Mapping[str, Any], options: CallOptions
) -> Call[m.ScenarioValidation]:
    return _post(
        "validateScenario",
        "/v1/scenarios/validate",
        _object(bundle, "the scenario bundle"),
        _whole(m.ScenarioValidation),
        options,
    )


def create_key(body: Mapping[str, Any], options: CallOptions) -> Call[m.KeyWithSecret]:
    return _post(
        "createKey",
        "/v1/admin/keys",
        _object(body, "the key request"),
        _whole(m.KeyWithSecret),
        options,
    )


def list_keys(options: CallOptions) -> Call[m.KeyList]:
    return _get("listKeys", "/v1/admin/keys", _whole(m.KeyList), options)


def revoke_key(key_id: str, options: CallOptions) -> Call[m.ApiKey]:
    spec = RequestSpec("revokeKey", "DELETE", f"/v1/admin/keys/{segment(key_id)}", options=options)
    return Call(spec, _member("key", m.ApiKey))


def create_workspace(org: str, name: str, options: CallOptions) -> Call[m.WorkspaceWithKey]:
    body = {"org": org, "name": name}
    return _post(
        "createWorkspace", "/v1/admin/workspaces", body, _whole(m.WorkspaceWithKey), options
    )


def list_workspaces(options: CallOptions) -> Call[m.WorkspaceList]:
    return _get("listWorkspaces", "/v1/admin/workspaces", _whole(m.WorkspaceList), options)


def rotate_webhook_secret(
    body: Mapping[str, Any], options: CallOptions
) -> Call[m.WebhookSecretRotated]:
    path = "/v1/workspace/webhook-secret"
    return _post("rotateWebhookSecret", path, body, _whole(m.WebhookSecretRotated), options)


def rotate_link_secret(body: Mapping[str, Any], options: CallOptions) -> Call[m.LinkSecretRotated]:
    path = "/v1/server/link-secret"
    return _post("rotateLinkSecret", path, body, _whole(m.LinkSecretRotated), options)


# --- bodies of the SDK helpers -------------------------------------------------------


def resolve_body(status: str, result: Any, error: Any, reason: str | None) -> dict[str, Any]:
    return compact(status=status, result=result, error=error, reason=reason)


def decision_body(outcome: str, comment: str | None, data: Any, evidence: Any) -> dict[str, Any]:
    if not outcome:
        raise ValueError("a task decision needs an outcome (e.g. 'approved')")
    return compact(outcome=outcome, comment=comment, data=data, evidence=evidence)


def agent_body(
    address: str,
    display_name: str | None,
    delivery_mode: str | None,
    callback_url: str | None,
    callback_secret: str | None,
) -> dict[str, Any]:
    return compact(
        address=address,
        display_name=display_name,
        delivery_mode=delivery_mode,
        callback_url=callback_url,
        callback_secret=callback_secret,
    )


def key_body(
    kind: str, name: str, agent_address: str | None, human: Any, expires_at: str | None
) -> dict[str, Any]:
    return compact(
        kind=kind, name=name, agent_address=agent_address, human=human, expires_at=expires_at
    )
