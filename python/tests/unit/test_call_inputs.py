"""What the client does with what the caller hands it: a resume form given to
resume_intent is sent as is (REQ-RESUME-010); an unknown keyword argument is a
TypeError, never silently dropped (REQ-CLIENT-007)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx

from axme import AsyncAxmeClient, AxmeClient

from .conftest import BASE

WRITTEN = {"ok": True, "applied": True, "intent": {"intent_id": "i-1", "status": "FAILED"}}


@pytest.mark.parametrize(
    "result",
    [
        {"action": "fail", "reason": "disk full"},
        {"action": "complete", "answer": 42},
        {"kind": "progress", "details": {"pct": 5}},
        {"task_result": {"outcome": "approved"}},
        {"approve_current_step": True},
    ],
)
@respx.mock(base_url=BASE)
def test_a_resume_form_is_sent_unchanged(
    respx_mock: respx.MockRouter, client: AxmeClient, result: dict[str, Any]
) -> None:
    route = respx_mock.post("/v1/intents/i-1/resume").respond(json=WRITTEN)
    client.resume_intent("i-1", result)
    assert json.loads(route.calls.last.request.content) == result


@respx.mock(base_url=BASE)
def test_a_resume_form_gets_the_delivery_id_only_when_it_has_none(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.post("/v1/intents/i-1/resume").respond(json=WRITTEN)
    client.resume_intent("i-1", {"action": "fail"}, delivery_id="d1")
    assert json.loads(route.calls.last.request.content) == {"action": "fail", "delivery_id": "d1"}
    client.resume_intent("i-1", {"action": "fail", "delivery_id": "d0"}, delivery_id="d1")
    assert json.loads(route.calls.last.request.content) == {"action": "fail", "delivery_id": "d0"}


@respx.mock(base_url=BASE)
def test_a_plain_result_is_still_wrapped(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    route = respx_mock.post("/v1/intents/i-1/resume").respond(json=WRITTEN)
    client.resume_intent("i-1", {"status": "fail", "reason": "x"})
    assert json.loads(route.calls.last.request.content) == {
        "kind": "agent_result",
        "outcome": "complete",
        "result": {"status": "fail", "reason": "x"},
    }


INTENT = {"intent_type": "intent.demo.v1", "to_agent": "agent://a/b/c", "payload": {}}


@respx.mock(base_url=BASE, assert_all_called=False)
def test_an_unknown_keyword_is_a_type_error_before_any_request(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.route().respond(json={"ok": True})
    calls: list[Any] = [
        lambda: client.send_intent(INTENT, owner_agent="agent://a/b/d"),
        lambda: client.create_intent(INTENT, timeout_seconds=5),
        lambda: client.get_intent("i-1", timeout=5),
        lambda: client.resume_intent("i-1", {}, deliveryid="d1"),
        lambda: client.cancel_intent("i-1", reasn="typo"),
        lambda: client.approve_task("i-1", coment="typo"),
        lambda: client.wait_for("i-1", timeout_ms=10),
        lambda: client.observe("i-1", from_seq=3),
        lambda: client.listen("agent", auto_ack=False),
        lambda: client.list_intents(state="COMPLETED"),
    ]
    for call in calls:
        with pytest.raises(TypeError, match="unexpected keyword argument"):
            call()
    assert route.call_count == 0


def test_the_message_names_the_method_and_the_keyword(client: AxmeClient) -> None:
    with pytest.raises(TypeError) as caught:
        client.send_intent(INTENT, owner_agent="x")
    assert str(caught.value) == "send_intent() got an unexpected keyword argument 'owner_agent'"


async def test_the_async_client_refuses_them_too(aclient: AsyncAxmeClient) -> None:
    with pytest.raises(TypeError, match="'owner_agent'"):
        await aclient.send_intent(INTENT, owner_agent="x")
    with pytest.raises(TypeError, match="'from_seq'"):
        aclient.observe("i-1", from_seq=3)


@respx.mock(base_url=BASE)
def test_named_parameters_and_call_options_still_pass(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.post("/v1/intents/i-1/resume").respond(json=WRITTEN)
    client.resume_intent(
        "i-1",
        {},
        delivery_id="d1",
        trace_id="t-1",
        idempotency_key="k-1",
        request_timeout=5.0,
        headers={"x-a": "1"},
        extra_body={"note": 1},
    )
    assert route.calls.last.request.headers["x-trace-id"] == "t-1"
    assert json.loads(route.calls.last.request.content)["note"] == 1
