from __future__ import annotations

from typing import Any

from axme_server.http import Request, Router


def register(router: Router, app: Any) -> None:
    engine = app.engine

    async def create_key(req: Request) -> bytes:
        return await engine.create_key(req.ctx, req.json())

    async def list_keys(req: Request) -> dict[str, Any]:
        return engine.list_keys(req.ctx)

    async def revoke_key(req: Request) -> bytes:
        return await engine.revoke_key(req.ctx, req.params["key_id"])

    router.add("POST", "/v1/admin/keys", "createKey", create_key)
    router.add("GET", "/v1/admin/keys", "listKeys", list_keys)
    router.add("DELETE", "/v1/admin/keys/{key_id}", "revokeKey", revoke_key)
