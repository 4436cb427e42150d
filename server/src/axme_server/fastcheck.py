"""Compile an inlined JSON Schema (2020-12 subset) into a plain Python predicate.

jsonschema's `is_valid` walks the schema per request (~20-80 us per body here);
the compiled predicate does the same checks in a few closures. It only answers
"valid or not": when it says "not", spec.py asks jsonschema for the detailed
errors, so messages never differ. A schema with a keyword this module does
not implement is not compiled at all (`compile_schema` returns None) and the
caller keeps using jsonschema, so the two can never disagree on a verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonschema._utils import equal, uniq

Check = Callable[[Any], bool]

# keywords that never change a verdict; `format` does only for date-time (spec.FORMATS, REQ-LIMIT-009)
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "example",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
    }
)


class Unsupported(Exception):
    pass


def _is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": _is_integer,
    "number": _is_number,
}


def compile_schema(schema: Any) -> Check | None:
    """A predicate equivalent to Draft202012Validator(schema).is_valid, or None when unsupported."""
    try:
        return _compile(schema)
    except Unsupported:
        return None


def _compile(schema: Any) -> Check:
    if schema is True or schema == {}:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise Unsupported(repr(schema))
    unknown = set(schema) - _ANNOTATIONS - set(_KEYWORDS)
    if unknown:
        raise Unsupported(", ".join(sorted(unknown)))
    built = [_KEYWORDS[k](schema[k], schema) for k in schema if k in _KEYWORDS]
    checks = [c for c in built if c is not None]
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]

    def every(v: Any) -> bool:  # a plain loop: cheaper than all() over a generator
        for c in checks:
            if not c(v):
                return False
        return True

    return every


def _type(value: Any, _schema: dict[str, Any]) -> Check:
    names = [value] if isinstance(value, str) else list(value)
    if any(n not in _TYPES for n in names):
        raise Unsupported(f"type {value!r}")
    tests = [_TYPES[n] for n in names]
    if len(tests) == 1:
        return tests[0]
    return lambda v: any(t(v) for t in tests)


def _properties(value: dict[str, Any], schema: dict[str, Any]) -> Check:
    props = {name: _compile(sub) for name, sub in value.items()}

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for name, sub in props.items():
            if name in v and not sub(v[name]):
                return False
        return True

    return check


def _additional(value: Any, schema: dict[str, Any]) -> Check:
    if "patternProperties" in schema:
        raise Unsupported("patternProperties")
    declared = frozenset(schema.get("properties", {}))
    if value is False:
        return lambda v: not isinstance(v, dict) or declared.issuperset(v)
    sub = _compile(value)
    return lambda v: not isinstance(v, dict) or all(sub(x) for k, x in v.items() if k not in declared)


def _required(value: list[Any], _schema: dict[str, Any]) -> Check:
    names = frozenset(value)
    return lambda v: not isinstance(v, dict) or names <= v.keys()


def _enum(value: list[Any], _schema: dict[str, Any]) -> Check:
    if all(isinstance(x, str) for x in value):
        members = frozenset(value)
        return lambda v: isinstance(v, str) and v in members
    return lambda v: any(equal(v, x) for x in value)


def _const(value: Any, _schema: dict[str, Any]) -> Check:
    return lambda v: equal(v, value)


def _bound(test: Callable[[Any, Any], bool], applies: Check) -> Callable[[Any, dict[str, Any]], Check]:
    def make(limit: Any, _schema: dict[str, Any]) -> Check:
        return lambda v: not applies(v) or test(v, limit)

    return make


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_list(v: Any) -> bool:
    return isinstance(v, list)


def _is_dict(v: Any) -> bool:
    return isinstance(v, dict)


def _pattern(value: str, _schema: dict[str, Any]) -> Check:
    rx = re.compile(value)
    return lambda v: not isinstance(v, str) or rx.search(v) is not None


def _items(value: Any, _schema: dict[str, Any]) -> Check:
    if isinstance(value, list):
        raise Unsupported("items as a list")
    sub = _compile(value)
    return lambda v: not isinstance(v, list) or all(sub(x) for x in v)


def _unique(value: bool, _schema: dict[str, Any]) -> Check | None:
    if not value:
        return None
    return lambda v: not isinstance(v, list) or uniq(v)


def _all_of(value: list[Any], _schema: dict[str, Any]) -> Check:
    subs = [_compile(s) for s in value]
    return lambda v: all(s(v) for s in subs)


def _any_of(value: list[Any], _schema: dict[str, Any]) -> Check:
    subs = [_compile(s) for s in value]
    return lambda v: any(s(v) for s in subs)


def _one_of(value: list[Any], _schema: dict[str, Any]) -> Check:
    subs = [_compile(s) for s in value]
    return lambda v: sum(1 for s in subs if s(v)) == 1


def _not(value: Any, _schema: dict[str, Any]) -> Check:
    sub = _compile(value)
    return lambda v: not sub(v)


def _format(value: Any, schema: dict[str, Any]) -> Check | None:
    if value != "date-time":
        return None  # an annotation
    from axme_server.jsonutil import is_rfc3339

    return lambda v: not isinstance(v, str) or is_rfc3339(v)


_KEYWORDS: dict[str, Callable[[Any, dict[str, Any]], Check | None]] = {
    "format": _format,
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "items": _items,
    "uniqueItems": _unique,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "minLength": _bound(lambda v, n: len(v) >= n, _is_str),
    "maxLength": _bound(lambda v, n: len(v) <= n, _is_str),
    "minItems": _bound(lambda v, n: len(v) >= n, _is_list),
    "maxItems": _bound(lambda v, n: len(v) <= n, _is_list),
    "minProperties": _bound(lambda v, n: len(v) >= n, _is_dict),
    "maxProperties": _bound(lambda v, n: len(v) <= n, _is_dict),
    "minimum": _bound(lambda v, n: v >= n, _is_number),
    "maximum": _bound(lambda v, n: v <= n, _is_number),
    "exclusiveMinimum": _bound(lambda v, n: v > n, _is_number),
    "exclusiveMaximum": _bound(lambda v, n: v < n, _is_number),
}
