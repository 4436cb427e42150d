"""PushReceiver's answers that need no server: wrong method, oversized body, rejected
signature, shutting down (the acked paths run against the real server in
tests/flows/test_readme.py::test_push_block and conformance push/*)."""

from __future__ import annotations

import time

import httpx
import pytest

from axme import AsyncAxmeClient, AxmeClientConfig, PushReceiver, sign_delivery
from axme.push import MAX_BODY_BYTES

SECRET = "whsec_unit_0123456789abcdef"
BODY = b'{"delivery_id":"dlv_a","intent_id":"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10"}'


def never_called(delivery: object) -> None:
    raise AssertionError("the handler must not run")


@pytest.fixture
async def receiver() -> PushReceiver:
    # 127.0.0.1:9 (discard): any API call would fail loudly; none is expected here.
    client = AsyncAxmeClient(
        AxmeClientConfig(api_key="axme_admin_unit", base_url="http://127.0.0.1:9")
    )
    return PushReceiver(client, never_called, SECRET)


async def post(receiver: PushReceiver, body: bytes, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=receiver)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        return await http.post("/", content=body, headers=headers)


async def test_only_post_is_accepted(receiver: PushReceiver) -> None:
    transport = httpx.ASGITransport(app=receiver)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
        answer = await http.get("/")
    assert (answer.status_code, answer.json()) == (405, {"error": "method_not_allowed"})


async def test_an_oversized_body_is_refused_before_verification(receiver: PushReceiver) -> None:
    answer = await post(receiver, b"x" * (MAX_BODY_BYTES + 1))
    assert (answer.status_code, answer.json()) == (413, {"error": "body_too_large"})


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing_signature"),
        ({"x-axme-signature": "t=1,v1=00"}, "stale_timestamp"),
        ({"x-axme-signature": "garbage"}, "malformed_signature"),
    ],
)
async def test_rejections_answer_401_with_the_reason(
    receiver: PushReceiver, headers: dict[str, str], reason: str
) -> None:
    answer = await post(receiver, BODY, **headers)
    assert (answer.status_code, answer.json()) == (401, {"error": reason})


async def test_a_wrong_secret_is_401(receiver: PushReceiver) -> None:
    signed = sign_delivery(BODY, "whsec_someone_else", int(time.time()))
    answer = await post(
        receiver, BODY, **{"x-axme-signature": signed, "x-axme-delivery-id": "dlv_a"}
    )
    assert (answer.status_code, answer.json()) == (401, {"error": "signature_mismatch"})


async def test_after_aclose_pushes_get_503(receiver: PushReceiver) -> None:
    await receiver.aclose()
    signed = sign_delivery(BODY, SECRET, int(time.time()))
    answer = await post(
        receiver, BODY, **{"x-axme-signature": signed, "x-axme-delivery-id": "dlv_a"}
    )
    assert (answer.status_code, answer.json()) == (503, {"error": "shutting_down"})
