"""retry_intent (REQ-REATTEMPT-005..012) through the sync and the async client against the
real server: the new attempt, and wait_for / observe on the original following retried_by."""

from __future__ import annotations

import pytest

import axme
from axme.models import RetryResult

from .conftest import Api

pytestmark = pytest.mark.integration


async def _failed(api: Api) -> tuple[str, str, object]:
    address, agent = await api.new_agent()
    intent_id = await api.call(
        "send_intent",
        {"intent_type": "intent.test.retry.v1", "to_agent": address, "payload": {"n": 1}},
    )
    [delivery] = await api.take(agent.listen(address), count=1)
    await api.call_on(agent, "fail_intent", intent_id, "boom", delivery_id=delivery.delivery_id)
    return intent_id, address, agent


async def test_retry_then_wait_for_and_observe_the_original_lead_to_the_outcome(api: Api) -> None:
    intent_id, address, agent = await _failed(api)
    retried = await api.call(
        "retry_intent", intent_id, reason="flaky network", payload_patch={"n": 2}
    )
    assert isinstance(retried, RetryResult)
    assert (retried.retry_of, retried.attempt, retried.from_step) == (intent_id, 2, "agent")
    [delivery] = await api.take(agent.listen(address), count=1)
    assert delivery.intent_id == retried.intent_id and delivery.intent["payload"] == {"n": 2}
    await api.call_on(
        agent, "resume_intent", retried.intent_id, {"ok": True}, delivery_id=delivery.delivery_id
    )
    done = await api.call("wait_for", intent_id, timeout=10)
    assert done.intent_id == retried.intent_id and done.status == "COMPLETED"
    assert done.retry_of == intent_id and done.attempt == 2
    events = await api.take(api.admin.observe(intent_id))
    first = [e.event_type for e in events if e.intent_id == intent_id]
    second = [e.event_type for e in events if e.intent_id == retried.intent_id]
    assert first[0] == "intent.submitted" and first[-1] == "intent.failed"
    assert second[0] == "intent.submitted" and second[-1] == "intent.completed"
    assert len(first) + len(second) == len(events)


async def test_a_failed_intent_not_retried_is_returned_and_a_completed_one_is_409(api: Api) -> None:
    intent_id, _, _ = await _failed(api)
    failed = await api.call("wait_for", intent_id, timeout=10)
    assert failed.status == "FAILED" and failed.retried_by is None
    retried = await api.call("retry_intent", intent_id)
    with pytest.raises(axme.ConflictError) as caught:
        await api.call("retry_intent", intent_id)
    assert caught.value.code == "invalid_transition"
    assert caught.value.details == {"status": "FAILED", "retried_by": retried.intent_id}
