"""The conformance driver's `call` table: every operation of spec/naming.yaml maps onto
an AsyncAxmeClient call (derived from the spec and the method's signature, or
hand-written), and resumeIntent's mapping: the helper for a plain agent result,
resume_intent_with for every other body (the wire body is the same either way)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "driver"))

from call_table import SPEC_DIR, Mapping, WireOperation, derive  # noqa: E402
from calls import HAND_WRITTEN, METHODS, SPECIAL, TABLE, resume_call  # noqa: E402

from axme import AsyncAxmeClient  # noqa: E402

NAMING = yaml.safe_load((SPEC_DIR / "naming.yaml").read_text(encoding="utf-8"))


def test_every_operation_resolves() -> None:
    assert TABLE.problems == {}
    for operation in NAMING["operations"]:
        assert operation in METHODS or operation in SPECIAL or operation in TABLE.not_calls
    # only the streams and the operations without a Python name are not calls
    assert set(TABLE.not_calls) == {"getReadiness", "streamIntentEvents", "streamAgentDeliveries"}


def test_every_mapping_names_a_client_method_of_naming_yaml() -> None:
    python_names = {
        name: (entry.get("names", entry))["python"]
        for section in ("operations", "helpers")
        for name, entry in NAMING[section].items()
    }
    python_names["resumeIntentHelper"] = python_names["resumeIntent"]
    for operation, mapping in METHODS.items():
        assert mapping.sdk_method == python_names[operation], operation
        assert callable(getattr(AsyncAxmeClient, mapping.sdk_method))
    assert set(HAND_WRITTEN) - {"resumeIntentHelper"} <= set(NAMING["helpers"])


def test_derived_shapes() -> None:
    assert METHODS["resolveIntent"] == Mapping(
        "resolve_intent", ("intent_id", "status"), ("result", "error", "reason"), "POST"
    )
    assert METHODS["createIntent"] == Mapping("create_intent", http="POST", whole_body=True)
    assert METHODS["createWorkspace"] == Mapping("create_workspace", ("org", "name"), http="POST")
    assert METHODS["listIntentEvents"] == Mapping(
        "list_intent_events", ("intent_id",), ("since", "limit")
    )
    assert METHODS["revokeKey"] == Mapping("revoke_key", ("key_id",), http="DELETE")


POST = WireOperation("POST", frozenset({"id"}), frozenset(), frozenset({"name"}), stream=False)
GET = WireOperation("GET", frozenset({"id"}), frozenset({"limit"}), None, stream=False)


class Shapes:
    async def by_name(self, id: str, name: str, **options: Any) -> None: ...
    async def whole(self, id: str, request: dict[str, Any], **options: Any) -> None: ...
    async def unknown_keyword(self, id: str, *, colour: str = "", **options: Any) -> None: ...
    async def after_whole(self, request: dict[str, Any], name: str, **options: Any) -> None: ...
    async def star_args(self, *ids: str) -> None: ...


def test_the_rules_read_names_and_the_whole_body() -> None:
    assert derive(Shapes.by_name, POST) == Mapping("by_name", ("id", "name"), http="POST")
    assert derive(Shapes.whole, POST) == Mapping("whole", ("id",), http="POST", whole_body=True)


@pytest.mark.parametrize(
    ("method", "wire", "why"),
    [
        (Shapes.unknown_keyword, POST, "keyword 'colour' is no query parameter or body member"),
        (Shapes.whole, GET, "'request' is no wire member and there is no body"),
        (Shapes.after_whole, POST, "'name' follows the whole-body parameter"),
        (Shapes.star_args, POST, "'ids' is variadic positional"),
    ],
)
def test_the_rules_refuse_what_they_cannot_read(method: Any, wire: WireOperation, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        derive(method, wire)


def test_plain_agent_result_uses_the_helper() -> None:
    args = {"intent_id": "i", "kind": "agent_result", "outcome": "complete", "result": {"a": 1}}
    assert resume_call(args) == ("resume_intent", ["i", {"a": 1}], {})
    with_delivery = {**args, "delivery_id": "d"}
    assert resume_call(with_delivery) == ("resume_intent", ["i", {"a": 1}], {"delivery_id": "d"})


def test_every_other_body_is_sent_as_given() -> None:
    bodies = [
        {"kind": "progress", "details": {"pct": 1}},
        {"kind": "agent_result", "outcome": "complete"},  # no result: the helper would add {}
        {"kind": "agent_result", "outcome": "complete", "result": {}, "extra": 1},
        {"kind": "agent_result", "outcome": "fail", "error": {"message": "x"}},
        {"action": "complete", "answer": 42},
        {"answer": 42},
    ]
    for body in bodies:
        assert resume_call({"intent_id": "i", **body}) == ("resume_intent_with", ["i", body], {})
