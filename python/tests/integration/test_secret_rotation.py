"""rotateCallbackSecret, rotateWebhookSecret, rotateLinkSecret (REQ-SECRET-002/004/006..008)."""

from __future__ import annotations

import re
import uuid

import pytest

import axme

from .conftest import Api

pytestmark = pytest.mark.integration

SECRET = re.compile(r"whsec_[0-9A-Za-z]{32}")


async def test_rotate_callback_secret_shows_the_new_secret_once(api: Api) -> None:
    registered = await api.call(
        "register_agent",
        f"hook-{uuid.uuid4().hex[:8]}",
        delivery_mode="http",
        callback_url="http://127.0.0.1:9/axme",
    )
    address = registered.agent.address
    key = str(uuid.uuid4())
    rotated = await api.call("rotate_callback_secret", address, idempotency_key=key)
    assert SECRET.fullmatch(rotated.callback_secret)
    assert rotated.agent.address == address and "callback_secret" not in rotated.agent
    assert rotated.previous_expires_at is not None  # the registration's secret overlaps
    assert "callback_secret" not in await api.call("get_agent", address)
    with pytest.raises(axme.ConflictError) as replay:  # a replay does not show it again
        await api.call("rotate_callback_secret", address, idempotency_key=key)
    assert replay.value.details["reason"] == "secret_not_kept"
    chosen = "my-own-secret-0123456789"
    again = await api.call(
        "rotate_callback_secret", address, callback_secret=chosen, overlap_seconds=0
    )
    assert again.callback_secret == chosen and again.previous_expires_at is None
    plain, _ = await api.new_agent()  # not an http agent
    with pytest.raises(axme.ConflictError) as wrong_mode:
        await api.call("rotate_callback_secret", plain)
    assert wrong_mode.value.code == "invalid_transition"


async def test_rotate_webhook_secret_needs_an_admin_key(api: Api) -> None:
    rotated = await api.call("rotate_webhook_secret", overlap_seconds=0)
    assert SECRET.fullmatch(rotated.webhook_secret) and rotated.previous_expires_at is None
    overlapped = await api.call("rotate_webhook_secret", overlap_seconds=60)
    assert overlapped.webhook_secret != rotated.webhook_secret
    assert overlapped.previous_expires_at is not None
    _, agent = await api.new_agent()
    with pytest.raises(axme.PermissionDeniedError):
        await api.call_on(agent, "rotate_webhook_secret")
    with pytest.raises(axme.ValidationError):
        await api.call("rotate_webhook_secret", overlap_seconds=604801)


async def test_rotate_link_secret_is_for_the_first_workspaces_admin(api: Api) -> None:
    operator = api.client(api.server.admin_api_key)
    rotated = await api.call_on(operator, "rotate_link_secret", overlap_seconds=3600)
    assert rotated.rotated_at and rotated.previous_expires_at is not None
    assert set(rotated) == {"ok", "rotated_at", "previous_expires_at"}  # never the secret
    with pytest.raises(axme.PermissionDeniedError) as denied:  # another workspace's admin
        await api.call("rotate_link_secret")
    assert denied.value.details.get("reason") == "operator_required"
