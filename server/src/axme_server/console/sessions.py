"""Console sessions (REQ-CONSOLE-001..005): an API key is exchanged once for a random session
id; the store keeps only its SHA-256. Each request acts with the key's rights at that moment
(a revoked or expired key ends its sessions). The CSRF token is an HMAC of the session id, so it
is tied to the session, differs per session and needs no storage."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from axme_server.auth import Principal
from axme_server.errors import ApiError

if TYPE_CHECKING:
    from axme_server.service import Engine

COOKIE = "axme_console"
DEFAULT_HOURS = 12.0


class NotSignedIn(Exception):
    """No cookie, an unknown or expired session, or its key no longer works."""


@dataclass(frozen=True)
class Session:
    session_id: str
    session_hash: str
    principal: Principal

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_id)


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def csrf_token(session_id: str) -> str:
    return hmac.new(session_id.encode(), b"axme-console-csrf", hashlib.sha256).hexdigest()


def cookie_value(headers: dict[str, str]) -> str | None:
    for part in (headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value
    return None


def set_cookie(session_id: str, max_age: int, secure: bool) -> bytes:
    flags = f"; Max-Age={max_age}; Path=/console; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
    return f"{COOKIE}={session_id}{flags}".encode()


def clear_cookie(secure: bool) -> bytes:
    return set_cookie("", 0, secure)


class Sessions:
    def __init__(self, engine: Engine, hours: float = DEFAULT_HOURS) -> None:
        self.engine = engine
        self.lifetime = hours * 3600

    async def sign_in(self, api_key: str) -> tuple[str, Principal]:
        """(new session id, principal); ApiError 401 for a key /v1 would refuse (REQ-CONSOLE-001)."""
        now = self.engine.clock.now()
        principal = self.engine.keys.authenticate(api_key.strip() or None, now)
        session_id = secrets.token_urlsafe(32)
        row = {
            "session_hash": hash_id(session_id),
            "key_id": principal.key_id,
            "workspace_id": principal.workspace_id,
            "created_at": now,
            "expires_at": now + self.lifetime,
        }
        await self.engine.store.write([("console_session_delete", None, now), ("console_session", row)])
        return session_id, principal

    def current(self, headers: dict[str, str]) -> Session:
        session_id = cookie_value(headers)
        if not session_id or len(session_id) > 128:
            raise NotSignedIn
        session_hash = hash_id(session_id)
        row = self.engine.store.get_console_session(session_hash)
        now = self.engine.clock.now()
        if row is None or row["expires_at"] <= now:
            raise NotSignedIn
        try:
            principal = self.engine.keys.principal_for(row["key_id"], now)
        except ApiError:
            raise NotSignedIn from None
        return Session(session_id, session_hash, principal)

    async def sign_out(self, session: Session) -> None:
        await self.engine.store.write([("console_session_delete", session.session_hash, None)])


def csrf_ok(session: Session, form: dict[str, str]) -> bool:
    return hmac.compare_digest(form.get("csrf", ""), session.csrf)
