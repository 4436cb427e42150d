"""Contract checks: the SSE streams (framing, resume, long-poll end, keepalive, limits)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import httpx

from axme_conformance.contract.client import ContractClient, expect, parse_frames
from axme_conformance.contract.registry import check
from axme_conformance.testing_api import HARNESS_USER_AGENT


def _canceled_intent(c: ContractClient) -> str:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    delivery = c.take_delivery(address, key, intent_id)
    c.resume(
        intent_id,
        {"kind": "progress", "details": {}, "delivery_id": delivery["delivery_id"]},
        key=key,
    )
    c.ok(c.request("POST", f"/v1/intents/{intent_id}/resolve", body={"status": "CANCELED"}))
    return intent_id


@check(
    "sse/framing-and-close-after-terminal",
    requirements=["REQ-SSE-002", "REQ-SSE-003", "REQ-SSE-009", "REQ-EVENT-008"],
)
def sse_framing(c: ContractClient) -> None:
    intent_id = _canceled_intent(c)
    status, text = c.read_stream(f"/v1/intents/{intent_id}/events/stream")
    expect(status == 200, f"stream status {status}: {text[:200]}")
    expect(text.startswith("retry: 2000\n\n"), f"stream must start with retry: {text[:40]!r}")
    frames = [f for f in parse_frames(text) if "data" in f]
    events = c.events(intent_id)
    expect(
        [f["id"] for f in frames] == [str(e["seq"]) for e in events],
        f"ids must be the seqs: {[f.get('id') for f in frames]}",
    )
    expect(
        [f["event"] for f in frames] == [e["event_type"] for e in events],
        "event: must be the event_type",
    )
    expect([f["json"] for f in frames] == events, "data must equal the /events JSON")
    expect(all("\n" not in f["data"] for f in frames), "data must be one line")


@check("sse/since-and-last-event-id-larger-wins", requirements=["REQ-SSE-007", "REQ-SSE-008"])
def sse_resume(c: ContractClient) -> None:
    intent_id = _canceled_intent(c)
    path = f"/v1/intents/{intent_id}/events/stream"
    _, by_header = c.read_stream(path, params={"since": 1}, headers={"last-event-id": "2"})
    seqs = [f["json"]["seq"] for f in parse_frames(by_header) if "json" in f]
    expect(bool(seqs) and seqs[0] == 3, f"Last-Event-ID 2 > since 1 must resume at 3: {seqs}")
    _, by_query = c.read_stream(path, params={"since": 3}, headers={"last-event-id": "1"})
    seqs = [f["json"]["seq"] for f in parse_frames(by_query) if "json" in f]
    expect(bool(seqs) and seqs[0] == 4, f"since 3 > Last-Event-ID 1 must resume at 4: {seqs}")


@check("sse/stream-timeout-frame", requirements=["REQ-SSE-010", "REQ-SSE-011"])
def sse_timeout(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    status, text = c.read_stream(
        f"/v1/intents/{intent_id}/events/stream", params={"wait_seconds": 1}, timeout_s=15
    )
    expect(status == 200, f"stream status {status}")
    frames = parse_frames(text)
    expect(frames[-1].get("event") == "stream.timeout", f"last frame: {frames[-1:]}")
    # next_seq = last seq the stream covered + 1 (REQ-SSE-011): the intent has seq 1.
    expect(frames[-1]["json"] == {"next_seq": 2}, f"stream.timeout data: {frames[-1]}")


@check("sse/unknown-intent-404", requirements=["REQ-SSE-001"])
def sse_unknown(c: ContractClient) -> None:
    status, text = c.read_stream("/v1/intents/00000000-0000-4000-8000-00000000abcd/events/stream")
    expect(status == 404 and "intent_not_found" in text, f"{status}: {text[:200]}")


@check("sse/keepalive-comment", requirements=["REQ-SSE-006"])
def sse_keepalive(c: ContractClient) -> None:
    """Waits for the first keepalive (the suite's own reference server sends one every
    second; any server must within 15 s)."""
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    status, text, _ = c.stream(
        f"/v1/intents/{intent_id}/events/stream",
        params={"wait_seconds": 20},
        timeout_s=25,
        until=lambda t: ": keepalive\n\n" in t.replace("\r\n", "\n"),
    )
    expect(status == 200, f"stream status {status}")
    expect(
        ": keepalive\n\n" in text.replace("\r\n", "\n"),
        f"no `: keepalive` comment before the stream ended: {text[-200:]!r}",
    )


@check("sse/wait-seconds-bounds", requirements=["REQ-SSE-010"])
def sse_wait_bounds(c: ContractClient) -> None:
    address, key = c.new_agent()
    intent_id = c.new_intent(address)
    for path, stream_key in (
        (f"/v1/intents/{intent_id}/events/stream", None),
        (f"/v1/agents/{quote(address, safe='')}/intents/stream", key),
    ):
        for bad in (0, 301, "soon"):
            status, text, _ = c.stream(path, params={"wait_seconds": bad}, key=stream_key)
            expect(
                status == 422 and "validation_error" in text,
                f"{path} wait_seconds={bad!r}: {status} {text[:200]}",
            )
    _, text = c.read_stream(
        f"/v1/intents/{intent_id}/events/stream", params={"wait_seconds": 1}, timeout_s=15
    )
    last = text.replace("\r\n", "\n").rstrip("\n").split("\n\n")[-1]
    expect(
        last.startswith("event: stream.timeout") and "id:" not in last,
        f"stream.timeout must be sent without an id: line: {last!r}",
    )


CONCURRENT_STREAMS = 100


@check("sse/hundred-concurrent-streams", requirements=["REQ-SSE-015"])
def sse_concurrency(c: ContractClient) -> None:
    address, _ = c.new_agent()
    intent_id = c.new_intent(address)
    opened = asyncio.run(_open_streams(c, f"/v1/intents/{intent_id}/events/stream"))
    statuses = sorted({s for s, _ in opened})
    expect(statuses == [200], f"statuses of {CONCURRENT_STREAMS} concurrent streams: {statuses}")
    expect(
        all(first.startswith("retry: 2000") for _, first in opened),
        "every concurrent stream must start with retry: 2000",
    )


async def _open_streams(c: ContractClient, path: str) -> list[tuple[int, str]]:
    """Open CONCURRENT_STREAMS streams, hold each until all are open, then close."""
    all_open = asyncio.Event()
    results: list[tuple[int, str]] = []
    limits = httpx.Limits(max_connections=CONCURRENT_STREAMS + 10)
    headers = {"x-api-key": c.admin_key, "user-agent": HARNESS_USER_AGENT}
    async with httpx.AsyncClient(
        base_url=c.base_url, limits=limits, headers=headers, timeout=20
    ) as http:

        async def one() -> None:
            async with http.stream("GET", path, params={"wait_seconds": 30}) as response:
                first = ""
                if response.status_code == 200:
                    async for chunk in response.aiter_text():
                        first = chunk
                        break
                results.append((response.status_code, first))
                if len(results) == CONCURRENT_STREAMS:
                    all_open.set()
                await asyncio.wait_for(all_open.wait(), timeout=20)

        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(CONCURRENT_STREAMS))), 30)
    return results
