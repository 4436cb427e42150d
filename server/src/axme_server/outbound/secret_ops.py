"""Secret operations (REQ-SECRET-*): the callback secret given or generated at
registration, and the three rotations. Callback secrets live in the agent's row
(`_callback_secrets`, never public); the workspace webhook-signing and the server's
link-signing secrets live in `meta` rows (workspace documents are listed raw)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from axme_server.access import require_admin, require_own_agent
from axme_server.engine import Ctx, EngineCore
from axme_server.errors import ApiError, validation
from axme_server.jsonutil import dumps, iso, loads
from axme_server.outbound import secrets

if TYPE_CHECKING:
    from axme_server.ports import AgentLookup

MAX_URL = 2048
LINK_SECRETS = "link_signing_secrets"


def check_callback_url(value: Any) -> str:
    """REQ-PUSH-001: absolute http(s) with a host, no fragment, at most 2048 characters."""
    ok = isinstance(value, str) and len(value) <= MAX_URL and not any(c.isspace() for c in value)
    if ok:
        try:
            parts = urlsplit(value)
            _ = parts.port  # raises on a port that is not a number
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment
        except ValueError:  # e.g. a port that is not a number
            ok = False
    if not ok:
        raise validation(
            "callback_url must be an absolute http(s) URL with a host (no fragment, "
            f"at most {MAX_URL} characters)",
            "callback_url",
        )
    return str(value)


def first_callback_secret(mode: str) -> dict[str, Any]:
    """Agent-row fields: an http agent always has a secret (a generated one until told otherwise)."""
    if mode != "http":
        return {}
    return {"_callback_secrets": [{"secret": secrets.generate_secret(), "expires_at": None}]}


def given_callback_secret(agent: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Apply `callback_secret` from a registration body (REQ-SECRET-003); returns the response
    members: the generated secret, shown once, or nothing when the client chose it."""
    given = body.get("callback_secret")
    if agent["delivery_mode"] != "http":
        if given is not None:
            raise validation("callback_secret is only for delivery_mode http", "callback_secret")
        return {}
    if given is None:
        return {"callback_secret": agent["_callback_secrets"][0]["secret"]}
    agent["_callback_secrets"] = [
        {"secret": secrets.check_given_secret(given, "callback_secret"), "expires_at": None}
    ]
    return {}


def _body(body: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise validation("the body must be a JSON object")
    unknown = sorted(k for k in body if k not in allowed)
    if unknown:
        raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
    return body


class Secrets:
    """The three rotations and the stored signing secrets (REQ-SECRET-*)."""

    def __init__(self, core: EngineCore, directory: AgentLookup) -> None:
        self.core = core
        self.directory = directory

    async def rotate_callback_secret(self, ctx: Ctx, address: str, body: Any) -> bytes:
        require_own_agent(
            ctx.principal, self.directory.canonical_address(ctx, address), "rotate its callback secret"
        )
        body = _body(body, ("callback_secret", "overlap_seconds"))
        overlap = secrets.check_overlap(body)
        new = (
            secrets.check_given_secret(body["callback_secret"], "callback_secret")
            if body.get("callback_secret") is not None
            else secrets.generate_secret()
        )
        agent = self.directory.resolve_agent(ctx, address)
        if agent.get("delivery_mode") != "http":
            raise ApiError(
                "invalid_transition",
                "only an agent with delivery_mode http has a callback secret",
                {"delivery_mode": agent.get("delivery_mode")},
            )
        now = self.core.clock.now()
        entries, previous = secrets.rotate(agent.get("_callback_secrets"), new, overlap, now)
        agent = dict(agent, _callback_secrets=entries)
        out = await self.core.write_plain(
            [("agent", agent)],
            ctx,
            {
                "ok": True,
                "agent": {k: v for k, v in agent.items() if k[0] != "_"},
                "callback_secret": new,
                "previous_expires_at": iso(previous) if previous is not None else None,
            },
            now,
        )
        self.core.agent_cache[agent["address"]] = agent
        return out

    async def rotate_webhook_secret(self, ctx: Ctx, body: Any) -> bytes:
        require_admin(ctx.principal)
        overlap = secrets.check_overlap(_body(body, ("overlap_seconds",)))
        k = f"webhook_secrets:{ctx.principal.workspace_id}"
        new = secrets.generate_secret()
        entries, previous = await self._rotate_meta(k, new, overlap)
        now = self.core.clock.now()
        return await self.core.write_plain(
            [("meta", k, dumps(entries).decode())],
            ctx,
            {
                "ok": True,
                "webhook_secret": new,
                "previous_expires_at": iso(previous) if previous is not None else None,
            },
            now,
        )

    async def rotate_link_secret(self, ctx: Ctx, body: Any) -> bytes:
        self.directory.require_operator(
            ctx
        )  # the server's secret: admins of the first workspace (REQ-SECRET-008)
        overlap = secrets.check_overlap(_body(body, ("overlap_seconds",)))
        entries, previous = await self._rotate_meta(LINK_SECRETS, secrets.generate_secret(), overlap)
        now = self.core.clock.now()
        return await self.core.write_plain(
            [("meta", LINK_SECRETS, dumps(entries).decode())],
            ctx,
            {
                "ok": True,
                "rotated_at": iso(now),
                "previous_expires_at": iso(previous) if previous is not None else None,
            },
            now,
        )

    async def _rotate_meta(self, k: str, new: str, overlap: int) -> tuple[list[dict[str, Any]], float | None]:
        return secrets.rotate(await self._meta_secrets(k), new, overlap, self.core.clock.now())

    async def _meta_secrets(self, k: str) -> list[dict[str, Any]]:
        """The stored list, created (one generated secret no one has seen) on first use."""
        raw = self.core.store.get_meta(k)
        if raw is not None:
            stored: list[dict[str, Any]] = loads(raw)
            return stored
        entries = [{"secret": secrets.generate_secret(), "expires_at": None}]
        await self.core.store.write([("meta", k, dumps(entries).decode())])
        return entries

    async def webhook_secrets(self, workspace_id: str) -> list[str]:
        """Valid webhook-signing secrets of a workspace, current first (REQ-HUMAN-021 signing)."""
        return secrets.valid(
            await self._meta_secrets(f"webhook_secrets:{workspace_id}"), self.core.clock.now()
        )

    async def link_secrets(self) -> list[str]:
        """Valid link-signing secrets, current first (sign with [0]; accept any)."""
        return secrets.valid(await self._meta_secrets(LINK_SECRETS), self.core.clock.now())
