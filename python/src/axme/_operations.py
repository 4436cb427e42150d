"""How an operation is written as data: a `Call` (HTTP method, path, query, body and how
the answer becomes its typed result) and the plan that sends it; nothing here does IO.

Each client method builds its `Call` in place, with `get` / `post` / `delete` below
(`_async/`, from which `_sync/` is generated). The few calls the SDK's own loops also
send (`_observe`, `_listen`, `_agent`) and the bodies they share are defined here once.
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


def member(key: str, cls: type[W]) -> Callable[[Any], W]:
    """The result is one resource inside `{"ok": true, key: {...}}`."""

    def parse(body: Any) -> W:
        return cls(body[key])

    return parse


def get(
    op: str, path: str, parse: Callable[[Any], W], options: CallOptions, **params: Any
) -> Call[W]:
    """A GET of `path` (`params` is its query; None values are left out); `parse` turns the
    answer into the result: a model class when the whole body is the result, or `member`."""
    return Call(RequestSpec(op, "GET", path, params=params, options=options), parse)


def post(op: str, path: str, body: Any, parse: Callable[[Any], W], options: CallOptions) -> Call[W]:
    return Call(RequestSpec(op, "POST", path, body=body, options=options), parse)


def delete(op: str, path: str, parse: Callable[[Any], W], options: CallOptions) -> Call[W]:
    return Call(RequestSpec(op, "DELETE", path, options=options), parse)


def json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a JSON object (a dict), got {type(value).__name__}")
    return dict(value)


# --- the calls the SDK's own loops send too (observe, wait_for, listen, serve) ----------


def get_intent(intent_id: str, options: CallOptions) -> Call[m.Intent]:
    path = f"/v1/intents/{segment(intent_id)}"
    return get("getIntent", path, member("intent", m.Intent), options)


def list_intent_events(intent_id: str, options: CallOptions, **query: Any) -> Call[m.EventPage]:
    path = f"/v1/intents/{segment(intent_id)}/events"
    return get("listIntentEvents", path, m.EventPage, options, **query)


def resume_intent(
    intent_id: str, body: Mapping[str, Any], options: CallOptions
) -> Call[m.WriteResult]:
    path = f"/v1/intents/{segment(intent_id)}/resume"
    return post("resumeIntent", path, json_object(body, "the resume body"), m.WriteResult, options)


def ack_intent(intent_id: str, delivery_id: str, options: CallOptions) -> Call[m.AckResult]:
    path = f"/v1/intents/{segment(intent_id)}/ack"
    return post("ackIntent", path, {"delivery_id": delivery_id}, m.AckResult, options)


def agent_stream_path(address: str) -> str:
    return f"/v1/agents/{segment(address)}/intents/stream"


def intent_stream_path(intent_id: str) -> str:
    return f"/v1/intents/{segment(intent_id)}/events/stream"


# --- resume bodies (the clients' helpers and serve() send the same) ---------------------


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


#: The error code resolveIntent's FAILED sends when the initiator gives none (its own default).
DEFAULT_FAILURE_CODE = "failed"


def initiator_failure(error: Mapping[str, Any] | str) -> dict[str, Any]:
    """An intent handle's `fail` error: {code, message, details?}; a plain string is the
    message, a missing code `failed` (REQ-RESOLVE-002)."""
    given: dict[str, Any] = {"message": error} if isinstance(error, str) else dict(error)
    return {**given, "code": given.get("code") or DEFAULT_FAILURE_CODE}


#: The error code failIntent sends when the caller gives none (as serve does for a handler error).
DEFAULT_ERROR_CODE = "agent_error"


def agent_failure_body(error: Mapping[str, Any] | str, delivery_id: str | None) -> dict[str, Any]:
    if isinstance(error, str):
        error = {"message": error}
    given = json_object(error, "error")
    failure = {"code": given.get("code") or DEFAULT_ERROR_CODE}
    failure.update((k, v) for k, v in given.items() if k != "code")
    return compact(kind="agent_result", outcome="fail", error=failure, delivery_id=delivery_id)


def progress_body(details: Mapping[str, Any] | None, delivery_id: str | None) -> dict[str, Any]:
    return compact(kind="progress", details=details, delivery_id=delivery_id)
