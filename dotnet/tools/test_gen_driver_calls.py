"""gen_driver_calls: the parameter rules, what it leaves to Calls.cs's HandWritten and what it refuses."""

from __future__ import annotations

import pytest
from gen_driver_calls import HAND_WRITTEN, OPERATIONS, generate, snake

SOURCE = OPERATIONS.read_text(encoding="utf-8")
HAND = HAND_WRITTEN.read_text(encoding="utf-8")


def test_wire_names() -> None:
    assert [snake(n) for n in ("intentId", "toAgent", "waitSeconds", "keyId")] == [
        "intent_id",
        "to_agent",
        "wait_seconds",
        "key_id",
    ]


def test_path_query_and_body() -> None:
    out = generate(SOURCE, HAND)
    assert (
        'case "listIntentEvents": return (await c.ListIntentEventsAsync(Str(a, "intent_id"), '
        'Long(a, "since"), Long(a, "limit"), null, ct)).ToJson();'
    ) in out
    assert 'Body<RotateCallbackSecretRequest>(a, "address"), null, ct)' in out
    assert (
        'case "validateScenario": return (await c.ValidateScenarioAsync(BodyObject(a), null, ct))'
        in out
    )
    assert 'case "streamIntentEvents"' not in out  # an event stream: the driver's observe op


def test_hand_written_names_are_left_out() -> None:
    assert 'case "resumeIntent"' not in generate(SOURCE, HAND)
    assert 'case "getHealth"' not in generate(
        SOURCE, HAND + '\n            ["getHealth"] = null,\n'
    )


def test_a_parameter_the_rules_cannot_read_is_refused() -> None:
    source = SOURCE.replace(
        "RevokeKeyAsync(string keyId, RequestOptions", "RevokeKeyAsync(Guid keyId, RequestOptions"
    )
    with pytest.raises(
        SystemExit, match=r"revokeKey: parameter Guid keyId; write it in Calls.cs's HandWritten"
    ):
        generate(source, HAND)


def test_a_missing_path_parameter_is_refused() -> None:
    source = SOURCE.replace(
        "GetIntentAsync(string intentId, RequestOptions", "GetIntentAsync(string id, RequestOptions"
    )
    with pytest.raises(SystemExit, match=r"getIntent: parameter string id"):
        generate(source, HAND)


def test_a_dropped_query_parameter_is_named() -> None:
    source = SOURCE.replace(
        'Query("since", since), Query("limit", limit)).Config', 'Query("limit", limit)).Config'
    )
    source = source.replace(
        "GetIntentAuditAsync(string intentId, long? since = null, long? limit = null,",
        "GetIntentAuditAsync(string intentId, long? limit = null,",
    )
    assert '{ "getIntentAudit", "the query since" },' in generate(source, HAND)
