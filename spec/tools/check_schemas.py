"""Checks on spec/schemas: valid 2020-12 schemas, consistent $id/title, every $ref resolvable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bundle import has_root_schema, pascal_case
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable
from schema_registry import ID_BASE, SchemaSet


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield pointer, value
            else:
                yield from iter_refs(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_refs(item, f"{pointer}/{i}")


def check_schemas(schemas: SchemaSet) -> tuple[list[str], int]:
    """Returns (problems, number of $refs resolved)."""
    problems: list[str] = []
    resolved = 0
    for stem, doc in schemas.files.items():
        fname = f"schemas/{stem}.schema.json"
        try:
            Draft202012Validator.check_schema(doc)
        except Exception as exc:  # jsonschema raises SchemaError with a readable message
            problems.append(f"{fname}: not a valid 2020-12 schema: {exc}")
        if doc.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            problems.append(f"{fname}: $schema must be the 2020-12 meta-schema")
        if doc.get("$id") != f"{ID_BASE}{stem}.schema.json":
            problems.append(f"{fname}: $id must be {ID_BASE}{stem}.schema.json")
        if has_root_schema(doc) and doc.get("title") != pascal_case(stem):
            problems.append(
                f"{fname}: title must be {pascal_case(stem)!r} (the bundled component name)"
            )
        resolver = schemas.registry.resolver(base_uri=doc["$id"])
        for pointer, ref in iter_refs(doc):
            try:
                resolver.lookup(ref)
                resolved += 1
            except Unresolvable as exc:
                problems.append(f"{fname}#{pointer}: $ref {ref!r} does not resolve ({exc})")
    return problems, resolved


# Keys whose values are data, not schemas:
# a `{"type": "object"}` inside an example is no declaration.
_DATA_KEYS = {"example", "examples", "default", "enum", "const"}
_SHAPE_KEYS = {
    "properties",
    "patternProperties",
    "additionalProperties",
    "$ref",
    "oneOf",
    "anyOf",
    "allOf",
}


def iter_bare_objects(node: Any, pointer: str = "") -> Iterator[str]:
    """JSON pointers of object schemas that declare neither members nor additionalProperties."""
    if isinstance(node, dict):
        types = node.get("type")
        if (
            types == "object" or (isinstance(types, list) and "object" in types)
        ) and not _SHAPE_KEYS & node.keys():
            yield pointer
        for key, value in node.items():
            if key not in _DATA_KEYS and not key.startswith("x-"):
                yield from iter_bare_objects(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_bare_objects(item, f"{pointer}/{i}")


def check_free_form_objects(bundle: dict[str, Any]) -> list[str]:
    """A free-form object must say so: generators render a bare `type: object` as an empty type
    (openapi-typescript: Record<string, never>; openapi-generator Java: Object)."""
    return [
        f"dist/openapi.json#{p}: bare object schema; declare its properties, or "
        f'"additionalProperties": true (free-form) / false (closed)'
        for p in iter_bare_objects(bundle)
    ]
