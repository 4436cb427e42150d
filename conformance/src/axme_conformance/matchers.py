"""The expectation language of scenarios: match a JSON value against a pattern.

A pattern is plain JSON with a few markers (documented in conformance/README.md):

* scalars compare by equality (``1`` never equals ``true``);
* a mapping matches a mapping that has *at least* those keys, each matching;
  the value ``$absent`` requires the key to be missing;
* a list matches a list of the same length, element by element;
* strings starting with ``$`` are named matchers (``$any``, ``$present``,
  ``$uuid``, ``$timestamp``, ``$string``, ``$int``, ``$number``, ``$bool``,
  ``$object``, ``$list``, ``$null``, ``$nonempty``); ``$$x`` is the literal ``$x``;
* a mapping whose keys all start with ``$`` is an operator (``$regex``, ``$eq``,
  ``$gte``/``$gt``/``$lte``/``$lt`` (numbers, or two timestamps), ``$in``, ``$not``,
  ``$len``, ``$contains``, ``$each``, ``$unordered``, ``$startswith``, ``$any_of``).

``match`` returns a list of human-readable mismatches; empty means it matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

ABSENT = "$absent"

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


NAMED: dict[str, Callable[[Any], bool]] = {
    "$any": lambda v: True,
    "$present": lambda v: v is not None,
    "$null": lambda v: v is None,
    "$uuid": lambda v: isinstance(v, str) and bool(UUID_RE.match(v)),
    "$timestamp": lambda v: isinstance(v, str) and bool(TIMESTAMP_RE.match(v)),
    "$string": lambda v: isinstance(v, str),
    "$nonempty": lambda v: isinstance(v, (str, list, dict)) and len(v) > 0,
    "$int": _is_int,
    "$number": _is_number,
    "$bool": lambda v: isinstance(v, bool),
    "$object": lambda v: isinstance(v, dict),
    "$list": lambda v: isinstance(v, list),
}


class PatternError(ValueError):
    """The pattern itself is malformed (a scenario bug, not an SDK failure)."""


def is_operator(pattern: Any) -> bool:
    return (
        isinstance(pattern, dict)
        and bool(pattern)
        and all(isinstance(k, str) and k.startswith("$") for k in pattern)
    )


def match(pattern: Any, actual: Any, path: str = "$") -> list[str]:
    """Match ``actual`` against ``pattern``; return the mismatches."""
    if isinstance(pattern, str) and pattern.startswith("$"):
        if pattern.startswith("$$"):
            return _eq(pattern[1:], actual, path)
        if pattern == ABSENT:
            return [f"{path}: expected absent, got {_short(actual)}"]
        check = NAMED.get(pattern)
        if check is None:
            raise PatternError(f"unknown matcher {pattern!r} at {path}")
        return [] if check(actual) else [f"{path}: expected {pattern}, got {_short(actual)}"]
    if is_operator(pattern):
        problems: list[str] = []
        for op, arg in pattern.items():
            problems += _operator(op, arg, actual, path)
        return problems
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {_short(actual)}"]
        problems = []
        for key, sub in pattern.items():
            sub_path = f"{path}.{key}"
            if sub == ABSENT:
                if key in actual:
                    problems.append(f"{sub_path}: expected absent, got {_short(actual[key])}")
                continue
            if key not in actual:
                problems.append(f"{sub_path}: missing (expected {_short(sub)})")
                continue
            problems += match(sub, actual[key], sub_path)
        return problems
    if isinstance(pattern, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {_short(actual)}"]
        if len(pattern) != len(actual):
            return [f"{path}: expected {len(pattern)} items, got {len(actual)}: {_short(actual)}"]
        problems = []
        for i, (sub, item) in enumerate(zip(pattern, actual, strict=True)):
            problems += match(sub, item, f"{path}[{i}]")
        return problems
    return _eq(pattern, actual, path)


def _eq(expected: Any, actual: Any, path: str) -> list[str]:
    if type(expected) is bool or type(actual) is bool:
        same = type(expected) is type(actual) and expected == actual
    else:
        same = expected == actual
    return [] if same else [f"{path}: expected {_short(expected)}, got {_short(actual)}"]


def _operator(op: str, arg: Any, actual: Any, path: str) -> list[str]:
    fail = [f"{path}: expected {op} {_short(arg)}, got {_short(actual)}"]
    if op == "$eq":
        return _eq(arg, actual, path)
    if op == "$regex":
        return [] if isinstance(actual, str) and re.search(arg, actual) else fail
    if op == "$startswith":
        return [] if isinstance(actual, str) and actual.startswith(arg) else fail
    if op in ("$gte", "$gt", "$lte", "$lt"):
        # Two RFC 3339 timestamps in the wire format (fixed width, UTC) compare as text
        # in time order, so `$gt: "${earlier.lease_expires_at}"` works on times.
        both_times = all(isinstance(v, str) and TIMESTAMP_RE.match(v) for v in (arg, actual))
        if not both_times and not (_is_number(actual) and _is_number(arg)):
            return fail
        ok = {
            "$gte": actual >= arg,
            "$gt": actual > arg,
            "$lte": actual <= arg,
            "$lt": actual < arg,
        }[op]
        return [] if ok else fail
    if op == "$in":
        return [] if any(not match(option, actual, path) for option in arg) else fail
    if op == "$any_of":
        return _operator("$in", arg, actual, path)
    if op == "$not":
        return fail if not match(arg, actual, path) else []
    if op == "$len":
        if not isinstance(actual, (list, str, dict)):
            return fail
        return match(arg, len(actual), f"{path}.length")
    if op == "$each":
        if not isinstance(actual, list):
            return fail
        problems: list[str] = []
        for i, item in enumerate(actual):
            problems += match(arg, item, f"{path}[{i}]")
        return problems
    if op == "$contains":
        if not isinstance(actual, list):
            return fail
        wanted = arg if isinstance(arg, list) else [arg]
        return [
            f"{path}: no item matches {_short(sub)}"
            for sub in wanted
            if not any(not match(sub, item) for item in actual)
        ]
    if op == "$unordered":
        if not isinstance(actual, list) or len(actual) != len(arg):
            return fail
        remaining = list(actual)
        for sub in arg:
            hit = next((i for i, item in enumerate(remaining) if not match(sub, item)), None)
            if hit is None:
                return [f"{path}: no remaining item matches {_short(sub)}"]
            remaining.pop(hit)
        return []
    raise PatternError(f"unknown operator {op!r} at {path}")


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dig(value: Any, dotted: str) -> Any:
    """``dig({"a": {"b": [1, 2]}}, "a.b.1") == 2``; missing → ``None``."""
    current = value
    for part in dotted.split(".") if dotted else []:
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if -len(current) <= index < len(current) else None
        else:
            return None
    return current
