from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.access import check_read
from axme_server.errors import ApiError
from axme_server.http import Request, Router
from axme_server.lifecycle import STATUSES
from axme_server.limits import MAX_SAFE_INTEGER, digits
from axme_server.sse import IntentStream

if TYPE_CHECKING:
    from axme_server.app import App


def since_of(req: Request) -> int:
    """`?since=N` and `Last-Event-ID`: the larger wins."""
    since = req.q_int("since", 0, 0, MAX_SAFE_INTEGER) or 0
    last_id = digits((req.headers.get("last-event-id") or "").strip())
    if last_id is not None:  # a Last-Event-ID that is no integer (REQ-LIMIT-008) is ignored (REQ-SSE-008)
        since = max(since, last_id)
    return since


def cursor_of(req: Request) -> int | None:
    raw = req.query.get("cursor")
    if not raw:
        return None
    value = digits(raw)
    if value is None:
        raise ApiError("validation_error", "cursor is not valid", {"field": "cursor"})
    return value


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def create_intent(req: Request) -> bytes:
        return await engine.intents.create_intent(req.ctx, req.json())

    async def get_intent(req: Request) -> dict[str, Any]:
        return {"ok": True, "intent": engine.intents.get_intent(req.ctx, req.params["intent_id"])}

    async def list_intents(req: Request) -> dict[str, Any]:
        status = req.query.get("status") or None
        if status is not None and status not in STATUSES:
            raise ApiError(
                "validation_error", f"status must be one of {', '.join(STATUSES)}", {"field": "status"}
            )
        q = {
            "status": status,
            "to_agent": req.query.get("to_agent") or None,
            "from_agent": req.query.get("from_agent") or None,
            "limit": req.q_int("limit", 50, 1, 200),
            "cursor": cursor_of(req),
        }
        return await engine.intents.list_intents(req.ctx, q)

    async def list_events(req: Request) -> dict[str, Any]:
        return engine.intents.list_events(
            req.ctx,
            req.params["intent_id"],
            req.q_int("since", 0, 0, MAX_SAFE_INTEGER),
            req.q_int("limit", 500, 1, 1000),
        )

    async def stream_events(req: Request) -> IntentStream:
        intent_id = req.params["intent_id"]
        since = since_of(req)
        wait = req.q_float("wait_seconds", 30.0, 1.0, 300.0)
        include_intent = req.query.get("include_intent", "false")
        if include_intent not in ("true", "false"):  # REQ-SSE-016
            raise ApiError(
                "validation_error", "include_intent must be true or false", {"field": "include_intent"}
            )
        check_read(req.ctx.principal, engine.core.cached_intent(intent_id))
        return IntentStream(engine, intent_id, since, wait, req.fault, include_intent == "true")

    async def resume(req: Request) -> bytes:
        return await engine.control.resume(req.ctx, req.params["intent_id"], req.json())

    async def resolve(req: Request) -> bytes:
        return await engine.control.resolve(req.ctx, req.params["intent_id"], req.json())

    async def retry(req: Request) -> bytes:
        return await engine.retries.retry_intent(req.ctx, req.params["intent_id"], req.json())

    async def ack(req: Request) -> bytes:
        return await engine.delivery.ack(req.ctx, req.params["intent_id"], req.json())

    async def audit(req: Request) -> dict[str, Any]:
        return engine.intents.audit(
            req.ctx,
            req.params["intent_id"],
            req.q_int("since", 0, 0, MAX_SAFE_INTEGER) or 0,
            req.q_int("limit", 500, 1, 1000) or 500,
        )  # REQ-LIMIT-013

    router.add("POST", "/v1/intents", "createIntent", create_intent)
    router.add("GET", "/v1/intents", "listIntents", list_intents)
    router.add("GET", "/v1/intents/{intent_id}", "getIntent", get_intent)
    router.add("GET", "/v1/intents/{intent_id}/events", "listIntentEvents", list_events)
    router.add("GET", "/v1/intents/{intent_id}/events/stream", "streamIntentEvents", stream_events)
    router.add("POST", "/v1/intents/{intent_id}/resume", "resumeIntent", resume)
    router.add("POST", "/v1/intents/{intent_id}/resolve", "resolveIntent", resolve)
    router.add("POST", "/v1/intents/{intent_id}/retry", "retryIntent", retry)
    router.add("POST", "/v1/intents/{intent_id}/ack", "ackIntent", ack)
    router.add("GET", "/v1/intents/{intent_id}/audit", "getIntentAudit", audit)
