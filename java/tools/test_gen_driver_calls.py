"""gen_driver_calls: the parameter rules, what it leaves to HandWrittenCalls.java and what it refuses."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from gen_driver_calls import HAND_WRITTEN, RAW_SOURCES, ROOT, SDK, generate, snake

BUNDLE = json.loads((ROOT / "spec/dist/openapi.json").read_text(encoding="utf-8"))
NAMING = yaml.safe_load((ROOT / "spec/naming.yaml").read_text(encoding="utf-8"))
RAW = [(SDK / name).read_text(encoding="utf-8") for name in RAW_SOURCES]
TYPED = (SDK / "AxmeOperations.java").read_text(encoding="utf-8")
HAND = HAND_WRITTEN.read_text(encoding="utf-8")


def table(raw: list[str] = RAW, typed: str = TYPED, hand: str = HAND) -> str:
    return generate(BUNDLE, NAMING, raw, typed, hand)


def test_wire_names() -> None:
    assert [snake(n) for n in ("intentId", "address", "keyId", "waitSeconds")] == [
        "intent_id",
        "address",
        "key_id",
        "wait_seconds",
    ]


def test_path_query_body_and_body_members() -> None:
    out = table()
    assert (
        'case "listIntentEvents" -> raw.listIntentEvents(take(args, "intent_id"), query(args));'
        in out
    )
    assert 'case "resolveIntent" -> raw.resolveIntent(take(args, "intent_id"), args);' in out
    assert (
        'case "createWorkspace" -> raw.createWorkspace(take(args, "org"), take(args, "name"));'
        in out
    )
    audit = 'case "getIntentAudit" -> raw.getIntentAudit(take(args, "intent_id"), query(args));'
    assert audit in out
    assert 'case "createAgentKey" -> raw.createAgentKey(take(args, "address"), args);' in out
    assert "NARROWER_THAN_SPEC = Map.of();" in out


def test_a_raw_call_narrower_than_the_spec_is_listed() -> None:
    """A hand-written raw call without the spec's query or body: its args go unused, and say so."""
    narrow = (
        "    public RawResponse getIntentAudit(String intentId) {\n        return null;\n    }\n"
        "    public RawResponse createAgentKey(String address) {\n        return null;\n    }\n"
    )
    spec_shaped = r"    public RawResponse (getIntentAudit|createAgentKey)\(.*?\n    }\n"
    generated = re.sub(spec_shaped, "", RAW[0], flags=re.S)
    out = table(raw=[generated, RAW[1] + narrow])
    assert 'case "getIntentAudit" -> raw.getIntentAudit(take(args, "intent_id"));' in out
    assert (
        'NARROWER_THAN_SPEC = Map.of(\n            "getIntentAudit", "the query since, limit",'
        '\n            "createAgentKey", "the body");' in out
    )


def test_hand_written_names_are_left_out() -> None:
    assert 'case "resumeIntent"' not in table()
    assert 'case "getHealth"' not in table(hand=HAND + '\n            entry("getHealth", null),\n')


def test_a_parameter_the_rules_cannot_read_is_refused() -> None:
    raw = [
        re.sub(
            r"RawResponse revokeKey\(String keyId\)", "RawResponse revokeKey(int keyId)", RAW[0]
        ),
        RAW[1],
    ]
    with pytest.raises(
        SystemExit, match=r"revokeKey: parameter int keyId; write it in HandWrittenCalls.java"
    ):
        table(raw=raw)


def test_a_string_that_is_neither_path_nor_body_is_refused() -> None:
    raw = [
        RAW[0].replace(
            "RawResponse getIntent(String intentId)", "RawResponse getIntent(String id)"
        ),
        RAW[1],
    ]
    with pytest.raises(SystemExit, match=r"getIntent: String id: id is neither a path parameter"):
        table(raw=raw)


def test_the_typed_method_must_exist() -> None:
    typed = TYPED.replace("public Key revokeKey(", "public Key revokeKeyNow(")
    with pytest.raises(
        SystemExit,
        match=r"revokeKey: naming.yaml names revokeKey, which AxmeOperations.java does not",
    ):
        table(typed=typed)
