"""Slack interactions (REQ-NOTIFY-015): a button of a `slack_webhook` notification posts
Slack's signed `block_actions` payload here. The v0 signature is checked with slack_sdk's
SignatureVerifier (HMAC-SHA256 over `v0:<timestamp>:<raw body>`, 5-minute window,
constant-time) before anything is read; the button's value is the decision token, so the
decision is the token's (its person, its outcomes), recorded with channel `slack`."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from axme_server.errors import ApiError
from axme_server.jsonutil import dumps, loads
from axme_server.notify.links import LinkError
from axme_server.outbound.secret_ops import check_callback_url

if TYPE_CHECKING:
    from axme_server.service import Engine

log = logging.getLogger("axme_server.notify")
DECIDE_PREFIX = "axme_decide:"


def _reply(text: str, replace: bool) -> bytes:
    return dumps(
        {
            "replace_original": replace,
            "response_type": "ephemeral" if not replace else "in_channel",
            "text": text,
        }
    )


def _payload(body: bytes) -> dict[str, Any]:
    try:
        raw = parse_qs(body.decode("utf-8"), max_num_fields=10).get("payload", [""])[0]
        payload = loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ApiError("bad_request", "the body must be Slack's form-encoded payload") from None
    if not isinstance(payload, dict):
        raise ApiError("bad_request", "payload must be a JSON object")
    return payload


async def handle_interaction(engine: Engine, body: bytes, headers: dict[str, str]) -> bytes:
    secret = engine.notify.settings.slack_signing_secret
    if not secret:
        raise ApiError(
            "not_found", "Slack interactions are not enabled on this server (--slack-signing-secret)"
        )
    try:  # wall clock: Slack's timestamps are real
        valid = SignatureVerifier(secret).is_valid_request(body, headers)
    except ValueError:  # a timestamp that is not a number
        valid = False
    if not valid:
        raise ApiError("unauthorized", "the Slack request signature is missing, wrong or too old")
    payload = _payload(body)
    action = next(
        (
            a
            for a in payload.get("actions") or []
            if isinstance(a, dict) and str(a.get("action_id", "")).startswith(DECIDE_PREFIX)
        ),
        None,
    )
    if payload.get("type") != "block_actions" or action is None:
        return dumps({"ok": True})  # e.g. the page's link button: nothing to decide
    outcome = action["action_id"][len(DECIDE_PREFIX) :]
    raw_user = payload.get("user")
    user: dict[str, Any] = raw_user if isinstance(raw_user, dict) else {}
    slack_id = str(user.get("id") or "")
    slack_name = str(user.get("username") or user.get("name") or slack_id)
    try:
        grant = engine.links.link_grant(str(action.get("value") or ""))
        done = await engine.links.decide_by_link(
            grant,
            {"outcome": outcome},
            channel="slack",
            actor_extra={
                "display_name": slack_name or grant.to,
                "slack_user_id": slack_id,
                "slack_user_name": slack_name,
            },
        )
        said = outcome.replace("_", " ").capitalize()  # "Approved by alice at …"
        reply = _reply(f"{said} by {slack_name or grant.to} at {done['decided_at']}", True)
    except LinkError as exc:
        reply = _reply(f"{exc.title}. {exc.message}", False)
    except ApiError as exc:
        if exc.status != 422:
            raise
        reply = _reply(f"Nothing was recorded: {exc.message}. Open the task to decide there.", False)
    _update_message(engine, payload.get("response_url"), reply)
    return reply


def _update_message(engine: Engine, url: Any, reply: bytes) -> None:
    """Slack shows the answer through the interaction's response_url (best effort: the
    decision is already recorded; the HTTP answer carries the same message)."""
    try:
        check_callback_url(url)
    except ApiError:
        return

    async def post() -> None:
        sender = engine.outbound.sender
        assert sender is not None, "the dispatcher starts before the server takes requests"
        attempt = await sender.post(url, reply, {"content-type": "application/json"})
        if not attempt.ok:
            log.warning("Slack response_url answered %s", attempt.error)

    task = asyncio.get_running_loop().create_task(post())
    engine.__dict__.setdefault("_slack_posts", set()).add(task)
    task.add_done_callback(engine.__dict__["_slack_posts"].discard)
