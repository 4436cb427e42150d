"""Identity: hashed API keys of three kinds and the principal they authenticate.

Keys look like `axme_<kind>_<key_id>_<secret>`; only sha256(secret) is stored
and compared in constant time. Who may do what is decided in `access.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axme_server.errors import ApiError
from axme_server.limits import DEFAULT, LruCache

KINDS = ("admin", "agent", "human")
# <id>: 8-32 lower-case alphanumerics; <secret>: base62 (REQ-AUTH-002). Secrets minted before the
# base62 rule may hold '-' or '_'; they still parse (the id never holds '_') so old data dirs keep working.
_KEY_RE = re.compile(r"^axme_(admin|agent|human)_([a-z0-9]{8,32})_([A-Za-z0-9_\-]{16,128})$")
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SECRET_LENGTH = 32  # 32 base62 characters = 190 bits of entropy


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # admin | agent | human
    key_id: str
    workspace_id: str
    name: str
    agent_address: str | None = None
    human_id: str | None = None
    human_name: str | None = None
    human_contact: str | None = None  # a task assigned to the contact is assigned to this human too

    @property
    def actor(self) -> dict[str, Any]:
        if self.kind == "agent":
            return {"type": "agent", "id": self.agent_address, "display_name": self.name}
        if self.kind == "human":
            return {"type": "human", "id": self.human_id, "display_name": self.human_name or self.human_id}
        return {"type": "admin", "id": self.key_id, "display_name": self.name}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return "".join(secrets.choice(BASE62) for _ in range(SECRET_LENGTH))


def new_key(
    kind: str,
    workspace_id: str,
    name: str,
    now: str,
    *,
    agent_address: str | None = None,
    human: dict[str, Any] | None = None,
    expires_at: float | None = None,
) -> tuple[dict[str, Any], str]:
    """Returns (stored key doc, the one-time plaintext key)."""
    key_id = secrets.token_hex(8)
    secret = new_secret()
    plaintext = f"axme_{kind}_{key_id}_{secret}"
    doc = {
        "key_id": key_id,
        "kind": kind,
        "name": name,
        "workspace_id": workspace_id,
        "agent_address": agent_address,
        "human": human,
        "prefix": f"axme_{kind}_{key_id}",
        "created_at": now,
        "expires_at": expires_at,
        "revoked_at": None,
        "secret_hash": hash_secret(secret),
    }
    return doc, plaintext


def public_key(doc: dict[str, Any]) -> dict[str, Any]:
    from axme_server.jsonutil import iso

    out = {k: v for k, v in doc.items() if k != "secret_hash"}
    if isinstance(out.get("expires_at"), (int, float)):
        out["expires_at"] = iso(out["expires_at"])
    return out


def extract_key(headers: dict[str, str]) -> str | None:
    key = (headers.get("x-api-key") or "").strip() or None
    auth = headers.get("authorization")
    bearer = auth[7:].strip() if auth and auth[:7].lower() == "bearer " else None
    if key and bearer and key != bearer:
        raise ApiError("unauthorized", "x-api-key and Authorization: Bearer carry different keys")
    return key or bearer


class KeyRing:
    """Key lookup with an in-memory cache (keys are few; the hot path must be cheap)."""

    def __init__(self, store: Any, cache_entries: int = DEFAULT.cache_entries) -> None:
        self.store = store
        # key_id -> doc, or None for an unknown id; bounded because the id comes from the request (REQ-LIMIT-012)
        self._cache: LruCache[str, dict[str, Any] | None] = LruCache(cache_entries)
        # plaintext key -> (the key doc it was verified against, its principal); valid while that doc is current
        self._verified: LruCache[str, tuple[dict[str, Any], Principal]] = LruCache(cache_entries)
        self.on_revoked: list[Callable[[str], None]] = []  # told the key_id of each key revoked

    def remember(self, doc: dict[str, Any]) -> None:
        self._cache[doc["key_id"]] = doc
        if doc.get("revoked_at"):
            for listener in self.on_revoked:
                listener(doc["key_id"])

    def resize(self, cap: int) -> None:
        self._cache.cap = self._verified.cap = cap

    def cache_size(self) -> int:
        return max(len(self._cache), len(self._verified))

    def lookup(self, key_id: str) -> dict[str, Any] | None:
        if key_id not in self._cache:
            self._cache[key_id] = self.store.get_key(key_id)
        doc: dict[str, Any] | None = self._cache.get(key_id)
        return doc

    def authenticate(self, plaintext: str | None, now: float) -> Principal:
        if not plaintext:
            raise ApiError("unauthorized", "missing API key: send x-api-key or Authorization: Bearer")
        hit: tuple[dict[str, Any], Principal] | None = self._verified.get(plaintext)
        if hit is not None and self._cache.get(hit[1].key_id) is hit[0]:  # same doc: hash already compared
            _check_usable(hit[0], now)
            return hit[1]
        m = _KEY_RE.match(plaintext)
        if not m:
            raise ApiError("unauthorized", "malformed API key")
        kind, key_id, secret = m.groups()
        doc = self.lookup(key_id)
        if (
            doc is None
            or doc["kind"] != kind
            or not hmac.compare_digest(doc["secret_hash"], hash_secret(secret))
        ):
            raise ApiError("unauthorized", "invalid API key")
        _check_usable(doc, now)
        principal = principal_of(doc)
        self._verified[plaintext] = (doc, principal)
        return principal

    def principal_for(self, key_id: str, now: float) -> Principal:
        """The principal of a key already verified once (a console session, REQ-CONSOLE-002): it acts
        with the key's rights now, so a revoked or expired key stops it."""
        doc = self.lookup(key_id)
        if doc is None:
            raise ApiError("unauthorized", "invalid API key")
        _check_usable(doc, now)
        return principal_of(doc)


def principal_of(doc: dict[str, Any]) -> Principal:
    human = doc.get("human") or {}
    return Principal(
        kind=doc["kind"],
        key_id=doc["key_id"],
        workspace_id=doc["workspace_id"],
        name=doc.get("name") or "",
        agent_address=doc.get("agent_address"),
        human_id=human.get("id"),
        human_name=human.get("display_name"),
        human_contact=human.get("contact"),
    )


def _check_usable(doc: dict[str, Any], now: float) -> None:
    if doc.get("revoked_at"):
        raise ApiError("unauthorized", "API key revoked")
    if doc.get("expires_at") is not None and doc["expires_at"] <= now:
        raise ApiError("unauthorized", "API key expired")
