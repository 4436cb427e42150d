from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from axme_server.access import require_admin
from axme_server.errors import ApiError
from axme_server.http import Request, Router

if TYPE_CHECKING:
    from axme_server.app import App
    from axme_server.service import Engine


def _active_admin(doc: dict[str, Any], now: float) -> bool:
    expires = doc.get("expires_at")
    return doc["kind"] == "admin" and not doc.get("revoked_at") and (expires is None or expires > now)


def _keep_last_admin_key(engine: Engine, principal: Any, key_id: str) -> None:
    """REQ-LIMIT-016: a workspace keeps at least one active admin key (else nothing can mint another)."""
    require_admin(principal)
    now = engine.clock.now()
    doc = engine.keys.lookup(key_id)
    if doc is None or doc["workspace_id"] != principal.workspace_id or not _active_admin(doc, now):
        return  # unknown, foreign, revoked or not admin: revokeKey answers as before
    if not any(
        _active_admin(k, now) and k["key_id"] != key_id
        for k in engine.store.list_keys(principal.workspace_id)
    ):
        raise ApiError(
            "last_admin_key",
            "this is the workspace's last active admin key; create another first",
            {"key_id": key_id},
        )


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def create_key(req: Request) -> bytes:
        return await engine.directory.create_key(req.ctx, req.json())

    async def list_keys(req: Request) -> dict[str, Any]:
        return engine.directory.list_keys(req.ctx)

    revoking = asyncio.Lock()  # two revokes of the last two admin keys must not both pass the check

    async def revoke_key(req: Request) -> bytes:
        async with revoking:
            _keep_last_admin_key(engine, req.ctx.principal, req.params["key_id"])
            return await engine.directory.revoke_key(req.ctx, req.params["key_id"])

    router.add("POST", "/v1/admin/keys", "createKey", create_key)
    router.add("GET", "/v1/admin/keys", "listKeys", list_keys)
    router.add("DELETE", "/v1/admin/keys/{key_id}", "revokeKey", revoke_key)
