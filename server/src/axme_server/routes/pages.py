"""The approval page (outside /v1, REQ-NOTIFY-011..014) and listNotifications (REQ-NOTIFY-005)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.http import Request, Router
from axme_server.pages import handlers

if TYPE_CHECKING:
    from axme_server.app import App


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def show_task_page(req: Request) -> Any:
        return await handlers.show(engine, req.params["token"])

    async def decide_on_page(req: Request) -> Any:
        return await handlers.decide(engine, req.body)

    async def list_notifications(req: Request) -> dict[str, Any]:
        notifications: dict[str, Any] = engine.links.list_notifications(req.ctx, req.params["intent_id"])
        return notifications

    router.add("GET", "/t/{token}", "showTaskPage", show_task_page, auth=False)
    router.add("POST", "/t", "decideOnPage", decide_on_page, auth=False)
    router.add("GET", "/v1/intents/{intent_id}/notifications", "listNotifications", list_notifications)
