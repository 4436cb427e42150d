"""Agents (register, keys, poll, listen, serve), human tasks, scenarios and admin keys."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import axme

from .conftest import Api, spawn
from .test_intents import new_intent

pytestmark = pytest.mark.integration


async def test_agent_registry(api: Api) -> None:
    registered = await api.call(
        "register_agent", "billing-bot", display_name="Billing", delivery_mode="poll"
    )
    address = registered.agent.address
    assert address == f"agent://{api.namespace}/default/billing-bot"
    assert registered.api_key.startswith("axme_agent_")
    with pytest.raises(axme.ConflictError) as exists:
        await api.call("register_agent", "billing-bot")
    assert exists.value.code == "agent_exists"
    assert (await api.call("get_agent", address)).delivery_mode == "poll"
    assert (await api.call("get_agent", "billing-bot")).address == address
    listed = await api.call("list_agents")
    assert address in [a.address for a in listed.agents]
    key = await api.call("create_agent_key", address)
    assert key.api_key.startswith("axme_agent_") and key.key.kind == "agent"
    with pytest.raises(axme.NotFoundError):
        await api.call("get_agent", "agent://nowhere/none/nobody")


async def test_poll_ack_and_stale_delivery(api: Api) -> None:
    address, agent = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    batch = await api.call_on(agent, "poll_agent_deliveries", address, wait_seconds=5)
    [delivery] = batch.deliveries
    assert delivery.intent_id == intent_id and delivery.intent.payload["n"] == 21
    acked = await api.call_on(agent, "ack_intent", intent_id, delivery.delivery_id)
    assert acked.intent.status == "ACKNOWLEDGED" and acked.lease_expires_at
    with pytest.raises(axme.ConflictError) as stale:
        await api.call_on(agent, "resume_intent", intent_id, {}, delivery_id="not-current")
    assert stale.value.code == "stale_delivery"
    done = await api.call_on(
        agent, "resume_intent", intent_id, {"ok": 1}, delivery_id=delivery.delivery_id
    )
    assert done.intent.status == "COMPLETED"


async def test_resume_with_any_body_and_fail_without_a_code(api: Api) -> None:
    address, agent = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    batch = await api.call_on(agent, "poll_agent_deliveries", address, wait_seconds=5)
    delivery_id = batch.deliveries[0].delivery_id
    progress = {"kind": "progress", "details": {"pct": 10}, "delivery_id": delivery_id}
    moved = await api.call_on(agent, "resume_intent_with", intent_id, progress)
    assert moved.intent.status == "IN_PROGRESS"
    with pytest.raises(axme.ValidationError):  # sent as given: a bare object is the server's 422
        await api.call_on(agent, "resume_intent_with", intent_id, {"answer": 42})
    failed = await api.call_on(
        agent, "fail_intent", intent_id, {"message": "no code given"}, delivery_id=delivery_id
    )
    assert failed.intent.status == "FAILED"
    assert failed.intent.error == {"code": "agent_error", "message": "no code given"}


async def test_listen_delivers_and_acks(api: Api) -> None:
    address, agent = await api.new_agent()
    first = await api.call("send_intent", new_intent(address))
    second = await api.call("send_intent", new_intent(address))
    deliveries = await api.take(agent.listen(address), count=2)
    assert {d.intent_id for d in deliveries} == {first, second}
    for d in deliveries:
        intent = await api.call("get_intent", d.intent_id)
        assert intent.status == "ACKNOWLEDGED"


async def test_serve_completes_renews_leases_and_fails(api: Api) -> None:
    address, agent = await api.new_agent()
    slow = await api.call("send_intent", new_intent(address, payload={"sleep": 6.0}))
    bad = await api.call("send_intent", new_intent(address, payload={"explode": True}))

    def handler(delivery: axme.Delivery) -> dict[str, Any]:
        payload = delivery.intent.payload
        if payload.get("explode"):
            raise RuntimeError("cannot handle this")
        time.sleep(payload.get("sleep", 0))  # longer than the 4 s lease: renewal must happen
        return {"handled": delivery.intent_id}

    served = spawn(api, agent, "serve", address, handler, max_deliveries=2)
    assert await asyncio.wait_for(served, 60) == 2
    done = await api.call("get_intent", slow)
    assert done.status == "COMPLETED" and done.result == {"handled": slow}
    assert done["delivery_attempt"] == 1  # never redelivered: the lease was renewed
    failed = await api.call("get_intent", bad)
    assert failed.status == "FAILED"
    assert failed.error["code"] == "agent_error" and failed.error["message"] == "cannot handle this"


async def test_human_task_decisions(api: Api) -> None:
    address, agent = await api.new_agent()
    task = {"title": "Approve the migration", "task_type": "approval"}
    ids = [await api.call("send_intent", new_intent(address, human_task=task)) for _ in range(3)]
    deliveries = await api.take(agent.listen(address), count=3)
    for d in deliveries:
        await api.call_on(
            agent, "resume_intent", d.intent_id, {"validated": True}, delivery_id=d.delivery_id
        )
    waiting = await api.call("get_intent", ids[0])
    assert waiting.status == "WAITING" and waiting.waiting_reason == "WAITING_FOR_HUMAN"
    tasks = await api.call("list_tasks")
    assert set(ids) <= {t.intent_id for t in tasks.tasks}
    approved = await api.call("approve_task", ids[0], comment="looks good")
    assert approved.intent.status == "COMPLETED"
    assert approved.intent.result == {"validated": True}
    rejected = await api.call("reject_task", ids[1], comment="not today")
    assert rejected.intent.status == "FAILED" and rejected.intent.error["code"] == "rejected"
    completed = await api.call("decide_task", ids[2], "approved", data={"ticket": "T-1"})
    assert completed.intent.status == "COMPLETED"
    audit = await api.call("get_intent_audit", ids[0])
    assert any(e.outcome == "approved" and e.comment == "looks good" for e in audit.audit)
    remaining = await api.call("list_tasks", status="pending")
    assert not set(ids) & {t.intent_id for t in remaining.tasks}


async def test_complete_task_on_a_form(api: Api) -> None:
    address, agent = await api.new_agent()
    task = {
        "title": "Fill in the form",
        "task_type": "form",
        "form_schema": {
            "type": "object",
            "required": ["reason"],
            "properties": {"reason": {"type": "string"}},
        },
    }
    intent_id = await api.call("send_intent", new_intent(address, human_task=task))
    [delivery] = await api.take(agent.listen(address), count=1)
    await api.call_on(agent, "resume_intent", intent_id, {}, delivery_id=delivery.delivery_id)
    with pytest.raises(axme.ValidationError):
        await api.call("complete_task", intent_id, "submitted", data={"wrong": 1})
    done = await api.call("complete_task", intent_id, "submitted", data={"reason": "audit"})
    assert done.intent.status == "COMPLETED"


async def test_scenarios(api: Api, scenario_bundle: dict[str, Any]) -> None:
    report = await api.call("validate_scenario", scenario_bundle)
    assert report.valid and report.problems == []
    broken = {**scenario_bundle, "workflow": {"steps": [{"step_id": "x", "assigned_to": "ghost"}]}}
    bad = await api.call("validate_scenario", broken)
    assert not bad.valid and bad.problems
    applied = await api.call("apply_scenario", scenario_bundle)
    assert applied.status in ("SUBMITTED", "DELIVERED") and applied.scenario_id
    [agent_info] = applied.agents
    assert agent_info["created"] is True and agent_info["api_key"].startswith("axme_agent_")
    agent = api.client(agent_info["api_key"])
    [delivery] = await api.take(agent.listen(agent_info["address"]), count=1)
    assert delivery.intent_id == applied.intent_id
    await api.call_on(
        agent,
        "resume_intent",
        applied.intent_id,
        {"validated": True},
        delivery_id=delivery.delivery_id,
    )
    await api.call("approve_task", applied.intent_id)
    assert (await api.call("wait_for", applied.intent_id, timeout=30)).status == "COMPLETED"


async def test_admin_keys(api: Api) -> None:
    created = await api.call(
        "create_key", "human", "Ada", human={"id": "ada", "display_name": "Ada L."}
    )
    assert created.api_key.startswith("axme_human_") and created.key.kind == "human"
    listed = await api.call("list_keys")
    assert created.key.key_id in [k.key_id for k in listed.entries]
    assert all("api_key" not in k for k in listed.entries)
    revoked = await api.call("revoke_key", created.key.key_id)
    assert revoked["revoked_at"]
    human = api.client(created.api_key)
    with pytest.raises(axme.AuthenticationError):
        await api.call_on(human, "list_tasks")


async def test_raw_stream_operations(api: Api) -> None:
    address, agent = await api.new_agent()
    intent_id = await api.call("send_intent", new_intent(address))
    raw = await api.take(agent.stream_agent_deliveries(address, wait_seconds=1))
    assert [d.intent_id for d in raw] == [intent_id]  # then the connection ended by itself
    assert (await api.call("get_intent", intent_id)).status == "DELIVERED"  # no ack by the raw op
    await api.call_on(agent, "ack_intent", intent_id, raw[0].delivery_id)
    await api.call_on(agent, "resume_intent", intent_id, {}, delivery_id=raw[0].delivery_id)
    events = await api.take(api.admin.stream_intent_events(intent_id, since=1))
    assert [e.seq for e in events][0] == 2 and events[-1].event_type == "intent.completed"
    with pytest.raises(axme.NotFoundError):
        await api.take(api.admin.stream_intent_events("00000000-0000-4000-8000-000000000000"))
