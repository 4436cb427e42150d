"""Retries and stream resume against the server's fault injection (/_testing/faults)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import pytest

import axme

from .conftest import Api, spawn
from .test_intents import new_intent

pytestmark = pytest.mark.integration


async def test_503_twice_then_success_with_one_idempotency_key(api: Api) -> None:
    address, _ = await api.new_agent()
    api.faults({"op": "createIntent"}, {"type": "status", "status": 503, "times": 2})
    intent_id = await api.call("send_intent", new_intent(address))
    attempts = [r for r in api.requests() if r["op"] == "createIntent"]
    assert [r["status"] for r in attempts] == [503, 503, 200]
    assert len({r["headers"]["idempotency-key"] for r in attempts}) == 1
    assert len({r["headers"]["x-trace-id"] for r in attempts}) == 1
    assert len({r["body_sha256"] for r in attempts}) == 1
    listed = await api.call("list_intents", to_agent=address)
    assert [i.intent_id for i in listed.intents] == [intent_id]  # created exactly once


async def test_429_with_retry_after_is_honoured(api: Api) -> None:
    api.faults(
        {"op": "listAgents"}, {"type": "status", "status": 429, "times": 1, "retry_after": "1"}
    )
    started = asyncio.get_running_loop().time()
    await api.call("list_agents")
    assert asyncio.get_running_loop().time() - started >= 0.95
    assert [r["status"] for r in api.requests() if r["op"] == "listAgents"] == [429, 200]


async def test_retry_after_above_the_cap_is_raised(api: Api) -> None:
    api.faults(
        {"op": "listAgents"}, {"type": "status", "status": 429, "times": 1, "retry_after": "120"}
    )
    with pytest.raises(axme.RateLimitError) as info:
        await api.call("list_agents")
    assert info.value.retry_after == 120.0
    assert len([r for r in api.requests() if r["op"] == "listAgents"]) == 1


async def test_observe_resumes_after_a_dropped_stream(api: Api) -> None:
    address, agent = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    api.faults({"op": "streamIntentEvents"}, {"type": "drop_stream", "after_events": 2, "times": 1})
    watcher = spawn(api, api.admin, "wait_for", intent_id, timeout=30)
    observed = spawn(api, api.admin, "observe", intent_id)  # returns the stream object
    stream = await observed
    [delivery] = await api.take(agent.listen(address), count=1)
    await api.call_on(agent, "resume_intent", intent_id, {}, delivery_id=delivery.delivery_id)
    events = await api.take(stream)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].event_type == "intent.completed"
    assert (await asyncio.wait_for(watcher, 30)).status == "COMPLETED"
    streams = [r for r in api.requests() if r["op"] == "streamIntentEvents"]
    assert len(streams) >= 2
    resumed = [r for r in streams if r["headers"].get("last-event-id")]
    assert resumed  # the dropped connection was resumed from its last id
    for request in resumed:
        since = parse_qs(request["query"])["since"][0]  # the raw query string
        assert since == request["headers"]["last-event-id"]
