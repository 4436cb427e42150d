"""Response contract: every JSON body and SSE frame the tests receive is checked
against the operation's response schema in spec/dist/openapi.json.

Installed as an httpx response hook on every test client (helpers.Api), so a
server change that drifts from the spec (a null where the schema says "omit",
an unknown status, a timestamp without milliseconds) fails the test that saw it."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator, FormatChecker

OPENAPI = Path(__file__).resolve().parents[2] / "spec" / "dist" / "openapi.json"
# REQ-API-003: RFC 3339 UTC, exactly three fractional digits, Z
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SSE_SCHEMAS = {"streamIntentEvents": "Event", "streamAgentDeliveries": "Delivery"}

_formats = FormatChecker(formats=())


@_formats.checks("date-time")
def _is_timestamp(value: object) -> bool:
    return not isinstance(value, str) or bool(TIMESTAMP.match(value))


class ContractError(AssertionError):
    pass


SEEN: set[str] = set()  # operationIds whose responses were checked (this process)


@cache
def _doc() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text())


@cache
def _routes() -> list[tuple[re.Pattern[str], str, str, int]]:
    """(path regex, method, operationId, literal length) for every operation."""
    out = []
    for template, item in _doc()["paths"].items():
        parts = re.split(r"(\{[^}]+\})", template)
        regex = "".join(
            ("(.+)" if p == "{address}" else "([^/]+)") if p.startswith("{") else re.escape(p) for p in parts
        )
        literal = sum(len(p) for p in parts if not p.startswith("{"))
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                out.append((re.compile(regex + "$"), method.upper(), op["operationId"], literal))
    return out


def operation_of(method: str, raw_path: str) -> dict[str, Any] | None:
    """The OpenAPI operation object a request hit (the most specific template wins)."""
    best = None
    for regex, m, op_id, literal in _routes():
        if m == method and regex.match(raw_path) and (best is None or literal > best[1]):
            best = (op_id, literal)
    if best is None:
        return None
    for item in _doc()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == best[0]:
                return op
    return None


@cache
def validator(schema_name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": _doc()["components"]}
    return Draft202012Validator(root, format_checker=_formats)


def response_schema(op: dict[str, Any], status: int) -> str:
    """Component schema name the spec gives for `status` of `op` (errors fall back to ErrorEnvelope)."""
    resp = op["responses"].get(str(status))
    if resp is None:
        if status < 400:
            raise ContractError(f"{op['operationId']}: status {status} is not in the spec")
        return "ErrorEnvelope"
    if "$ref" in resp:
        resp = _doc()["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
    ref = resp["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def _deepest(error: Any) -> Any:
    """For anyOf/oneOf failures, the sub-error that got furthest into the body (the readable one)."""
    if not error.context:
        return error
    return max((_deepest(e) for e in error.context), key=lambda e: len(e.absolute_path))


def check_body(schema_name: str, body: Any, where: str) -> None:
    errors = sorted(
        (_deepest(e) for e in validator(schema_name).iter_errors(body)),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        lines = [f"  /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:8]]
        raise ContractError(f"{where}: body does not match {schema_name}:\n" + "\n".join(lines))


def _spec_path(request: httpx.Request) -> str | None:
    path = request.url.raw_path.split(b"?", 1)[0].decode("latin-1")
    return path if path in ("/health", "/health/ready") or path.startswith("/v1/") else None


def check_response(response: httpx.Response) -> None:
    """httpx response hook: validates JSON bodies of spec operations (SSE frames: see check_sse_frame)."""
    path = _spec_path(response.request)
    if path is None or response.request.method == "HEAD":
        return
    where = f"{response.request.method} {path} -> {response.status_code}"
    op = operation_of(response.request.method, path)
    ctype = response.headers.get("content-type", "")
    if op is None:  # unknown route / method: must still be the error envelope
        if response.status_code < 400:
            raise ContractError(f"{where}: answered success on a path the spec does not have")
        response.read()
        check_body("ErrorEnvelope", response.json(), where)
        return
    SEEN.add(op["operationId"])
    if ctype.startswith("text/event-stream"):
        if op["operationId"] not in SSE_SCHEMAS or response.status_code != 200:
            raise ContractError(f"{where}: unexpected event stream")
        return
    if not ctype.startswith("application/json"):
        raise ContractError(f"{where}: content-type {ctype!r} is not application/json")
    response.read()
    body = response.json()
    check_body(response_schema(op, response.status_code), body, where)
    if response.status_code == 403:  # REQ-AUTH-006: details.reason names the missing permission
        reason = (body.get("error") or {}).get("details", {}).get("reason")
        if not isinstance(reason, str) or not reason:
            raise ContractError(f"{where}: a 403 without details.reason: {body.get('error')}")


def check_sse_frame(request: httpx.Request, event: str, data: str) -> None:
    """One SSE frame of a stream operation: intent.* events, deliveries, stream.timeout."""
    path = _spec_path(request)
    op = operation_of(request.method, path) if path else None
    if op is None:
        return
    where = f"SSE {path} event {event}"
    if event == "stream.timeout":
        schema = "StreamTimeout"
    elif event == "stream.intent" and op["operationId"] == "streamIntentEvents":  # REQ-SSE-016
        schema = "StreamIntent"
    elif op["operationId"] == "streamAgentDeliveries" and event != "intent.delivery":
        raise ContractError(f"{where}: unexpected event type on the agent stream")
    else:
        schema = SSE_SCHEMAS[op["operationId"]]
    body = json.loads(data)
    check_body(schema, body, where)
    if schema == "Event" and body["event_type"] != event:
        raise ContractError(f"{where}: frame event name differs from data.event_type {body['event_type']!r}")
