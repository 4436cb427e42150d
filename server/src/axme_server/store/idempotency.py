"""What an idempotency record keeps (REQ-IDEMP-003, REQ-IDEMP-009).

A replay needs the status and the body, nothing else. Operations that mint a key
secret (createKey, registerAgent, createAgentKey) answer with `api_key`, which is
shown once and never stored (REQ-AUTH-003): their record keeps instead the answer a
replay gets, 409 `idempotency_conflict` with `details.reason = "secret_not_kept"` and
the ids of what the first request made, so the caller can revoke that key and mint a
new one. The rule sits at the storage boundary, so no caller can store a secret."""

from __future__ import annotations

from typing import Any

from axme_server.errors import envelope
from axme_server.jsonutil import dumps, loads

# (the rotations answer with a signing secret, shown once too: REQ-SECRET-002)
SECRET_MINTING_OPS = frozenset(
    {"createKey", "registerAgent", "createAgentKey", "rotateCallbackSecret", "rotateWebhookSecret"}
)


def operation_of(scope_key: str) -> str:
    """scope keys are `key_id|operationId|path|Idempotency-Key` (app.py)."""
    parts = scope_key.split("|", 2)
    return parts[1] if len(parts) > 2 else ""


def secret_not_kept(response: bytes) -> bytes:
    """The 409 body a replay of a secret-minting operation gets."""
    try:
        body = loads(response)
    except ValueError:
        body = {}
    details: dict[str, Any] = {"reason": "secret_not_kept"}
    key = body.get("key") if isinstance(body, dict) else None
    plaintext = body.get("api_key") if isinstance(body, dict) else None
    if isinstance(key, dict) and key.get("key_id"):
        details["key_id"] = key["key_id"]
    elif isinstance(plaintext, str) and plaintext.count("_") >= 3:  # axme_<kind>_<key_id>_<secret>
        details["key_id"] = plaintext.split("_", 3)[2]
    agent = body.get("agent") if isinstance(body, dict) else None
    if isinstance(agent, dict) and agent.get("address"):
        details["address"] = agent["address"]
    message = (
        "this request already succeeded and minted a key secret, which is shown only once and not kept "
        "for replays; revoke the key it made (details.key_id) if the secret was lost, and create a new one"
    )
    return dumps(envelope("idempotency_conflict", message, details, 409))


def record_to_keep(scope_key: str, status: int, response: bytes) -> tuple[int, bytes]:
    if operation_of(scope_key) in SECRET_MINTING_OPS and 200 <= status < 300:
        return 409, secret_not_kept(response)
    return status, response
