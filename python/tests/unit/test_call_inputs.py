"""What the client does with what the caller hands it: a resume form given to
resume_intent is sent as is (REQ-RESUME-010); an unknown keyword argument is a
TypeError, never silently dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx

from axme import AxmeClient

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
