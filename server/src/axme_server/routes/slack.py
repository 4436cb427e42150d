"""POST /slack/interactions (outside /v1, REQ-NOTIFY-015): Slack's button clicks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axme_server.http import Request, Router
from axme_server.notify.slack import handle_interaction

if TYPE_CHECKING:
    from axme_server.app import App


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def slack_interaction(req: Request) -> bytes:
        return await handle_interaction(engine, req.body, req.headers)

    router.add("POST", "/slack/interactions", "slackInteraction", slack_interaction, auth=False)
