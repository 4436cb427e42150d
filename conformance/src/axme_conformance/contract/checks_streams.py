"""Contract checks: the SSE intent stream (framing, resume, long-poll end)."""

from __future__ import annotations

from axme_conformance.contract.client import ContractClient, expect, parse_frames
from axme_conformance.contract.suite import check


def _canceled_intent(c: ContractClient) -> str:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    delivery = c.take_delivery(address, key, intent_id)
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resume", key=key, body={
        "kind": "progress", "details": {}, "delivery_id": delivery["delivery_id"]}))
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    return intent_id


@check("sse/framing-and-close-after-terminal")
def sse_framing(c: ContractClient) -> None:
    intent_id = _canceled_intent(c)
    status, text = c.read_stream(f"/v1/intents/{intent_id}/events/stream")
    expect(status == 200, f"stream status {status}: {text[:200]}")
    expect(text.startswith("retry: 2000\n\n"), f"stream must start with retry: {text[:40]!r}")
    frames = [f for f in parse_frames(text) if "data" in f]
    events = c.events(intent_id)
    expect([f["id"] for f in frames] == [str(e["seq"]) for e in events],
           f"ids must be the seqs: {[f.get('id') for f in frames]}")
    expect([f["event"] for f in frames] == [e["event_type"] for e in events],
           "event: must be the event_type")
    expect([f["json"] for f in frames] == events, "data must equal the /events JSON")
    expect(all("\n" not in f["data"] for f in frames), "data must be one line")


@check("sse/since-and-last-event-id-larger-wins")
def sse_resume(c: ContractClient) -> None:
    intent_id = _canceled_intent(c)
    path = f"/v1/intents/{intent_id}/events/stream"
    _, by_header = c.read_stream(path, params={"since": 1}, headers={"last-event-id": "2"})
    seqs = [f["json"]["seq"] for f in parse_frames(by_header) if "json" in f]
    expect(bool(seqs) and seqs[0] == 3, f"Last-Event-ID 2 > since 1 must resume at 3: {seqs}")
    _, by_query = c.read_stream(path, params={"since": 3}, headers={"last-event-id": "1"})
    seqs = [f["json"]["seq"] for f in parse_frames(by_query) if "json" in f]
    expect(bool(seqs) and seqs[0] == 4, f"since 3 > Last-Event-ID 1 must resume at 4: {seqs}")


@check("sse/stream-timeout-frame")
def sse_timeout(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    status, text = c.read_stream(f"/v1/intents/{intent_id}/events/stream",
                                 params={"wait_seconds": 1}, timeout_s=15)
    expect(status == 200, f"stream status {status}")
    frames = parse_frames(text)
    expect(frames[-1].get("event") == "stream.timeout", f"last frame: {frames[-1:]}")
    # next_seq = last seq the stream covered + 1 (REQ-SSE-011): the intent has seq 1.
    expect(frames[-1]["json"] == {"next_seq": 2}, f"stream.timeout data: {frames[-1]}")


@check("sse/unknown-intent-404")
def sse_unknown(c: ContractClient) -> None:
    status, text = c.read_stream("/v1/intents/00000000-0000-4000-8000-00000000abcd/events/stream")
    expect(status == 404 and "intent_not_found" in text, f"{status}: {text[:200]}")
