from __future__ import annotations

from typing import Any

from axme_server.http import Request, Router


def register(router: Router, app: Any) -> None:
    engine = app.engine

    async def apply(req: Request) -> bytes:
        return await engine.apply_scenario(req.ctx, req.json())

    async def validate(req: Request) -> dict[str, Any]:
        return engine.validate_scenario(req.ctx, req.json())

    router.add("POST", "/v1/scenarios/apply", "applyScenario", apply)
    router.add("POST", "/v1/scenarios/validate", "validateScenario", validate)
