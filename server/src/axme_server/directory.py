"""Workspaces, agents and keys (registerAgent, listAgents, getAgent, deleteAgent,
createAgentKey, listAgentKeys, createKey, listKeys, revokeKey, createWorkspace,
listWorkspaces, listMyTasks) and first-start bootstrap."""

from __future__ import annotations

import secrets
from typing import Any

from axme_server.access import forbidden, human_names, require_admin, require_not_human, require_own_agent
from axme_server.addresses import canonical, is_segment
from axme_server.auth import KINDS, new_key, public_key
from axme_server.engine import Ctx, EngineCore
from axme_server.errors import ApiError, validation
from axme_server.jsonutil import dumps, iso, parse_iso
from axme_server.outbound.secret_ops import check_callback_url, first_callback_secret, given_callback_secret

DELIVERY_MODES = ("stream", "poll", "http")
AGENT_FIELDS = frozenset(
    {"address", "display_name", "delivery_mode", "callback_url", "callback_secret", "description"}
)
KEY_FIELDS = frozenset({"kind", "name", "agent_address", "human", "expires_at"})


def public_agent(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k[0] != "_"}


class Directory:
    """Workspaces, agents, keys and the task lists: writes outside any intent."""

    def __init__(self, core: EngineCore) -> None:
        self.core = core
        self._creating_workspaces: set[tuple[str, str]] = set()

    # -- workspaces ----------------------------------------------------------
    def workspace_doc(self, org: str, name: str) -> dict[str, Any]:
        return {
            "workspace_id": f"ws_{secrets.token_hex(8)}",
            "org": org,
            "name": name,
            "created_at": iso(self.core.clock.now()),
        }

    def find_workspace(self, org: str, name: str) -> dict[str, Any] | None:
        return next(
            (w for w in self.core.store.list_workspaces() if (w["org"], w["name"]) == (org, name)), None
        )

    def require_operator(self, ctx: Ctx) -> None:
        """Admin keys of the first workspace run the server's workspaces (REQ-AUTH-017)."""
        p = ctx.principal
        if p.kind != "admin" or p.workspace_id != self.core.store.get_meta("default_workspace"):
            raise forbidden(
                "operator_required", "only admin keys of the server's first workspace manage workspaces"
            )

    async def create_workspace_op(self, ctx: Ctx, body: dict[str, Any]) -> bytes:
        self.require_operator(ctx)
        unknown = sorted(k for k in body if k not in ("org", "name"))
        if unknown:
            raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
        for field in ("org", "name"):
            if not is_segment(body.get(field)):
                raise validation(
                    f"{field} is required: one address segment (lower-case letters, digits, '_', '-')", field
                )
        ws, plaintext = await self.create_workspace(body["org"], body["name"])
        return dumps({"ok": True, "workspace": ws, "api_key": plaintext})

    def list_workspaces(self, ctx: Ctx) -> dict[str, Any]:
        self.require_operator(ctx)
        return {"ok": True, "workspaces": self.core.store.list_workspaces()}

    async def create_workspace(self, org: str, name: str) -> tuple[dict[str, Any], str]:
        """A workspace and its first admin key (plaintext returned once); 409 workspace_exists."""
        pending = self._creating_workspaces
        if (org, name) in pending or self.find_workspace(org, name) is not None:
            raise ApiError(
                "workspace_exists", f"workspace {org}/{name} already exists", {"org": org, "name": name}
            )
        pending.add((org, name))
        try:
            return await self._create_workspace(org, name)
        finally:
            pending.discard((org, name))

    async def _create_workspace(self, org: str, name: str) -> tuple[dict[str, Any], str]:
        ws = self.workspace_doc(org, name)
        key, plaintext = new_key("admin", ws["workspace_id"], "bootstrap admin", iso(self.core.clock.now()))
        await self.core.store.write([("workspace", ws), ("key", key)])
        self.core.workspace_cache[ws["workspace_id"]] = ws
        self.core.keys.remember(key)
        return ws, plaintext

    # -- agents --------------------------------------------------------------
    def agent_doc(
        self, ws_id: str, address: str, display_name: str | None, mode: str, callback_url: str | None
    ) -> dict[str, Any]:
        return {
            "address": address,
            "name": address.rsplit("/", 1)[-1],
            "display_name": display_name,
            "delivery_mode": mode,
            "callback_url": callback_url,
            "created_at": iso(self.core.clock.now()),
            "_ws": ws_id,
            **first_callback_secret(mode),
        }

    def check_agent_body(self, body: dict[str, Any], ws: dict[str, Any]) -> tuple[str, Any, str, Any]:
        unknown = sorted(k for k in body if k not in AGENT_FIELDS)
        if unknown:
            raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
        if "address" not in body:
            raise validation("address is required", "address")
        address = canonical(body["address"], ws["org"], ws["name"])
        if address.split("/")[2:4] != [ws["org"], ws["name"]]:
            raise forbidden(
                "same_workspace_required",
                f"agent address must belong to this key's workspace (agent://{ws['org']}/{ws['name']}/…)",
            )
        mode = body.get("delivery_mode") or "stream"
        if mode not in DELIVERY_MODES:
            raise validation(f"delivery_mode must be one of {', '.join(DELIVERY_MODES)}", "delivery_mode")
        cb = body.get("callback_url")
        if cb is not None:
            check_callback_url(cb)
        if mode == "http" and not cb:
            raise validation("delivery_mode http needs a callback_url", "callback_url")
        dn = body.get("display_name")
        if dn is not None and not isinstance(dn, str):
            raise validation("display_name must be a string", "display_name")
        return address, dn, mode, cb

    async def register_agent(self, ctx: Ctx, body: dict[str, Any]) -> bytes:
        require_admin(ctx.principal)
        ws = self.core.workspace(ctx.principal.workspace_id)
        address, dn, mode, cb = self.check_agent_body(body, ws)
        if self.core.agent(address) is not None:
            raise ApiError("agent_exists", f"agent {address} is already registered", {"address": address})
        agent = self.agent_doc(ws["workspace_id"], address, dn, mode, cb)
        shown = given_callback_secret(agent, body)  # REQ-SECRET-003: generated ones are shown once
        key, plaintext = new_key(
            "agent", ws["workspace_id"], f"agent {address}", agent["created_at"], agent_address=address
        )
        self.core.agent_cache[address] = agent  # reserve the address while committing
        try:
            body_bytes = await self.core.write_plain(
                [("agent", agent), ("key", key)],
                ctx,
                {"ok": True, "agent": public_agent(agent), "api_key": plaintext, **shown},
                self.core.clock.now(),
            )
        except BaseException:
            self.core.agent_cache.pop(address, None)
            raise
        self.core.keys.remember(key)
        return body_bytes

    def canonical_address(self, ctx: Ctx, address: str) -> str:
        ws = self.core.workspace(ctx.principal.workspace_id)
        return canonical(address, ws["org"], ws["name"])

    def resolve_agent(self, ctx: Ctx, address: str) -> dict[str, Any]:
        ws = self.core.workspace(ctx.principal.workspace_id)
        canon = canonical(address, ws["org"], ws["name"])
        agent = self.core.agent(canon)
        if agent is None or agent["_ws"] != ws["workspace_id"]:
            raise ApiError("agent_not_found", f"agent {canon} is not registered", {"address": canon})
        return agent

    def get_agent(self, ctx: Ctx, address: str) -> dict[str, Any]:
        require_not_human(ctx.principal, "read agents")
        return {"ok": True, "agent": public_agent(self.resolve_agent(ctx, address))}

    def list_agents(self, ctx: Ctx, limit: int, cursor: str | None) -> dict[str, Any]:
        require_not_human(ctx.principal, "list agents")
        rows = self.core.store.list_agents(ctx.principal.workspace_id, limit + 1, cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "ok": True,
            "agents": [public_agent(d) for d in rows],
            "next_cursor": rows[-1]["address"] if more else None,
        }

    async def create_agent_key(self, ctx: Ctx, address: str, body: dict[str, Any] | None = None) -> bytes:
        """A new key for one agent, named and expiring as `body` says (CreateAgentKeyRequest)."""
        body = body or {}
        require_own_agent(ctx.principal, self.canonical_address(ctx, address), "get new keys")
        agent = self.resolve_agent(ctx, address)
        unknown = sorted(k for k in body if k not in ("name", "expires_at"))
        if unknown:
            raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
        name = body.get("name", f"agent {agent['address']}")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise validation("name must be a non-empty string of at most 255 characters", "name")
        key, plaintext = new_key(
            "agent",
            ctx.principal.workspace_id,
            name,
            iso(self.core.clock.now()),
            agent_address=agent["address"],
            expires_at=_expires_at(body),
        )
        return await self._issue_key(ctx, key, plaintext)

    async def delete_agent(self, ctx: Ctx, address: str) -> bytes:
        """Deregister: the agent row goes and its keys are revoked in one commit (REQ-AUTH-015)."""
        require_admin(ctx.principal)
        agent = self.resolve_agent(ctx, address)
        now = iso(self.core.clock.now())
        revoked = [
            dict(k, revoked_at=now) for k in self.agent_keys(ctx, agent["address"]) if not k.get("revoked_at")
        ]
        out = await self.core.write_plain(
            [("agent_delete", agent["address"]), *(("key", k) for k in revoked)],
            None,
            {"ok": True, "agent": public_agent(agent), "revoked_key_ids": [k["key_id"] for k in revoked]},
            self.core.clock.now(),
        )
        self.core.agent_cache[agent["address"]] = None
        for key in revoked:
            self.core.keys.remember(key)
        return out

    def agent_keys(self, ctx: Ctx, address: str) -> list[dict[str, Any]]:
        return [
            k
            for k in self.core.store.list_keys(ctx.principal.workspace_id)
            if k.get("agent_address") == address
        ]

    def list_agent_keys(self, ctx: Ctx, address: str) -> dict[str, Any]:
        require_own_agent(ctx.principal, self.canonical_address(ctx, address), "list its keys")
        agent = self.resolve_agent(ctx, address)
        return {"ok": True, "keys": [public_key(k) for k in self.agent_keys(ctx, agent["address"])]}

    # -- keys ----------------------------------------------------------------
    async def create_key(self, ctx: Ctx, body: dict[str, Any]) -> bytes:
        require_admin(ctx.principal)
        unknown = sorted(k for k in body if k not in KEY_FIELDS)
        if unknown:
            raise validation(f"unknown field(s): {', '.join(unknown)}", unknown[0])
        kind = body.get("kind")
        if kind not in KINDS:
            raise validation("kind must be one of admin, agent, human", "kind")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise validation("name is required (a non-empty string)", "name")
        ws = self.core.workspace(ctx.principal.workspace_id)
        agent_address = None
        human = None
        if kind == "agent":
            if not body.get("agent_address"):
                raise validation("agent keys need agent_address", "agent_address")
            agent_address = self.resolve_agent(ctx, body["agent_address"])["address"]
        if kind == "human":
            h = body.get("human")
            if not isinstance(h, dict) or not isinstance(h.get("id"), str) or not h["id"]:
                raise validation("human keys need human: {id, display_name?, contact?}", "human")
            extra = sorted(k for k in h if k not in ("id", "display_name", "contact"))
            if extra:
                raise validation(f"unknown field(s) in human: {', '.join(extra)}", f"human.{extra[0]}")
            human = {"id": h["id"], "display_name": h.get("display_name") or h["id"]}
            if h.get("contact"):
                human["contact"] = h["contact"]
        key, plaintext = new_key(
            kind,
            ws["workspace_id"],
            name,
            iso(self.core.clock.now()),
            agent_address=agent_address,
            human=human,
            expires_at=_expires_at(body),
        )
        return await self._issue_key(ctx, key, plaintext)

    async def _issue_key(self, ctx: Ctx, key: dict[str, Any], plaintext: str) -> bytes:
        """Store a new key and answer with it (the plaintext is shown this once)."""
        out = await self.core.write_plain(
            [("key", key)],
            ctx,
            {"ok": True, "key": public_key(key), "api_key": plaintext},
            self.core.clock.now(),
        )
        self.core.keys.remember(key)
        return out

    def list_keys(self, ctx: Ctx) -> dict[str, Any]:
        require_admin(ctx.principal)
        return {
            "ok": True,
            "keys": [public_key(k) for k in self.core.store.list_keys(ctx.principal.workspace_id)],
        }

    async def revoke_key(self, ctx: Ctx, key_id: str) -> bytes:
        require_admin(ctx.principal)
        key = self.core.keys.lookup(key_id)
        if key is None or key["workspace_id"] != ctx.principal.workspace_id:
            raise ApiError("key_not_found", "key not found")
        if not key.get("revoked_at"):
            key = dict(key, revoked_at=iso(self.core.clock.now()))
            await self.core.store.write([("key", key)])
            self.core.keys.remember(key)
        return dumps({"ok": True, "key": public_key(key)})

    # -- tasks ---------------------------------------------------------------
    def list_my_tasks(self, ctx: Ctx, limit: int, cursor: int | None) -> dict[str, Any]:
        """The calling human's inbox: pending tasks assigned to it, oldest first (REQ-HUMAN-024)."""
        if ctx.principal.kind != "human":
            raise forbidden(
                "human_required",
                "GET /v1/me/tasks is a human key's inbox; admin keys list tasks with GET /v1/tasks",
            )
        return self.list_tasks(ctx, "pending", None, limit, cursor)

    def list_tasks(
        self, ctx: Ctx, status: str, assignee: str | None, limit: int, cursor: int | None
    ) -> dict[str, Any]:
        p = ctx.principal
        if p.kind == "agent":
            raise forbidden("human_or_admin_required", "agent keys have no human tasks")
        names = human_names(p) if p.kind == "human" else [assignee] if assignee else None
        rows = self.core.store.list_tasks(
            p.workspace_id, pending_only=status == "pending", assignees=names, limit=limit + 1, cursor=cursor
        )
        more = len(rows) > limit
        rows = rows[:limit]
        tasks = [{k: v for k, v in d.items() if k[0] != "_"} for _, d in rows]
        return {"ok": True, "tasks": tasks, "next_cursor": str(rows[-1][0]) if more else None}


def _expires_at(body: dict[str, Any]) -> float | None:
    """A key's optional `expires_at` (RFC 3339) as epoch seconds."""
    if body.get("expires_at") is None:
        return None
    try:
        return parse_iso(body["expires_at"])
    except (ValueError, TypeError, AttributeError):
        raise validation("expires_at must be an RFC 3339 timestamp", "expires_at") from None
