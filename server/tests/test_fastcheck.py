"""fastcheck (compiled request predicates) must give jsonschema's verdict on
every input: checked differentially over every spec example against every
compilable component schema, plus systematic mutations of the valid ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from axme_server.fastcheck import compile_schema
from axme_server.spec import FORMATS, SpecValidator, _inline, find_openapi

SPEC = SpecValidator(find_openapi())
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "spec" / "examples").rglob("*.json"))
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    1.5,
    -1,
    10**9,
    "",
    "x",
    "approved",
    "a" * 300,
    [],
    ["x"],
    ["x", "x"],
    {},
    {"k": 1},
]


def _schemas() -> dict[str, Any]:
    out = {}
    components = SPEC.components.get("schemas", {})
    for name in components:
        try:
            out[name] = _inline(components[name], components, ())
        except ValueError:  # recursive: not inlinable, not used for requests
            continue
    return out


SCHEMAS = _schemas()


def _mutations(doc: Any, deep: bool = True) -> list[Any]:
    """The document, and copies with one member dropped or replaced by an odd value (2 levels if deep)."""
    out = [doc]
    if isinstance(doc, dict):
        for key in doc:
            dropped = {k: v for k, v in doc.items() if k != key}
            out.append(dropped)
            for odd in ODD_VALUES:
                out.append({**doc, key: odd})
            if deep:
                for inner in _mutations(doc[key], deep=False)[1:12]:
                    out.append({**doc, key: inner})
        out.append({**doc, "unknown_member": 1})
    elif isinstance(doc, list) and doc:
        out += [doc[:-1], doc + doc[:1], [None], doc + ["x"]]
    return out


def _instances(deep: bool) -> list[Any]:
    docs = [json.loads(p.read_text()) for p in EXAMPLES]
    extra = [
        {"outcome": "approved"},
        {"delivery_id": "d-1"},
        {"kind": "agent_result", "outcome": "complete"},
        {
            "intent_type": "intent.a.v1",
            "to_agent": "w",
            "human_task": {"title": "t", "task_type": "form", "form_schema": {"type": "object"}},
        },
    ]
    out: list[Any] = []
    for d in docs + extra:
        out += _mutations(d, deep) if deep else [d]
    return out


# request schemas (the ones the server checks) get the deep set; the rest the examples themselves
DEEP, SHALLOW = _instances(deep=True), _instances(deep=False)
REQUEST_SCHEMAS = {v.schema.get("title") for v in SPEC.validators.values()} | {
    "CreateIntentRequest",
    "ResolveIntentRequest",
    "AckIntentRequest",
    "RegisterAgentRequest",
    "CreateAgentKeyRequest",
    "TaskDecision",
    "ScenarioBundle",
    "CreateKeyRequest",
    "AgentResultResume",
    "TaskResultResume",
    "ProgressResume",
    "ControlResume",
    "HumanTask",
}


def test_every_request_schema_compiles() -> None:
    assert set(SPEC.fast) == set(SPEC.validators)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_same_verdict_as_jsonschema(name: str) -> None:
    fast = compile_schema(SCHEMAS[name])
    if fast is None:
        pytest.skip(f"{name} uses a keyword fastcheck leaves to jsonschema")
    slow = Draft202012Validator(SCHEMAS[name], format_checker=FORMATS)
    verdicts = {True: 0, False: 0}
    for inst in DEEP if name in REQUEST_SCHEMAS else SHALLOW:
        expected = slow.is_valid(inst)
        assert fast(inst) == expected, f"{name}: {json.dumps(inst)[:300]} -> jsonschema says {expected}"
        verdicts[expected] += 1
    assert verdicts[False] > 0


def test_unsupported_keywords_are_not_compiled() -> None:
    assert compile_schema({"type": "object", "patternProperties": {"^x": {}}}) is None
    assert compile_schema({"type": "number", "multipleOf": 2}) is None
    assert compile_schema({"prefixItems": [{}]}) is None
    assert compile_schema({"type": "integer"})(2.0) is True  # 2020-12: 2.0 is an integer
    assert compile_schema({"type": "integer"})(True) is False
    assert compile_schema({"enum": [1]})(True) is False
