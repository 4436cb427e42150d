"""Signing secrets (REQ-SECRET-*): generation, the overlap window of a rotation, and the
`X-Axme-Signature` header (REQ-PUSH-004, REQ-SECRET-005).

A secret list is `[{"secret": str, "expires_at": float | None}, …]`, current first; an
entry whose `expires_at` passed is no longer valid and is dropped at the next rotation."""

from __future__ import annotations

import hashlib
import hmac
import secrets as _random
import string
from typing import Any

from axme_server.errors import validation

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
DEFAULT_OVERLAP_SECONDS = 86400
MAX_OVERLAP_SECONDS = 604800
MIN_SECRET, MAX_SECRET = 16, 128


def generate_secret() -> str:
    """`whsec_` + 32 base62 characters from the OS CSPRNG (REQ-SECRET-001)."""
    return "whsec_" + "".join(_random.choice(ALPHABET) for _ in range(32))


def check_given_secret(value: Any, field: str) -> str:
    if not isinstance(value, str) or not MIN_SECRET <= len(value) <= MAX_SECRET:
        raise validation(f"{field} must be a string of {MIN_SECRET} to {MAX_SECRET} characters", field)
    return value


def check_overlap(body: dict[str, Any]) -> int:
    overlap = body.get("overlap_seconds", DEFAULT_OVERLAP_SECONDS)
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap <= MAX_OVERLAP_SECONDS:
        raise validation(
            f"overlap_seconds must be an integer from 0 to {MAX_OVERLAP_SECONDS}", "overlap_seconds"
        )
    return overlap


def valid(entries: list[dict[str, Any]] | None, now: float) -> list[str]:
    """The secrets a signature is made with now, current first."""
    return [e["secret"] for e in entries or () if e.get("expires_at") is None or e["expires_at"] > now]


def rotate(
    entries: list[dict[str, Any]] | None, new: str, overlap: int, now: float
) -> tuple[list[dict[str, Any]], float | None]:
    """The new list (new current, the old current kept `overlap` seconds; older ones dropped:
    at most two valid at a time) and when the kept one expires (None: nothing kept)."""
    current = valid(entries, now)[:1]
    if not current or overlap == 0:
        return [{"secret": new, "expires_at": None}], None
    expires = now + overlap
    return [{"secret": new, "expires_at": None}, {"secret": current[0], "expires_at": expires}], expires


def signature(secret: str, t: int, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 over `t.body` keyed with the UTF-8 secret (REQ-PUSH-004)."""
    return hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret_list: list[str], t: int, body: bytes) -> str:
    """`t=<t>,v1=<current>[,v1=<previous>]` (REQ-SECRET-005)."""
    return ",".join([f"t={t}", *(f"v1={signature(s, t, body)}" for s in secret_list)])
