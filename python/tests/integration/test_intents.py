"""Every intent operation against the real server, with the sync and the async client."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

import axme

from .conftest import Api, spawn

pytestmark = pytest.mark.integration


def new_intent(to_agent: str, **extra: Any) -> dict[str, Any]:
    return {
        "intent_type": "intent.test.demo.v1",
        "to_agent": to_agent,
        "payload": {"n": 21, "nested": {"camelCase": True}},
        **extra,
    }


async def test_health(api: Api) -> None:
    health = await api.call("get_health")
    assert health.ok and health["protocol"] == "axp/1" and health.response.status_code == 200


async def test_create_get_and_list(api: Api) -> None:
    address, _ = await api.new_agent()
    created = await api.call("create_intent", new_intent(address))
    assert created["status"] == "SUBMITTED" and created.intent_id
    intent = await api.call("get_intent", created.intent_id)
    assert isinstance(intent, axme.Intent)
    assert intent["status"] == intent.status == "SUBMITTED" and intent.to_agent == address
    assert intent.payload == {"n": 21, "nested": {"camelCase": True}}  # never re-cased
    second = await api.call("send_intent", new_intent(address))
    assert isinstance(second, str)
    page = await api.call("list_intents", limit=1)
    assert [i.intent_id for i in page.intents] == [second]  # newest first
    rest = await api.call("list_intents", limit=1, cursor=page.next_cursor)
    assert [i.intent_id for i in rest.intents] == [created.intent_id]
    filtered = await api.call("list_intents", status="SUBMITTED", to_agent=address)
    assert {i.intent_id for i in filtered.intents} == {created.intent_id, second}


async def test_integers_beyond_64_bits_come_back_exact_in_responses_and_streams(api: Api) -> None:
    """REQ-LIMIT-010 through the client's JSON reading (orjson reads such integers as floats;
    `_transport.loads` hands those texts to the standard library)."""
    address, agent = await api.new_agent()
    big = {"p64": 2**64 + 1, "n70": -(2**70) - 3, "small": 7, "text": "1" * 25}  # no float is equal
    intent_id = await api.call("send_intent", new_intent(address, payload=big))
    assert (await api.call("get_intent", intent_id)).payload == big
    deliveries = await api.take(agent.listen(address), count=1)
    assert deliveries[0].intent.payload == big
    await api.call_on(agent, "resume_intent", intent_id, big, delivery_id=deliveries[0].delivery_id)
    events = await api.take(api.admin.observe(intent_id))
    assert events[-1].status == "COMPLETED"
    assert (await api.call("get_intent", intent_id)).result == big


async def test_events_observe_and_audit(api: Api) -> None:
    address, agent = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    deliveries = await api.take(agent.listen(address), count=1)
    await api.call_on(
        agent, "report_progress", intent_id, {"pct": 50}, delivery_id=deliveries[0].delivery_id
    )
    await api.call_on(
        agent, "resume_intent", intent_id, {"answer": 42}, delivery_id=deliveries[0].delivery_id
    )
    events = await api.take(api.admin.observe(intent_id))
    types = [e.event_type for e in events]
    assert types[0] == "intent.submitted" and types[-1] == "intent.completed"
    assert "intent.progress" in types
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    tail = await api.take(api.admin.observe(intent_id, since=len(events) - 1))
    assert [e.seq for e in tail] == [len(events)]
    page = await api.call("list_intent_events", intent_id, since=1)
    assert [e.seq for e in page.events] == list(range(2, len(events) + 1))
    audit = await api.call("get_intent_audit", intent_id)
    assert audit.intent_id == intent_id and audit.audit
    page_of_one = await api.call("get_intent_audit", intent_id, since=1, limit=1)  # REQ-LIMIT-013
    assert [e.seq for e in page_of_one.audit] == [2] and page_of_one.next_seq == 3
    intent = await api.call("get_intent", intent_id)
    assert intent.status == "COMPLETED" and intent.result == {"answer": 42}
    # what the server sent parses into the models generated from the spec
    assert str(intent.to_model().intent_id) == intent_id
    assert [e.to_model().seq for e in events] == [e.seq for e in events]
    assert deliveries[0].to_model().delivery_id == deliveries[0].delivery_id
    assert all(entry.to_model().seq == entry.seq for entry in audit.audit)


async def test_observe_streams_live_events(api: Api) -> None:
    address, agent = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    watcher = spawn(api, api.admin, "wait_for", intent_id, timeout=30)
    deliveries = await api.take(agent.listen(address), count=1)
    await asyncio.sleep(0)
    assert not watcher.done()
    await api.call_on(
        agent,
        "fail_intent",
        intent_id,
        {"code": "nope", "message": "cannot"},
        delivery_id=deliveries[0].delivery_id,
    )
    result = await asyncio.wait_for(watcher, 30)
    assert result["status"] == "FAILED" and result.error["code"] == "nope"


async def test_wait_for_canceled_and_already_terminal(api: Api) -> None:
    address, _ = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    canceled = await api.call("cancel_intent", intent_id, reason="changed my mind")
    assert canceled.applied and canceled.intent.status == "CANCELED"
    assert (await api.call("wait_for", intent_id))["status"] == "CANCELED"
    with pytest.raises(axme.ConflictError) as info:
        await api.call("resolve_intent", intent_id, "COMPLETED", result={})
    assert info.value.code == "intent_terminal" and info.value.error_type == "Conflict"


async def test_resolve_completed(api: Api) -> None:
    address, _ = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    resolved = await api.call("resolve_intent", intent_id, "COMPLETED", result={"by": "admin"})
    assert resolved.intent.status == "COMPLETED" and resolved.intent.result == {"by": "admin"}


async def test_wait_for_timed_out_by_deadline(api: Api) -> None:
    address, _ = await api.new_agent()
    clock = api.server.testing("GET", "/_testing/clock")["now"]
    now = datetime.fromisoformat(clock.replace("Z", "+00:00"))
    deadline_at = (now + timedelta(seconds=600)).isoformat(timespec="milliseconds")
    intent_id = await api.call(
        "send_intent", new_intent(address, deadline_at=deadline_at.replace("+00:00", "Z"))
    )
    waiter = spawn(api, api.admin, "wait_for", intent_id, timeout=30)
    api.advance_clock(601)
    result = await asyncio.wait_for(waiter, 30)
    assert result["status"] == "TIMED_OUT"


async def test_wait_for_timeout_leaves_the_intent_alone(api: Api) -> None:
    address, _ = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    with pytest.raises(axme.WaitTimeoutError) as info:
        await api.call("wait_for", intent_id, timeout=1.0)
    assert info.value.intent_id == intent_id and info.value.last_status in (None, "SUBMITTED")
    assert (await api.call("get_intent", intent_id)).status == "SUBMITTED"
    writes = [r for r in api.requests() if r["method"] == "POST" and intent_id in r["path"]]
    assert writes == []


async def test_errors_from_the_server(api: Api) -> None:
    with pytest.raises(axme.NotFoundError) as missing:
        await api.call("get_intent", "00000000-0000-4000-8000-000000000000")
    assert missing.value.code == "intent_not_found" and missing.value.request_id
    with pytest.raises(axme.NotFoundError) as no_agent:
        await api.call("create_intent", new_intent("agent://nobody/here/at-all"))
    assert no_agent.value.code == "agent_not_found"
    address, _ = await api.new_agent()
    with pytest.raises(axme.ValidationError) as invalid:
        await api.call(
            "create_intent", {"intent_type": "Not A Type", "to_agent": address, "payload": {}}
        )
    assert invalid.value.status == 422 and invalid.value.code == "validation_error"
    stranger = api.client("axme_admin_nope_nope")
    with pytest.raises(axme.AuthenticationError) as denied:
        await api.call_on(stranger, "list_intents")
    assert denied.value.status == 401


async def test_trace_id_and_headers_reach_the_server(api: Api) -> None:
    await api.call("list_intents", trace_id="trace-abc")
    recorded = [r for r in api.requests() if r["path"] == "/v1/intents"][-1]
    headers = recorded["headers"]
    assert headers["x-trace-id"] == "trace-abc"
    assert headers["user-agent"] == f"axme-python/{axme.__version__}"
    assert headers["x-axme-client"] == f"axme-python/{axme.__version__}"
