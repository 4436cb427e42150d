from __future__ import annotations

from typing import Any

from axme_server import PROTOCOL, __version__
from axme_server.access import require_admin
from axme_server.http import Request, Router

HEALTH = {"ok": True, "service": "axme-server", "version": __version__, "protocol": PROTOCOL}


def register(router: Router, app: Any) -> None:
    async def get_health(req: Request) -> dict[str, Any]:
        return HEALTH

    async def get_metrics(req: Request) -> str:
        require_admin(req.ctx.principal)  # REQ-LIMIT-014
        return app.metrics.render(req.ctx.principal.workspace_id)

    router.add("GET", "/health", "getHealth", get_health, auth=False)
    router.add("GET", "/metrics", "getMetrics", get_metrics)
