"""Contract checks: `include_intent=true` on the intent stream (REQ-SSE-016), what lets
wait_for make one request (REQ-WAIT-005)."""

from __future__ import annotations

from typing import Any

from axme_conformance.contract.checks_streams import _canceled_intent
from axme_conformance.contract.client import ContractClient, expect, parse_frames
from axme_conformance.contract.registry import check


def _intent_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("event") == "stream.intent"]


@check(
    "sse/include-intent-terminal-is-the-whole-stream", requirements=["REQ-SSE-016", "REQ-WAIT-005"]
)
def include_intent_terminal(c: ContractClient) -> None:
    intent_id = _canceled_intent(c)
    final = c.intent(intent_id)
    status, text = c.read_stream(
        f"/v1/intents/{intent_id}/events/stream", params={"include_intent": "true"}
    )
    expect(status == 200, f"stream status {status}: {text[:200]}")
    expect(text.startswith("retry: 2000\n\n"), f"stream must start with retry: {text[:40]!r}")
    frames = parse_frames(text)[1:]
    expect(
        len(frames) == 1 and frames[0].get("event") == "stream.intent",
        f"terminal: one stream.intent frame, then the end: {[f.get('event') for f in frames]}",
    )
    expect("id" not in frames[0], "stream.intent has no id: line")
    expect(
        frames[0]["json"] == {"intent": final},
        "stream.intent data must be {intent: <getIntent's intent>}",
    )


@check("sse/include-intent-first-frame-and-default-off", requirements=["REQ-SSE-016"])
def include_intent_live(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    now = c.intent(intent_id)
    path = f"/v1/intents/{intent_id}/events/stream"
    _, text = c.read_stream(
        path, params={"include_intent": "true", "wait_seconds": 1}, timeout_s=15
    )
    frames = parse_frames(text)[1:]
    expect(bool(frames) and frames[0].get("event") == "stream.intent", f"first frame: {frames[:1]}")
    expect(
        frames[0]["json"] == {"intent": now},
        "the first stream.intent carries the intent as getIntent returns it",
    )
    expect(len(_intent_frames(frames)) == 1, "no terminal event, no second stream.intent")
    expect(frames[-1].get("event") == "stream.timeout", f"last frame: {frames[-1:]}")
    for params in ({"wait_seconds": 1}, {"include_intent": "false", "wait_seconds": 1}):
        _, text = c.read_stream(path, params=params, timeout_s=15)
        expect(
            not _intent_frames(parse_frames(text)),
            f"stream.intent sent without include_intent=true ({params})",
        )
    for bad in ("1", "yes", "TRUE"):
        c.error(c.request("GET", path, params={"include_intent": bad}), 422, "validation_error")
