"""The `call` op's table for the spec's operations, derived when the driver starts.

An operation of spec/naming.yaml maps onto the AsyncAxmeClient method of its Python
name by that method's own parameters, read against the operation in
spec/dist/openapi.json (the wire names are the Python names):

- a positional parameter named like a path parameter, a query parameter or a request
  body member is read from the args by that name (required);
- a positional parameter named like none of them (create_intent's `intent`) gets the
  args left over as the whole request body; the operation must have a body;
- a keyword-only parameter must be a query parameter or a body member; it is passed
  when the args have it;
- any other member travels through `extra_body` (POST) / `extra_query` (GET, DELETE),
  so the server sees exactly what the harness sent.

An operation these rules cannot read is reported in `Table.problems` (the unit test
tests/unit/test_driver_calls.py fails on any) and belongs in calls.HAND_WRITTEN.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Mapping:
    sdk_method: str
    positional: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    http: str = "GET"
    #: the args left after the positional ones are the first argument after them (a body)
    whole_body: bool = False
    #: turn the SDK's return value into the wire result (default: its response body)
    result: Callable[[Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class WireOperation:
    """What the spec says an operation's args may hold."""

    http: str
    path: frozenset[str]
    query: frozenset[str]
    body: frozenset[str] | None  # None: the operation takes no request body
    stream: bool  # answers text/event-stream: read through observe/listen, not `call`


@dataclass
class Table:
    calls: dict[str, Mapping] = field(default_factory=dict)
    #: operation -> why the rules cannot map it (a driver bug until it is hand-written)
    problems: dict[str, str] = field(default_factory=dict)
    #: operation -> why `call` does not offer it (a stream, or no Python name)
    not_calls: dict[str, str] = field(default_factory=dict)


def load_spec(spec_dir: Path = SPEC_DIR) -> tuple[dict[str, Any], dict[str, WireOperation]]:
    """naming.yaml's operations and the bundled spec's operations by operationId."""
    naming = yaml.safe_load((spec_dir / "naming.yaml").read_text(encoding="utf-8"))
    openapi = json.loads((spec_dir / "dist" / "openapi.json").read_text(encoding="utf-8"))
    return naming["operations"], wire_operations(openapi)


def wire_operations(openapi: dict[str, Any]) -> dict[str, WireOperation]:
    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = openapi
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    found: dict[str, WireOperation] = {}
    for item in openapi["paths"].values():
        for http in HTTP_METHODS:
            if http not in item:
                continue
            op = item[http]
            params = [resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]
            body = None
            if "requestBody" in op:
                content = resolve(op["requestBody"])["content"]["application/json"]
                schema = resolve(content["schema"])
                body = frozenset(schema.get("properties", {}))
            ok = resolve(op["responses"].get("200", {}))
            found[op["operationId"]] = WireOperation(
                http=http.upper(),
                path=frozenset(p["name"] for p in params if p["in"] == "path"),
                query=frozenset(p["name"] for p in params if p["in"] == "query"),
                body=body,
                stream="text/event-stream" in ok.get("content", {}),
            )
    return found


def derive(method: Callable[..., Any], wire: WireOperation) -> Mapping:
    """The mapping of one operation onto `method`; ValueError when the rules cannot read it."""
    members = wire.path | wire.query | (wire.body or frozenset())
    positional: list[str] = []
    keywords: list[str] = []
    whole_body = False
    for p in list(inspect.signature(method).parameters.values())[1:]:  # after self
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            continue  # the per-call options
        if whole_body:
            raise ValueError(f"parameter {p.name!r} follows the whole-body parameter")
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            if p.name not in members:
                raise ValueError(f"keyword {p.name!r} is no query parameter or body member")
            keywords.append(p.name)
        elif p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            raise ValueError(f"parameter {p.name!r} is {p.kind.description}")
        elif p.name in members:
            positional.append(p.name)
        elif wire.body is not None:
            whole_body = True
        else:
            raise ValueError(f"parameter {p.name!r} is no wire member and there is no body")
    return Mapping(
        method.__name__, tuple(positional), tuple(keywords), wire.http, whole_body=whole_body
    )


def build(
    client_class: type,
    naming: dict[str, Any],
    wire: dict[str, WireOperation],
    hand_written: frozenset[str],
) -> Table:
    """Every naming.yaml operation: derived, left to `hand_written`, or not a call."""
    table = Table()
    for operation, entry in naming.items():
        if operation in hand_written:
            continue
        name = (entry.get("names", entry))["python"]
        if name is None:
            table.not_calls[operation] = entry["absent"]["python"]
        elif operation not in wire:
            table.problems[operation] = "no such operationId in spec/dist/openapi.json"
        elif wire[operation].stream:
            table.not_calls[operation] = "a stream: scenarios read it through observe or listen"
        elif not hasattr(client_class, name):
            table.problems[operation] = f"AsyncAxmeClient has no method {name!r}"
        else:
            try:
                table.calls[operation] = derive(getattr(client_class, name), wire[operation])
            except ValueError as exc:
                table.problems[operation] = f"{name}: {exc}"
    return table
