"""The intent handle against the real server, with the sync and the async client
(REQ-CLIENT-010): submit_intent -> handle; wait, observe, get, complete, fail, cancel."""

from __future__ import annotations

import pytest

import axme

from .conftest import Api

pytestmark = pytest.mark.integration


def intent(to_agent: str) -> dict[str, object]:
    return {"intent_type": "intent.test.handle.v1", "to_agent": to_agent, "payload": {"n": 1}}


async def test_submit_returns_a_handle_that_completes_and_waits(api: Api) -> None:
    address, _ = await api.new_agent()
    handle = await api.call("submit_intent", intent(address))
    assert isinstance(handle, (axme.IntentHandle, axme.AsyncIntentHandle))
    assert handle.intent_id and handle.created is not None
    assert handle.created["status"] == "SUBMITTED"
    assert (await api.call_on(handle, "get")).status == "SUBMITTED"
    written = await api.call_on(handle, "complete", {"answer": 42})
    assert written.intent.status == "COMPLETED"
    final = await api.call_on(handle, "wait", timeout=10)
    assert final.status == "COMPLETED" and final.result == {"answer": 42}
    events = await api.take(handle.observe())
    assert events[-1].status == "COMPLETED"
    assert [e.seq for e in events] == sorted(e.seq for e in events)


async def test_fail_and_cancel_end_the_intent(api: Api) -> None:
    address, _ = await api.new_agent()
    failing = await api.call("submit_intent", intent(address))
    await api.call_on(failing, "fail", "the plan is invalid")
    failed = await api.call_on(failing, "wait", timeout=10)
    assert failed.status == "FAILED"
    assert failed.error["code"] == "failed" and failed.error["message"] == "the plan is invalid"
    explicit = await api.call("submit_intent", intent(address))
    await api.call_on(explicit, "fail", {"code": "plan_invalid", "message": "no"})
    assert (await api.call_on(explicit, "get")).error["code"] == "plan_invalid"
    canceled = await api.call("submit_intent", intent(address))
    await api.call_on(canceled, "cancel", reason="no longer needed")
    assert (await api.call_on(canceled, "wait", timeout=10)).status == "CANCELED"


async def test_the_handle_of_an_existing_intent_sends_nothing_until_used(api: Api) -> None:
    address, _ = await api.new_agent()
    intent_id = await api.call("send_intent", intent(address))
    before = len(api.requests())
    handle = api.admin.intent(intent_id)
    assert handle.intent_id == intent_id and handle.created is None
    assert len(api.requests()) == before
    assert (await api.call_on(handle, "get")).intent_id == intent_id


async def test_the_handle_sends_the_initiators_resolve(api: Api) -> None:
    address, _ = await api.new_agent()
    handle = await api.call("submit_intent", intent(address))
    await api.call_on(handle, "complete")
    resolves = [r for r in api.requests() if r["path"].endswith("/resolve")]
    assert resolves[-1]["body"] == {"status": "COMPLETED", "result": {}}


def test_a_handle_needs_an_id_and_refuses_unknown_options() -> None:
    client = axme.AxmeClient(axme.AxmeClientConfig(api_key="axme_admin_k_s", base_url="http://x"))
    with pytest.raises(ValueError):
        client.intent("")
    with pytest.raises(TypeError, match="'timeout_seconds'"):
        client.intent("i-1").wait(timeout_seconds=3)
