"""Secret rotations (REQ-SECRET-006..008)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.http import Request, Router

if TYPE_CHECKING:
    from axme_server.app import App

_ADDR = r"(?P<address>.+?)"


def _optional_body(req: Request) -> dict[str, Any]:
    return req.json() if req.body.strip() else {}


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def rotate_callback_secret(req: Request) -> bytes:
        return await engine.secrets.rotate_callback_secret(
            req.ctx, req.params["address"], _optional_body(req)
        )

    async def rotate_webhook_secret(req: Request) -> bytes:
        return await engine.secrets.rotate_webhook_secret(req.ctx, _optional_body(req))

    async def rotate_link_secret(req: Request) -> bytes:
        return await engine.secrets.rotate_link_secret(req.ctx, _optional_body(req))

    router.add(
        "POST",
        "/v1/agents/{address}/callback-secret",
        "rotateCallbackSecret",
        rotate_callback_secret,
        pattern=rf"^/v1/agents/{_ADDR}/callback-secret$",
    )
    router.add("POST", "/v1/workspace/webhook-secret", "rotateWebhookSecret", rotate_webhook_secret)
    router.add("POST", "/v1/server/link-secret", "rotateLinkSecret", rotate_link_secret)
