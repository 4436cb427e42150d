"""POST /slack/interactions (outside /v1, REQ-NOTIFY-015): Slack's button clicks."""

from __future__ import annotations

from typing import Any

from axme_server.http import Request, Router
from axme_server.notify.slack import handle_interaction


def register(router: Router, app: Any) -> None:
    engine = app.engine

    async def slack_interaction(req: Request) -> bytes:
        return await handle_interaction(engine, req.body, req.headers)

    router.add("POST", "/slack/interactions", "slackInteraction", slack_interaction, auth=False)
