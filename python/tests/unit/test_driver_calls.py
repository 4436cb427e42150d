"""The conformance driver's resumeIntent mapping: the helper for a plain agent result,
resume_intent_with for every other body (the wire body is the same either way)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "driver"))

from calls import resume_call  # noqa: E402


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
