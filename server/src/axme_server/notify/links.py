"""Signed decision tokens (REQ-NOTIFY-009/010, REQ-SECRET-008/009).

A token is `<payload>.<mac>`, both base64url without padding: the payload is compact
JSON binding the intent, the step, the person (`to`), the allowed outcomes, whether it
may decide, the channel it was sent through and its expiry; the mac is HMAC-SHA256 of
the payload part with the server's link-signing secret. Any still-valid secret verifies
(rotation overlap); comparison is constant-time. Single use is kept in the store: the
decision's commit writes `link_used:<jti>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _random
from dataclasses import dataclass
from typing import Any

from axme_server.jsonutil import dumps, loads

MAX_LIFETIME_SECONDS = 7 * 86400
MAX_TOKEN_CHARS = 4096


class LinkError(Exception):
    """Why a token decides nothing: `status` is the page's HTTP status (REQ-NOTIFY-014)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@dataclass(frozen=True)
class Grant:
    jti: str
    intent_id: str
    step_id: str
    to: str
    outcomes: tuple[str, ...]
    decide: bool
    channel: str
    expires_at: float


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def expiry(now: float, step_deadline: float | None) -> float:
    """min(now + 7 days, the step's deadline) (REQ-NOTIFY-010)."""
    end = now + MAX_LIFETIME_SECONDS
    return min(end, step_deadline) if step_deadline is not None else end


def mint(
    secret: str,
    *,
    intent_id: str,
    step_id: str,
    to: str,
    outcomes: list[str],
    decide: bool,
    channel: str,
    expires_at: float,
) -> str:
    payload = _b64(
        dumps(
            {
                "j": _random.token_urlsafe(12),
                "i": intent_id,
                "s": step_id,
                "p": to,
                "o": list(outcomes) if decide else [],
                "d": decide,
                "c": channel,
                "e": round(expires_at, 3),
            }
        )
    )
    return f"{payload}.{_mac(secret, payload)}"


def verify(token: str, valid_secrets: list[str], now: float) -> Grant:
    """The grant of an authentic, unexpired token, else LinkError (403 forged, 410 expired)."""
    forged = LinkError(
        403,
        "This link is not valid",
        "The link was changed or was not issued by this server. Use the link from your message.",
    )
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise forged
    payload, mac = token.split(".")
    # every secret is tried (no early exit): the time does not say which one matched
    matched = [hmac.compare_digest(_mac(s, payload), mac) for s in valid_secrets]
    if not any(matched):
        raise forged
    try:
        data: dict[str, Any] = loads(_unb64(payload))
        grant = Grant(
            str(data["j"]),
            str(data["i"]),
            str(data["s"]),
            str(data["p"]),
            tuple(data["o"]),
            bool(data["d"]),
            str(data["c"]),
            float(data["e"]),
        )
    except (ValueError, KeyError, TypeError):
        raise forged from None
    if now >= grant.expires_at:
        raise LinkError(
            410,
            "This link has expired",
            "Decision links expire after 7 days or at the task's deadline, whichever comes first.",
        )
    return grant
