"""Retries, backoff, Retry-After, idempotency keys, headers and error mapping (respx)."""

from __future__ import annotations

import email.utils
import json
import logging
import time
import uuid
from typing import Any

import httpx
import pytest
import respx

import axme
from axme import AxmeClient

from .conftest import BASE, KEY, make_config

INTENT = {"intent_id": "i-1", "status": "SUBMITTED", "last_seq": 1}
CREATED = {
    "ok": True,
    "intent_id": "i-1",
    "status": "SUBMITTED",
    "created_at": "2026-01-01T00:00:00.000Z",
}
NEW_INTENT = {"intent_type": "intent.demo.v1", "to_agent": "agent://a/b/c", "payload": {"x": 1}}


def envelope(status: int, code: str, *, retryable: bool = False, **headers: str) -> httpx.Response:
    body = {
        "ok": False,
        "error": {
            "code": code,
            "message": f"{code} happened",
            "category": "x",
            "retryable": retryable,
            "details": {"field": "f"},
        },
        "detail": f"{code} happened",
    }
    return httpx.Response(status, json=body, headers={"x-request-id": "req-9", **headers})


@respx.mock(base_url=BASE)
def test_headers_on_every_call(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    route = respx_mock.get("/v1/intents/i-1").respond(json={"ok": True, "intent": INTENT})
    client.get_intent("i-1")
    request = route.calls.last.request
    assert request.headers["x-api-key"] == KEY
    assert request.headers["user-agent"] == f"axme-python/{axme.__version__}"
    assert request.headers["x-axme-client"] == f"axme-python/{axme.__version__}"
    assert uuid.UUID(request.headers["x-trace-id"]).version == 4  # REQ-CLIENT-004
    assert request.headers["x-trace-id"] == str(uuid.UUID(request.headers["x-trace-id"]))
    assert "idempotency-key" not in request.headers


@respx.mock(base_url=BASE)
def test_trace_id_is_per_call_unless_given(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.get("/v1/intents/i-1").respond(json={"ok": True, "intent": INTENT})
    client.get_intent("i-1")
    client.get_intent("i-1")
    client.get_intent("i-1", trace_id="my-trace")
    ids = [call.request.headers["x-trace-id"] for call in route.calls]
    assert ids[0] != ids[1] and ids[2] == "my-trace"


@respx.mock(base_url=BASE)
def test_503_then_200_retries_with_backoff_and_reuses_keys(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    route = respx_mock.post("/v1/intents").mock(
        side_effect=[
            envelope(503, "unavailable"),
            envelope(503, "unavailable"),
            httpx.Response(200, json=CREATED),
        ]
    )
    result = client.create_intent(NEW_INTENT)
    assert result["intent_id"] == "i-1" and result.status == "SUBMITTED"
    assert route.call_count == 3
    keys = {call.request.headers["idempotency-key"] for call in route.calls}
    traces = {call.request.headers["x-trace-id"] for call in route.calls}
    bodies = {call.request.content for call in route.calls}
    assert len(keys) == 1 and len(traces) == 1 and len(bodies) == 1
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


@respx.mock(base_url=BASE)
def test_each_post_call_gets_a_new_idempotency_key(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.post("/v1/intents").respond(json=CREATED)
    client.create_intent(NEW_INTENT)
    client.create_intent(NEW_INTENT)
    client.create_intent(NEW_INTENT, idempotency_key="mine")
    keys = [call.request.headers["idempotency-key"] for call in route.calls]
    assert keys[0] != keys[1] and keys[2] == "mine"


@respx.mock(base_url=BASE)
def test_retries_exhausted_raise_the_last_error(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(return_value=envelope(500, "internal_error"))
    with pytest.raises(axme.ServerError) as info:
        client.get_intent("i-1")
    assert route.call_count == 3 and len(sleeps) == 2
    assert info.value.status == 500 and info.value.code == "internal_error"
    assert info.value.request_id == "req-9"


@respx.mock(base_url=BASE)
def test_max_retries_zero_means_one_attempt(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(return_value=envelope(503, "unavailable"))
    with AxmeClient(make_config(max_retries=0)) as c, pytest.raises(axme.ServerError):
        c.get_intent("i-1")
    assert route.call_count == 1


@respx.mock(base_url=BASE)
def test_429_honours_retry_after_seconds(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    respx_mock.get("/v1/intents/i-1").mock(
        side_effect=[
            envelope(429, "rate_limited", **{"Retry-After": "3"}),
            httpx.Response(200, json={"ok": True, "intent": INTENT}),
        ]
    )
    assert client.get_intent("i-1").intent_id == "i-1"
    assert sleeps == [3.0]


@respx.mock(base_url=BASE)
def test_429_honours_retry_after_http_date(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    respx_mock.get("/v1/intents/i-1").mock(
        side_effect=[
            envelope(429, "rate_limited", **{"Retry-After": when}),
            httpx.Response(200, json={"ok": True, "intent": INTENT}),
        ]
    )
    client.get_intent("i-1")
    assert len(sleeps) == 1 and 3.5 <= sleeps[0] <= 5.0


@respx.mock(base_url=BASE)
def test_retry_after_above_60s_raises_without_waiting(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(
        return_value=envelope(429, "rate_limited", retryable=True, **{"Retry-After": "61"})
    )
    with pytest.raises(axme.RateLimitError) as info:
        client.get_intent("i-1")
    assert route.call_count == 1 and sleeps == []
    assert info.value.retry_after == 61.0 and info.value.retryable is True


@respx.mock(base_url=BASE)
def test_retry_after_of_exactly_60s_is_waited(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    respx_mock.get("/v1/intents/i-1").mock(
        side_effect=[
            envelope(503, "unavailable", **{"Retry-After": "60"}),
            httpx.Response(200, json={"ok": True, "intent": INTENT}),
        ]
    )
    client.get_intent("i-1")
    assert sleeps == [60.0]


@respx.mock(base_url=BASE)
def test_408_is_retried(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    route = respx_mock.get("/health").mock(
        side_effect=[httpx.Response(408), httpx.Response(200, json={"ok": True, "version": "1"})]
    )
    assert client.get_health().ok
    assert route.call_count == 2


@respx.mock(base_url=BASE)
def test_connection_errors_are_retried_then_raised(
    respx_mock: respx.MockRouter, client: AxmeClient, sleeps: list[float]
) -> None:
    route = respx_mock.post("/v1/intents").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(axme.AxmeConnectionError) as info:
        client.create_intent(NEW_INTENT)
    assert not isinstance(info.value, axme.AxmeTimeoutError)
    assert route.call_count == 3 and len(sleeps) == 2
    assert len({c.request.headers["idempotency-key"] for c in route.calls}) == 1


@respx.mock(base_url=BASE)
def test_timeouts_raise_timeout_error(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    respx_mock.get("/v1/intents/i-1").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(axme.AxmeTimeoutError) as info:
        client.get_intent("i-1")
    assert isinstance(info.value, axme.AxmeConnectionError)
    assert info.value.error_type == "Timeout"


@respx.mock(base_url=BASE)
def test_connection_error_then_success(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    respx_mock.get("/v1/intents/i-1").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"ok": True, "intent": INTENT}),
        ]
    )
    assert client.get_intent("i-1")["status"] == "SUBMITTED"


ERROR_TABLE = [
    (400, "bad_request", axme.BadRequestError, "BadRequest"),
    (401, "unauthorized", axme.AuthenticationError, "Authentication"),
    (403, "forbidden", axme.PermissionDeniedError, "PermissionDenied"),
    (404, "intent_not_found", axme.NotFoundError, "NotFound"),
    (405, "method_not_allowed", axme.BadRequestError, "BadRequest"),
    (409, "intent_terminal", axme.ConflictError, "Conflict"),
    (413, "payload_too_large", axme.BadRequestError, "BadRequest"),
    (422, "validation_error", axme.ValidationError, "Validation"),
]


@pytest.mark.parametrize(("status", "code", "cls", "type_name"), ERROR_TABLE)
@respx.mock(base_url=BASE)
def test_error_mapping(
    respx_mock: respx.MockRouter,
    client: AxmeClient,
    status: int,
    code: str,
    cls: type[axme.AxmeApiError],
    type_name: str,
) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(return_value=envelope(status, code))
    with pytest.raises(cls) as info:
        client.get_intent("i-1")
    error = info.value
    assert type(error) is cls and error.error_type == type_name
    assert isinstance(error, axme.AxmeApiError) and isinstance(error, axme.AxmeError)
    assert (error.status, error.code, error.message) == (status, code, f"{code} happened")
    assert error.details == {"field": "f"} and error.request_id == "req-9"
    assert error.body["ok"] is False
    assert route.call_count == 1  # 4xx is never retried


@respx.mock(base_url=BASE)
def test_error_without_envelope(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    respx_mock.get("/v1/intents/i-1").mock(
        return_value=httpx.Response(502, text="<html>bad gateway")
    )
    with pytest.raises(axme.ServerError) as info:
        client.get_intent("i-1")
    assert info.value.status == 502 and info.value.code == "http_502"
    assert info.value.retryable is True and info.value.message == "<html>bad gateway"
    assert info.value.body == "<html>bad gateway"


@respx.mock(base_url=BASE)
def test_408_after_retries_is_a_timeout_error(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(return_value=httpx.Response(408))
    with pytest.raises(axme.RequestTimeoutError) as info:
        client.get_intent("i-1")
    assert isinstance(info.value, axme.AxmeTimeoutError) and isinstance(
        info.value, axme.AxmeApiError
    )
    assert info.value.error_type == "Timeout" and route.call_count == 3


@respx.mock(base_url=BASE)
def test_501_is_not_retried(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(return_value=httpx.Response(501))
    with pytest.raises(axme.ServerError):
        client.get_intent("i-1")
    assert route.call_count == 1


@respx.mock(base_url=BASE)
def test_health_does_not_send_the_key(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    route = respx_mock.get("/health").respond(json={"ok": True})
    client.get_health()
    assert "x-api-key" not in route.calls.last.request.headers
    assert route.calls.last.request.headers["x-trace-id"]


@respx.mock(base_url=BASE)
def test_unexpected_success_body_is_a_clear_error(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    respx_mock.get("/v1/intents/i-1").mock(return_value=httpx.Response(200, text="not json"))
    with pytest.raises(axme.AxmeError, match="getIntent: unexpected response body"):
        client.get_intent("i-1")


@respx.mock(base_url=BASE)
def test_address_is_one_encoded_path_segment(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    route = respx_mock.get(url__regex=r"/v1/agents/.*").respond(
        json={"ok": True, "agent": {"address": "agent://org/ws/bot"}}
    )
    agent = client.get_agent("agent://org/ws/bot")
    assert agent.address == "agent://org/ws/bot"
    assert route.calls.last.request.url.raw_path == b"/v1/agents/agent%3A%2F%2Forg%2Fws%2Fbot"


def test_empty_path_parameter_is_rejected(client: AxmeClient) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        client.get_intent("")


def test_non_object_body_is_rejected(client: AxmeClient) -> None:
    with pytest.raises(TypeError, match="JSON object"):
        client.create_intent(["not", "a", "dict"])  # type: ignore[arg-type]


def test_config_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AXME_API_KEY", raising=False)
    with pytest.raises(ValueError, match="AXME_API_KEY"):
        axme.AxmeClientConfig()


def test_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXME_API_KEY", "axme_admin_x_y")
    monkeypatch.setenv("AXME_BASE_URL", "http://127.0.0.1:9/")
    config = axme.AxmeClientConfig()
    assert config.api_key == "axme_admin_x_y" and config.base_url == "http://127.0.0.1:9"
    assert "axme_admin_x_y" not in repr(config)


def test_config_rejects_a_bad_base_url() -> None:
    with pytest.raises(ValueError, match="base_url"):
        axme.AxmeClientConfig(api_key="k", base_url="ftp://x")


@respx.mock(base_url=BASE)
def test_logs_never_contain_the_key(
    respx_mock: respx.MockRouter, client: AxmeClient, caplog: pytest.LogCaptureFixture
) -> None:
    respx_mock.get("/v1/intents/i-1").mock(
        side_effect=[
            envelope(503, "unavailable"),
            httpx.Response(
                200, json={"ok": True, "intent": INTENT}, headers={"x-request-id": "r-2"}
            ),
        ]
    )
    with caplog.at_level(logging.DEBUG, logger="axme"):
        client.get_intent("i-1")
    messages = [r.getMessage() for r in caplog.records]
    assert any("retrying GET /v1/intents/i-1" in m for m in messages)
    # one debug line per attempt: method, path, status, attempt, request id
    assert any(m.startswith("GET /v1/intents/i-1 -> 503 (attempt 1,") for m in messages)
    assert any("GET /v1/intents/i-1 -> 200 (attempt 2, request r-2," in m for m in messages)
    secret = KEY.rsplit("_", 1)[-1]
    assert all(KEY not in m and secret not in m for m in messages)


@respx.mock(base_url=BASE)
def test_results_are_typed_mappings_over_wire_json(
    respx_mock: respx.MockRouter, client: AxmeClient
) -> None:
    intent = {**INTENT, "status": "COMPLETED", "result": {"ok": 1}, "custom_field": [1]}
    respx_mock.get("/v1/intents/i-1").respond(
        json={"ok": True, "intent": intent}, headers={"x-request-id": "r1"}
    )
    got = client.get_intent("i-1")
    assert got["status"] == "COMPLETED" and got.status == "COMPLETED" and got.is_terminal
    assert got.get("missing") is None and dict(got) == intent and got == intent
    assert json.loads(json.dumps(got.to_dict())) == intent
    assert got.response is not None and got.response.request_id == "r1"
    assert got.response.body == {"ok": True, "intent": intent}


def _decision_body(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


@respx.mock(base_url=BASE)
def test_helper_bodies(respx_mock: respx.MockRouter, client: AxmeClient) -> None:
    written = {"ok": True, "applied": True, "intent": INTENT}
    resume = respx_mock.post("/v1/intents/i-1/resume").respond(json=written)
    resolve = respx_mock.post("/v1/intents/i-1/resolve").respond(json=written)
    decide = respx_mock.post("/v1/tasks/i-1/decision").respond(json=written)

    client.resume_intent("i-1", {"answer": 42}, delivery_id="d1")
    assert _decision_body(resume) == {
        "kind": "agent_result",
        "outcome": "complete",
        "result": {"answer": 42},
        "delivery_id": "d1",
    }
    client.fail_intent("i-1", "boom")
    assert _decision_body(resume) == {
        "kind": "agent_result",
        "outcome": "fail",
        "error": {"code": "agent_error", "message": "boom"},
    }
    client.report_progress("i-1", {"pct": 50}, delivery_id="d1")
    assert _decision_body(resume) == {
        "kind": "progress",
        "details": {"pct": 50},
        "delivery_id": "d1",
    }
    client.resume_intent("i-1", {"answer": 42})
    assert _decision_body(resume) == {
        "kind": "agent_result",
        "outcome": "complete",
        "result": {"answer": 42},
    }
    client.resume_intent_with("i-1", {"action": "complete", "x": 1})
    assert _decision_body(resume) == {"action": "complete", "x": 1}
    client.resume_intent_with("i-1", {"kind": "task_result", "outcome": "approved"})
    assert _decision_body(resume) == {"kind": "task_result", "outcome": "approved"}
    client.fail_intent("i-1", {"message": "no code"}, delivery_id="d1")
    assert _decision_body(resume) == {
        "kind": "agent_result",
        "outcome": "fail",
        "error": {"code": "agent_error", "message": "no code"},
        "delivery_id": "d1",
    }
    client.cancel_intent("i-1", reason="no longer needed")
    assert _decision_body(resolve) == {"status": "CANCELED", "reason": "no longer needed"}
    client.approve_task("i-1", comment="lgtm")
    assert _decision_body(decide) == {"outcome": "approved", "comment": "lgtm"}
    client.reject_task("i-1")
    assert _decision_body(decide) == {"outcome": "rejected"}
    result = client.complete_task("i-1", data={"a": 1})
    assert _decision_body(decide) == {"outcome": "completed", "data": {"a": 1}}
    assert result.applied and result.intent.intent_id == "i-1"
