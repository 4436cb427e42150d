from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from axme_server import PROTOCOL, __version__
from axme_server.access import require_admin
from axme_server.errors import ApiError
from axme_server.http import Request, Router

if TYPE_CHECKING:
    from axme_server.app import App

log = logging.getLogger("axme_server.health")
READY_SECONDS = 5.0  # REQ-API-021
HEALTH = {"ok": True, "service": "axme-server", "version": __version__, "protocol": PROTOCOL}


def register(router: Router, app: App) -> None:
    async def get_health(req: Request) -> dict[str, Any]:
        return HEALTH

    async def get_readiness(req: Request) -> dict[str, Any]:
        """REQ-API-021: 200 while the database answers, else 503 (a load balancer's probe)."""
        try:
            await asyncio.wait_for(app.engine.store.ready(), READY_SECONDS)
        except Exception as exc:  # noqa: BLE001 - any failure to answer means "not ready"
            log.warning("readiness: the database did not answer: %r", exc)
            raise ApiError("unavailable", "the database does not answer") from None
        return HEALTH

    async def get_metrics(req: Request) -> str:
        require_admin(req.ctx.principal)  # REQ-LIMIT-014
        return app.metrics.render(req.ctx.principal.workspace_id)

    router.add("GET", "/health", "getHealth", get_health, auth=False)
    router.add("GET", "/health/ready", "getReadiness", get_readiness, auth=False)
    router.add("GET", "/metrics", "getMetrics", get_metrics)
