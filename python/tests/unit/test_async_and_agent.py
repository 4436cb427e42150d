"""AsyncAxmeClient parity, cancellation, and serve() (ack, lease renewal, resume/fail)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

import axme
from axme import AsyncAxmeClient, AxmeClient

from .conftest import BASE, mocked_async_client
from .test_streaming import DONE, delivery_frame, event, frame, sse

CREATED = {"ok": True, "intent_id": "i-1", "status": "SUBMITTED", "created_at": "x"}


@respx.mock(base_url=BASE)
async def test_async_retries_reuse_the_idempotency_key(
    respx_mock: respx.MockRouter, aclient: AsyncAxmeClient, sleeps: list[float]
) -> None:
    route = respx_mock.post("/v1/intents").mock(
        side_effect=[
            httpx.Response(503),
            httpx.ConnectError("reset"),
            httpx.Response(200, json=CREATED),
        ]
    )
    assert (
        await aclient.send_intent({"intent_type": "a.b.v1", "to_agent": "x", "payload": {}})
        == "i-1"
    )
    assert len({c.request.headers["idempotency-key"] for c in route.calls}) == 1
    assert route.call_count == 3 and len(sleeps) == 2


@respx.mock(base_url=BASE)
async def test_async_resume_helpers(respx_mock: respx.MockRouter, aclient: AsyncAxmeClient) -> None:
    written = {"ok": True, "applied": True, "intent": {"intent_id": "i-1", "status": "COMPLETED"}}
    route = respx_mock.post("/v1/intents/i-1/resume").respond(json=written)
    await aclient.resume_intent("i-1", {"n": 1}, delivery_id="d1")
    await aclient.resume_intent_with("i-1", {"kind": "progress", "details": {"pct": 5}})
    await aclient.fail_intent("i-1", {"code": "bad", "message": "no"})
    assert [json.loads(c.request.content) for c in route.calls] == [
        {"kind": "agent_result", "outcome": "complete", "result": {"n": 1}, "delivery_id": "d1"},
        {"kind": "progress", "details": {"pct": 5}},
        {"kind": "agent_result", "outcome": "fail", "error": {"code": "bad", "message": "no"}},
    ]


@respx.mock(base_url=BASE)
async def test_async_error_mapping(respx_mock: respx.MockRouter, aclient: AsyncAxmeClient) -> None:
    respx_mock.get("/v1/intents/nope").respond(
        404, json={"ok": False, "error": {"code": "intent_not_found", "message": "no such intent"}}
    )
    with pytest.raises(axme.NotFoundError, match="no such intent"):
        await aclient.get_intent("nope")


@respx.mock(base_url=BASE)
async def test_async_observe_resumes(
    respx_mock: respx.MockRouter, aclient: AsyncAxmeClient
) -> None:
    route = respx_mock.get("/v1/intents/i-1/events/stream").mock(
        side_effect=[sse(frame(event(1))), sse(frame(event(1)), frame(event(2)), frame(DONE))]
    )
    async with aclient.observe("i-1") as events:
        seqs = [e.seq async for e in events]
    assert seqs == [1, 2, 3]
    assert route.calls[1].request.headers["last-event-id"] == "1"


@respx.mock(base_url=BASE)
async def test_cancelling_a_call_stops_its_retries(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("/v1/intents/i-1").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "30"})
    )
    sleeping = asyncio.Event()

    async def slow_sleep(seconds: float) -> None:
        sleeping.set()
        await asyncio.sleep(seconds)

    async with mocked_async_client(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:
        client._runner.sleep = slow_sleep
        task = asyncio.create_task(client.get_intent("i-1"))
        await asyncio.wait_for(sleeping.wait(), timeout=5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
    assert route.call_count == 1


@respx.mock(base_url=BASE, assert_all_called=False)
async def test_cancelling_wait_for_never_cancels_the_intent(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/v1/intents/i-1").respond(
        json={"ok": True, "intent": {"intent_id": "i-1", "status": "WAITING", "last_seq": 1}}
    )
    opened = asyncio.Event()

    async def endless(request: httpx.Request) -> httpx.Response:
        opened.set()
        await asyncio.sleep(60)
        return sse()

    respx_mock.get("/v1/intents/i-1/events/stream").mock(side_effect=endless)
    writes = respx_mock.post(url__regex=r"/v1/intents/i-1/.*")
    async with mocked_async_client(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:
        task = asyncio.create_task(client.wait_for("i-1"))
        await asyncio.wait_for(opened.wait(), timeout=5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert writes.call_count == 0


def _lease_soon(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _agent_routes(respx_mock: respx.MockRouter, lease_seconds: float) -> dict[str, respx.Route]:
    d = {
        "delivery_id": "d1",
        "intent_id": "i-1",
        "attempt": 1,
        "status": "DELIVERED",
        "intent": {"intent_id": "i-1", "payload": {"n": 2}},
    }
    routes = {
        "stream": respx_mock.get(url__regex=r"/v1/agents/.*/intents/stream").mock(
            return_value=sse(delivery_frame(1, d))
        ),
        "ack": respx_mock.post("/v1/intents/i-1/ack").mock(
            side_effect=lambda r: httpx.Response(
                200,
                json={
                    "ok": True,
                    "intent": {"intent_id": "i-1"},
                    "lease_expires_at": _lease_soon(lease_seconds),
                },
            )
        ),
        "resume": respx_mock.post("/v1/intents/i-1/resume").respond(
            json={"ok": True, "applied": True, "intent": {"intent_id": "i-1"}}
        ),
    }
    return routes


def _bodies(route: respx.Route) -> list[Any]:
    return [json.loads(c.request.content) for c in route.calls]


def _wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@respx.mock(base_url=BASE)
def test_serve_renews_the_lease_and_resumes_with_the_result(respx_mock: respx.MockRouter) -> None:
    routes = _agent_routes(respx_mock, lease_seconds=1.5)  # renew every ~0.5 s
    with AxmeClient(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:

        def handler(d: axme.Delivery) -> dict[str, Any]:
            _wait_until(lambda: routes["ack"].call_count >= 2)  # a renewal (re-ack) happened
            return {"double": d.intent.payload["n"] * 2}

        assert client.serve("bot", handler, max_deliveries=1) == 1
    assert _bodies(routes["ack"])[:2] == [{"delivery_id": "d1"}, {"delivery_id": "d1"}]
    assert _bodies(routes["resume"]) == [
        {
            "kind": "agent_result",
            "outcome": "complete",
            "result": {"double": 4},
            "delivery_id": "d1",
        }
    ]


@respx.mock(base_url=BASE)
def test_serve_fails_the_intent_with_the_handlers_error(respx_mock: respx.MockRouter) -> None:
    routes = _agent_routes(respx_mock, lease_seconds=60)
    with AxmeClient(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:

        def handler(d: axme.Delivery) -> None:
            raise RuntimeError("disk full")

        client.serve("bot", handler, max_deliveries=1)
    assert _bodies(routes["resume"]) == [
        {
            "kind": "agent_result",
            "outcome": "fail",
            "delivery_id": "d1",
            "error": {"code": "agent_error", "message": "disk full"},
        }
    ]


class Crash(BaseException):
    pass


@respx.mock(base_url=BASE, assert_all_called=False)
def test_serve_crash_leaves_the_lease_to_expire(respx_mock: respx.MockRouter) -> None:
    routes = _agent_routes(respx_mock, lease_seconds=60)
    with AxmeClient(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:

        def handler(d: axme.Delivery) -> None:
            raise Crash()

        with pytest.raises(Crash):
            client.serve("bot", handler)
    assert routes["resume"].call_count == 0
    assert threading.active_count() < 10


@respx.mock(base_url=BASE)
async def test_async_serve_with_async_handler(respx_mock: respx.MockRouter) -> None:
    routes = _agent_routes(respx_mock, lease_seconds=1.5)
    async with mocked_async_client(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:

        async def handler(d: axme.Delivery) -> dict[str, Any]:
            deadline = time.monotonic() + 5
            while routes["ack"].call_count < 2:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            return {"ok": True}

        assert await client.serve("bot", handler, max_deliveries=1) == 1
    assert _bodies(routes["resume"]) == [
        {"kind": "agent_result", "outcome": "complete", "result": {"ok": True}, "delivery_id": "d1"}
    ]


@respx.mock(base_url=BASE)
async def test_async_serve_with_sync_handler_failure(respx_mock: respx.MockRouter) -> None:
    routes = _agent_routes(respx_mock, lease_seconds=60)
    async with mocked_async_client(axme.AxmeClientConfig(api_key="k", base_url=BASE)) as client:

        def handler(d: axme.Delivery) -> None:
            raise ValueError("bad input")

        await client.serve("bot", handler, max_deliveries=1)
    assert _bodies(routes["resume"])[0]["error"]["message"] == "bad input"
