"""Test-only machinery for `--testing` (REQ-TEST-001..007, docs/conformance-design.md):
namespaces (a fresh workspace each), fault scripts, request recording, and the
controllable clock. None of it exists when the flag is off."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TYPE_CHECKING, Any

from axme_server.errors import ApiError, validation
from axme_server.jsonutil import iso, loads

if TYPE_CHECKING:
    from axme_server.service import Engine

FAULT_TYPES = ("status", "delay", "drop_stream", "raw_sse")
MAX_RECORDS = 10000


def redact(headers: dict[str, str]) -> dict[str, str]:
    out = dict(headers)
    key = out.get("x-api-key")
    if key:
        out["x-api-key"] = _prefix(key)
    auth = out.get("authorization")
    if auth and auth[:7].lower() == "bearer ":
        out["authorization"] = auth[:7] + _prefix(auth[7:])
    return out


def _prefix(key: str) -> str:
    m = re.match(r"^(axme_(?:admin|agent|human)_)", key)
    return m.group(1) if m else "[redacted]"


class Testing:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.namespaces: dict[str, str] = {}  # workspace_id -> namespace name
        self.by_name: dict[str, str] = {}  # namespace -> workspace_id
        self.faults: dict[str, list[dict[str, Any]]] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}

    async def create_namespace(self) -> dict[str, Any]:
        name = f"ns_{secrets.token_hex(6)}"
        ws, admin_key = await self.engine.directory.create_workspace(name, "default")
        self.namespaces[ws["workspace_id"]] = name
        self.by_name[name] = ws["workspace_id"]
        self.faults[name] = []
        self.records[name] = []
        return {"ok": True, "namespace": name, "admin_api_key": admin_key, "workspace_id": ws["workspace_id"]}

    def namespace_of(self, workspace_id: str | None) -> str | None:
        return self.namespaces.get(workspace_id) if workspace_id else None

    def _known(self, namespace: Any) -> str:
        if not isinstance(namespace, str) or namespace not in self.by_name:
            raise ApiError("not_found", f"unknown namespace {namespace!r}", {"field": "namespace"})
        return namespace

    def add_fault(self, body: dict[str, Any]) -> dict[str, Any]:
        ns = self._known(body.get("namespace"))
        match = body.get("match") or {}
        action = body.get("action")
        if not isinstance(match, dict):
            raise validation("match must be an object", "match")
        if not isinstance(action, dict) or action.get("type") not in FAULT_TYPES:
            raise validation(f"action.type must be one of {', '.join(FAULT_TYPES)}", "action.type")
        regex = None
        if match.get("path") is not None:
            try:
                regex = re.compile(match["path"])
            except (re.error, TypeError) as exc:
                raise validation(f"match.path is not a valid regex: {exc}", "match.path") from None
        if action["type"] == "status" and not isinstance(action.get("status"), int):
            raise validation("a status fault needs an integer status", "action.status")
        times = action.get("times", 1)
        if not isinstance(times, int) or times < 1:
            raise validation("action.times must be a positive integer", "action.times")
        fault = {
            "fault_id": f"f_{secrets.token_hex(6)}",
            "method": (match.get("method") or "").upper() or None,
            "path": regex,
            "op": match.get("op"),
            "action": action,
            "remaining": times,
        }
        self.faults[ns].append(fault)
        return {"ok": True, "fault_id": fault["fault_id"]}

    def clear_faults(self, namespace: Any) -> dict[str, Any]:
        ns = self._known(namespace)
        self.faults[ns] = []
        return {"ok": True}

    def take_fault(self, namespace: str, method: str, raw_path: str, op: str | None) -> dict[str, Any] | None:
        for fault in self.faults.get(namespace, ()):
            if fault["remaining"] <= 0:
                continue
            if fault["method"] and fault["method"] != method:
                continue
            if fault["op"] and fault["op"] != op:
                continue
            if fault["path"] is not None and not fault["path"].search(raw_path):
                continue
            fault["remaining"] -= 1
            return dict(fault["action"], fault_id=fault["fault_id"])
        return None

    def record(self, namespace: str, req: Any, status: int, fault_applied: str | None) -> None:
        records = self.records.setdefault(namespace, [])
        body: Any = None
        if req.body:
            try:
                body = loads(req.body)
            except ValueError:
                body = None
        records.append(
            {
                "seq": len(records) + 1,
                "at": iso(self.engine.clock.now()),
                "method": req.method,
                "path": req.raw_path,
                "query": req.scope.get("query_string", b"").decode("latin-1"),
                "headers": redact(req.headers),
                "body": body,
                "body_sha256": hashlib.sha256(req.body).hexdigest(),
                "status": status,
                "op": req.op,
                "fault_applied": fault_applied,
                "request_id": req.request_id,
            }
        )
        if len(records) > MAX_RECORDS:
            del records[: len(records) - MAX_RECORDS]

    def requests(self, namespace: Any) -> dict[str, Any]:
        return {"ok": True, "requests": self.records[self._known(namespace)]}
