"""Routes per resource; each module registers its operations (operationId = op)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axme_server.http import Router

if TYPE_CHECKING:
    from axme_server.app import App


def register_all(router: Router, app: App) -> None:
    from axme_server.routes import (
        admin,
        agents,
        health,
        intents,
        pages,
        scenarios,
        secrets,
        slack,
        tasks,
        testing,
        workspaces,
    )

    for module in (
        health,
        intents,
        agents,
        tasks,
        scenarios,
        admin,
        workspaces,
        secrets,
        testing,
        pages,
        slack,
    ):
        module.register(router, app)
    from axme_server.console import routes as console

    console.register(router, app)  # /console (REQ-CONSOLE-001..011)
