from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.errors import ApiError
from axme_server.http import Request, Router
from axme_server.routes.intents import cursor_of

if TYPE_CHECKING:
    from axme_server.app import App


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def list_tasks(req: Request) -> dict[str, Any]:
        status = req.query.get("status") or "pending"
        if status not in ("pending", "all"):
            raise ApiError("validation_error", "status must be pending or all", {"field": "status"})
        return engine.directory.list_tasks(
            req.ctx, status, req.query.get("assignee") or None, req.q_int("limit", 50, 1, 200), cursor_of(req)
        )

    async def list_my_tasks(req: Request) -> dict[str, Any]:
        return engine.directory.list_my_tasks(req.ctx, req.q_int("limit", 50, 1, 200), cursor_of(req))

    async def decide_task(req: Request) -> bytes:
        return await engine.humans.decide(req.ctx, req.params["intent_id"], req.json())

    router.add("GET", "/v1/tasks", "listTasks", list_tasks)
    router.add("GET", "/v1/me/tasks", "listMyTasks", list_my_tasks)
    router.add("POST", "/v1/tasks/{intent_id}/decision", "decideTask", decide_task)
