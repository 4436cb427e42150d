from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.http import Request, Router
from axme_server.limits import MAX_SAFE_INTEGER, digits
from axme_server.sse import AgentStream

if TYPE_CHECKING:
    from axme_server.app import App

# Non-greedy, so `/v1/agents/org/ws/name/intents/stream` gives address `org/ws/name` (REQ-API-014).
_ADDR = r"(?P<address>.+?)"


def delivery_cursor(req: Request) -> int:
    """The client's last delivery cursor (`since` / Last-Event-ID, larger wins; anything else counts as 0).

    Every free lease is offered on connect whatever the cursor (REQ-DELIVERY-011); the
    cursor only feeds `stream.timeout`'s next_seq."""
    since = req.q_int("since", 0, 0, MAX_SAFE_INTEGER) or 0  # REQ-LIMIT-008: garbage is 422, never a 500
    return max(since, digits((req.headers.get("last-event-id") or "").strip()) or 0)


def register(router: Router, app: App) -> None:
    engine = app.engine

    async def register_agent(req: Request) -> bytes:
        return await engine.directory.register_agent(req.ctx, req.json())

    async def list_agents(req: Request) -> dict[str, Any]:
        return engine.directory.list_agents(
            req.ctx, req.q_int("limit", 50, 1, 200), req.query.get("cursor") or None
        )

    async def get_agent(req: Request) -> dict[str, Any]:
        return engine.directory.get_agent(req.ctx, req.params["address"])

    async def delete_agent(req: Request) -> bytes:
        return await engine.directory.delete_agent(req.ctx, req.params["address"])

    async def list_agent_keys(req: Request) -> dict[str, Any]:
        return engine.directory.list_agent_keys(req.ctx, req.params["address"])

    async def create_agent_key(req: Request) -> bytes:
        body = req.json() if req.body.strip() else {}  # the body is optional (CreateAgentKeyRequest)
        return await engine.directory.create_agent_key(req.ctx, req.params["address"], body)

    async def stream_deliveries(req: Request) -> AgentStream:
        agent = engine.delivery.listener_agent(req.ctx, req.params["address"])
        wait = req.q_float("wait_seconds", 30.0, 1.0, 300.0)
        return AgentStream(
            engine, agent["address"], delivery_cursor(req), wait, req.fault, req.connection_open
        )

    async def poll_deliveries(req: Request) -> dict[str, Any]:
        agent = engine.delivery.listener_agent(req.ctx, req.params["address"])
        status = req.query.get("status") or "pending"
        if status != "pending":
            from axme_server.errors import ApiError

            raise ApiError("validation_error", "status must be pending", {"field": "status"})
        wait = req.q_float("wait_seconds", 30.0, 0.0, 300.0)
        limit = req.q_int("limit", 10, 1, 100) or 10
        consumer = engine.lanes.attach(agent["address"], limit, req.connection_open)
        deliveries: list[dict[str, Any]] = []
        try:
            if not consumer.sub.items and consumer.reserved == 0:
                await consumer.sub.wait(wait)
            engine.lanes.detach(consumer)
            # leases already claimed for this poll are committing: wait for them (bounded)
            for _ in range(200):
                if consumer.delivered >= consumer.reserved:
                    break
                held = list(consumer.sub.items)  # (set aside: wait() returns at once while any is buffered)
                consumer.sub.items.clear()
                await consumer.sub.wait(0.05)
                consumer.sub.items.extendleft(reversed(held))
            deliveries = list(consumer.sub.items)
            consumer.sub.items.clear()
            if not consumer.connection_open():  # the poller left: its answer would go nowhere
                engine.lanes.finish_consumer(consumer, deliveries)
                deliveries = []
        finally:
            engine.lanes.finish_consumer(consumer, [])  # leases landing from now on are handed back
        return {"ok": True, "deliveries": deliveries}

    router.add("POST", "/v1/agents", "registerAgent", register_agent)
    router.add("GET", "/v1/agents", "listAgents", list_agents)
    router.add(
        "GET",
        "/v1/agents/{address}/intents/stream",
        "streamAgentDeliveries",
        stream_deliveries,
        pattern=rf"^/v1/agents/{_ADDR}/intents/stream$",
    )
    router.add(
        "GET",
        "/v1/agents/{address}/intents",
        "pollAgentDeliveries",
        poll_deliveries,
        pattern=rf"^/v1/agents/{_ADDR}/intents$",
    )
    router.add(
        "POST",
        "/v1/agents/{address}/keys",
        "createAgentKey",
        create_agent_key,
        pattern=rf"^/v1/agents/{_ADDR}/keys$",
    )
    router.add(
        "GET",
        "/v1/agents/{address}/keys",
        "listAgentKeys",
        list_agent_keys,
        pattern=rf"^/v1/agents/{_ADDR}/keys$",
    )
    # Last: the operation suffixes above win over an address ending in them (REQ-API-014).
    router.add("GET", "/v1/agents/{address}", "getAgent", get_agent, pattern=rf"^/v1/agents/{_ADDR}$")
    router.add(
        "DELETE", "/v1/agents/{address}", "deleteAgent", delete_agent, pattern=rf"^/v1/agents/{_ADDR}$"
    )
