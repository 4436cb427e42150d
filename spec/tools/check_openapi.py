"""Checks on the OpenAPI document: real lint, operations, errors, examples, SSE, naming."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schema_registry import SPEC_DIR

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
BUNDLE_URI = "urn:axme:openapi-bundle"
SSE = "text/event-stream"
JSON = "application/json"
ERROR_ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve(doc: dict[str, Any], node: Any) -> tuple[Any, str | None]:
    """Follow an internal `$ref` (one level deep is all OpenAPI objects need here)."""
    if (
        isinstance(node, dict)
        and isinstance(node.get("$ref"), str)
        and node["$ref"].startswith("#/")
    ):
        pointer = node["$ref"][1:]
        target: Any = doc
        for token in pointer.split("/")[1:]:
            target = target[token.replace("~1", "/").replace("~0", "~")]
        return target, pointer
    return node, None


def iter_operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def lint(bundle: dict[str, Any]) -> list[str]:
    problems = []
    source, base_uri = read_from_filename(str(SPEC_DIR / "openapi.yaml"))
    for name, document, uri in (
        ("openapi.yaml", source, base_uri),
        ("dist/openapi.json", bundle, ""),
    ):
        try:
            validate(document, base_uri=uri)
        except Exception as exc:  # the validator's error carries the failing location
            problems.append(f"{name}: openapi-spec-validator: {exc}")
    return problems


class ExampleValidator:
    """Validates OpenAPI media-type examples against their schemas, inside the bundle."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle
        resource = Resource.from_contents(bundle, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(BUNDLE_URI, resource)

    def examples(self, media: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        if "example" in media:
            yield "example", media["example"]
        for name, ex in (media.get("examples") or {}).items():
            ex, _ = _resolve(self.bundle, ex)
            yield f"examples/{name}", ex.get("value")

    def check(self, schema_pointer: str, label: str, value: Any) -> list[str]:
        validator = Draft202012Validator(
            {"$ref": f"{BUNDLE_URI}#{schema_pointer}"},
            registry=self.registry,
            format_checker=FormatChecker(),
        )
        return [
            f"{label}: {'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}"
            for e in validator.iter_errors(value)
        ]


def check_operations(bundle: dict[str, Any], canonical_ops: set[str]) -> tuple[list[str], int]:
    """Every operation: operationId, tags, examples valid, error envelope on non-2xx,
    SSE media type."""
    problems: list[str] = []
    examples = ExampleValidator(bundle)
    seen: list[str] = []
    for path, method, op in iter_operations(bundle):
        op_id = op.get("operationId")
        where = f"{method.upper()} {path}"
        if not op_id:
            problems.append(f"{where}: missing operationId")
            continue
        seen.append(op_id)
        if not op.get("tags"):
            problems.append(f"{op_id}: no tags")
        op_pointer = f"/paths/{_escape(path)}/{method}"
        n_examples = 0
        body = op.get("requestBody")
        if body:
            for media_type, media in body["content"].items():
                for label, value in examples.examples(media):
                    n_examples += 1
                    problems += examples.check(
                        f"{op_pointer}/requestBody/content/{_escape(media_type)}/schema",
                        f"{op_id} request {label}",
                        value,
                    )
        is_stream = op_id.startswith("stream")
        for status, response in op["responses"].items():
            response, ref_pointer = _resolve(bundle, response)
            resp_pointer = ref_pointer or f"{op_pointer}/responses/{status}"
            content = response.get("content") or {}
            if "X-Request-Id" not in (response.get("headers") or {}):
                problems.append(
                    f"{op_id} {status}: response does not declare X-Request-Id (REQ-API-005)"
                )
            if not status.startswith("2"):
                schema = (content.get(JSON) or {}).get("schema", {})
                if set(content) != {JSON} or schema.get("$ref") != ERROR_ENVELOPE_REF:
                    problems.append(
                        f"{op_id} {status}: non-2xx must be application/json ErrorEnvelope only"
                    )
            elif is_stream and SSE not in content:
                problems.append(f"{op_id} {status}: SSE operation must declare {SSE}")
            for media_type, media in content.items():
                for label, value in examples.examples(media):
                    n_examples += 1
                    if media_type == SSE:
                        if not isinstance(value, str) or not value.startswith("retry: 2000\n\n"):
                            problems.append(
                                f"{op_id} {status} {label}: "
                                "SSE example must start with 'retry: 2000' (REQ-SSE-002)"
                            )
                        continue
                    problems += examples.check(
                        f"{resp_pointer}/content/{_escape(media_type)}/schema",
                        f"{op_id} {status} {label}",
                        value,
                    )
        if n_examples == 0:
            problems.append(f"{op_id}: no example")
    duplicates = sorted({o for o in seen if seen.count(o) > 1})
    if duplicates:
        problems.append(f"duplicate operationIds: {duplicates}")
    missing, extra = sorted(canonical_ops - set(seen)), sorted(set(seen) - canonical_ops)
    if missing:
        problems.append(f"naming.yaml operations missing from openapi.yaml: {missing}")
    if extra:
        problems.append(f"operationIds missing from naming.yaml: {extra}")
    return problems, len(seen)
