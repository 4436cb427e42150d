from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.http import Request, Router

if TYPE_CHECKING:
    from axme_server.app import App


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def apply(req: Request) -> bytes:
        return await engine.scenarios.apply_scenario(req.ctx, req.json())

    async def validate(req: Request) -> dict[str, Any]:
        return engine.scenarios.validate_scenario(req.ctx, req.json())

    router.add("POST", "/v1/scenarios/apply", "applyScenario", apply)
    router.add("POST", "/v1/scenarios/validate", "validateScenario", validate)
