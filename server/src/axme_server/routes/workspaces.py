"""Workspaces of this server: createWorkspace, listWorkspaces (operator keys, REQ-AUTH-017)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.http import Request, Router

if TYPE_CHECKING:
    from axme_server.app import App


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def create_workspace(req: Request) -> bytes:
        return await engine.directory.create_workspace_op(req.ctx, req.json())

    async def list_workspaces(req: Request) -> dict[str, Any]:
        return engine.directory.list_workspaces(req.ctx)

    router.add("POST", "/v1/admin/workspaces", "createWorkspace", create_workspace)
    router.add("GET", "/v1/admin/workspaces", "listWorkspaces", list_workspaces)
