"""Request validation against the normative spec (spec/dist/openapi.json).

The document is loaded at start from the repository (or AXME_SPEC_DIR); each
operation's request schema becomes one compiled validator. Failures turn into
422 validation_error with details.field (dotted) and details.errors
[{path (JSON Pointer), code (the JSON Schema keyword, or unknown_field), message}]."""

from __future__ import annotations

import json
import logging
import math
import os
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from axme_server.errors import ApiError
from axme_server.fastcheck import Check, compile_schema
from axme_server.jsonutil import is_rfc3339

log = logging.getLogger("axme_server.spec")

# `format: date-time` is asserted (strict RFC 3339, years 0001-9999: REQ-LIMIT-009); other formats annotate
FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time")(lambda v: not isinstance(v, str) or is_rfc3339(v))

# operationId -> component schema of its request body
REQUEST_SCHEMAS = {
    "createIntent": "CreateIntentRequest",
    "resolveIntent": "ResolveIntentRequest",
    "ackIntent": "AckIntentRequest",
    "registerAgent": "RegisterAgentRequest",
    "createAgentKey": "CreateAgentKeyRequest",
    "decideTask": "TaskDecision",
    "applyScenario": "ScenarioBundle",
    "createKey": "CreateKeyRequest",
}


RESUME_SCHEMAS = {
    "agent_result": "AgentResultResume",
    "task_result": "TaskResultResume",
    "progress": "ProgressResume",
    "control": "ControlResume",
}


def find_openapi() -> Path | None:
    env = os.environ.get("AXME_SPEC_DIR")
    candidates = [Path(env) / "dist" / "openapi.json"] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "spec" / "dist" / "openapi.json" for p in here.parents]
    for c in candidates:
        if c.is_file():
            return c
    return None


_REF_PREFIX = "#/components/schemas/"
_DOC_KEYS = frozenset({"description", "title", "examples", "example"})


def _inline(node: Any, schemas: dict[str, Any], trail: tuple[str, ...]) -> Any:
    """Copy of `node` with component $refs replaced by their targets (recursion keeps the $ref)."""
    if isinstance(node, list):
        return [_inline(x, schemas, trail) for x in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        name = ref[len(_REF_PREFIX) :]
        if name in trail or name not in schemas:
            raise ValueError(f"cannot inline recursive or unknown schema {name}")
        target = _inline(schemas[name], schemas, trail + (name,))
        rest = {k: _inline(v, schemas, trail) for k, v in node.items() if k != "$ref" and k not in _DOC_KEYS}
        return {"allOf": [target, rest]} if rest else target
    out = {}
    for k, v in node.items():
        if k in _DOC_KEYS and not isinstance(v, dict):
            continue
        out[k] = v if k in ("enum", "const", "default", "required") else _inline(v, schemas, trail)
    return out


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _dotted(pointer: str) -> str:
    out = ""
    for part in pointer.split("/")[1:]:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "$"


def problems_of(validator: Draft202012Validator, instance: Any, prefix: str = "") -> list[dict[str, str]]:
    found = []
    for e in validator.iter_errors(instance):
        base = prefix + _pointer(e.absolute_path)
        if e.validator == "additionalProperties" and isinstance(e.instance, dict):
            declared = set((e.schema or {}).get("properties", {}))
            for name in sorted(k for k in e.instance if k not in declared):
                found.append(
                    {"path": f"{base}/{name}", "code": "unknown_field", "message": f"unknown field {name!r}"}
                )
        elif e.validator == "required" and isinstance(e.instance, dict):
            for name in e.validator_value:
                if name not in e.instance:
                    found.append(
                        {
                            "path": f"{base}/{name}",
                            "code": "required",
                            "message": f"{_dotted(base + '/' + name)} is required",
                        }
                    )
        else:
            found.append({"path": base, "code": str(e.validator), "message": f"{_dotted(base)}: {e.message}"})
    found.sort(key=lambda p: p["path"])
    return found


class SpecValidator:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.validators: dict[str, Draft202012Validator] = {}
        self.fast: dict[str, Check] = {}  # compiled predicates (fastcheck.py); jsonschema explains failures
        self.components: dict[str, Any] = {}
        self.query: dict[str, dict[str, dict[str, Any]]] = {}  # operationId -> query parameter -> schema
        if path is None:
            log.warning("spec/dist/openapi.json not found: request bodies get the built-in checks only")
            return
        doc = json.loads(path.read_text())
        self.components = doc.get("components", {})
        self.query = _query_parameters(doc)
        for op, name in REQUEST_SCHEMAS.items():
            if name in self.components.get("schemas", {}):
                self.validators[op] = self.validator_for(name)
        for kind, name in RESUME_SCHEMAS.items():  # the tagged resume forms, checked per kind
            if name in self.components.get("schemas", {}):
                self.validators[f"resumeIntent:{kind}"] = self.validator_for(name)
        for op, validator in self.validators.items():
            fast = compile_schema(validator.schema)
            if fast is not None:
                self.fast[op] = fast

    def validator_for(self, name: str) -> Draft202012Validator:
        # $refs are inlined once: resolving them per request costs most of the validation time
        schemas = self.components.get("schemas", {})
        return Draft202012Validator(_inline(schemas[name], schemas, ()), format_checker=FORMATS)

    def check_query(self, op: str | None, query: dict[str, str]) -> None:
        """Each declared query parameter present against its schema (422 validation_error naming it)."""
        declared = self.query.get(op or "")
        if not declared or not query:
            return
        for name, raw in query.items():
            schema = declared.get(name)
            if schema is not None:  # "" too: it is no integer, and matches no pattern
                problem = _query_problem(raw, schema)
                if problem:
                    raise ApiError(
                        "validation_error",
                        f"query parameter {name} {problem}",
                        {
                            "field": name,
                            "errors": [{"path": f"/{name}", "code": "query", "message": problem}],
                        },
                    )

    def check(self, op: str | None, body: Any) -> None:
        fast = self.fast.get(op or "")
        if fast is not None and fast(body):
            return
        validator = self.validators.get(op or "")
        if validator is None:
            return
        errors = problems_of(validator, body)
        if not errors:
            if fast is not None:
                log.error("fastcheck rejected a body jsonschema accepts (%s); please report", op)
            return
        first = errors[0]
        raise ApiError(
            "validation_error", first["message"], {"field": _dotted(first["path"]), "errors": errors}
        )


def _query_parameters(doc: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    shared = doc.get("components", {}).get("parameters", {})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            params = {}
            for p in operation.get("parameters", []):
                if "$ref" in p:
                    p = shared.get(p["$ref"].rsplit("/", 1)[-1], {})
                if p.get("in") == "query":
                    schema = p.get("schema", {})
                    while "$ref" in schema:  # a component schema such as AgentRef or IntentStatus
                        schema = (
                            doc.get("components", {})
                            .get("schemas", {})
                            .get(schema["$ref"].rsplit("/", 1)[-1], {})
                        )
                    params[p["name"]] = schema
            out[operation["operationId"]] = params
    return out


_INTEGER = re.compile(r"^-?[0-9]{1,17}$")  # ASCII digits only (REQ-LIMIT-008)


def _query_problem(raw: str, schema: dict[str, Any]) -> str | None:
    """What is wrong with one query value, or None."""
    kind = schema.get("type")
    if kind in ("integer", "number"):
        if kind == "integer" and not _INTEGER.match(raw):
            return "must be an integer"
        try:
            value: Any = int(raw) if kind == "integer" else float(raw)
        except ValueError:
            return "must be a number"
        if not math.isfinite(value):
            return "must be a number"
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return f"must be between {lo if lo is not None else '-inf'} and {hi if hi is not None else 'inf'}"
        return None
    if kind == "boolean":
        return None if raw in ("true", "false") else "must be true or false"
    if "enum" in schema and raw not in schema["enum"]:
        return "must be one of " + ", ".join(map(str, schema["enum"]))
    if len(raw) > schema.get("maxLength", 1 << 30) or len(raw) < schema.get("minLength", 0):
        return f"must be {schema.get('minLength', 0)}..{schema.get('maxLength')} characters"
    if "pattern" in schema and not re.search(schema["pattern"], raw):
        return "does not match its pattern"
    return None
