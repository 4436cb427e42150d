"""The agent calls: register agents and their keys, and take deliveries (poll, stream,
listen) (REQ-AUTH-*, REQ-SECRET-*, REQ-DELIVERY-*, REQ-LISTEN-*).

Each method builds its request in place (`ops.get` / `ops.post` / `ops.delete`:
operation id, path, query or body, result type) and runs it with `_call`.
"""

from __future__ import annotations

from typing import Unpack

from .. import _operations as ops
from .. import models as m
from .._listen import listen_plan, stream_agent_deliveries_plan
from .._operations import segment
from .._options import reject_unknown_options
from .._sse import AsyncStream
from .._transport import CallOptions
from .base import AsyncCalls


@reject_unknown_options
class AsyncAgentCalls(AsyncCalls):
    async def register_agent(
        self,
        address: str,
        *,
        display_name: str | None = None,
        delivery_mode: str | None = None,
        callback_url: str | None = None,
        callback_secret: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.AgentWithKey:
        body = ops.compact(
            address=address,
            display_name=display_name,
            delivery_mode=delivery_mode,
            callback_url=callback_url,
            callback_secret=callback_secret,
        )
        return await self._call(
            ops.post("registerAgent", "/v1/agents", body, m.AgentWithKey, options)
        )

    async def list_agents(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.AgentPage:
        return await self._call(
            ops.get("listAgents", "/v1/agents", m.AgentPage, options, limit=limit, cursor=cursor)
        )

    async def get_agent(self, address: str, **options: Unpack[CallOptions]) -> m.Agent:
        path = f"/v1/agents/{segment(address)}"
        return await self._call(ops.get("getAgent", path, ops.member("agent", m.Agent), options))

    async def create_agent_key(
        self,
        address: str,
        *,
        name: str | None = None,
        expires_at: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.KeyWithSecret:
        body = ops.compact(name=name, expires_at=expires_at)
        path = f"/v1/agents/{segment(address)}/keys"
        return await self._call(ops.post("createAgentKey", path, body, m.KeyWithSecret, options))

    async def delete_agent(self, address: str, **options: Unpack[CallOptions]) -> m.AgentRemoved:
        """Deregister an agent and revoke its keys (REQ-AUTH-015)."""
        path = f"/v1/agents/{segment(address)}"
        return await self._call(ops.delete("deleteAgent", path, m.AgentRemoved, options))

    async def list_agent_keys(self, address: str, **options: Unpack[CallOptions]) -> m.KeyList:
        path = f"/v1/agents/{segment(address)}/keys"
        return await self._call(ops.get("listAgentKeys", path, m.KeyList, options))

    async def rotate_callback_secret(
        self,
        address: str,
        *,
        callback_secret: str | None = None,
        overlap_seconds: int | None = None,
        **options: Unpack[CallOptions],
    ) -> m.CallbackSecretRotated:
        """A new callback secret for an http agent (generated if None), shown once; the old one
        keeps verifying for `overlap_seconds` (REQ-SECRET-004/006)."""
        body = ops.compact(callback_secret=callback_secret, overlap_seconds=overlap_seconds)
        path = f"/v1/agents/{segment(address)}/callback-secret"
        return await self._call(
            ops.post("rotateCallbackSecret", path, body, m.CallbackSecretRotated, options)
        )

    async def poll_agent_deliveries(
        self,
        address: str,
        *,
        status: str | None = None,
        wait_seconds: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> m.DeliveryBatch:
        path = f"/v1/agents/{segment(address)}/intents"
        query = dict(status=status, wait_seconds=wait_seconds, limit=limit)
        return await self._call(
            ops.get("pollAgentDeliveries", path, m.DeliveryBatch, options, **query)
        )

    def stream_agent_deliveries(
        self,
        address: str,
        *,
        since: str | None = None,
        wait_seconds: int | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncStream[m.Delivery]:
        """One raw SSE connection (streamAgentDeliveries): no ack, no resume. Prefer listen()."""
        plan = stream_agent_deliveries_plan(
            self._core, address, since=since, wait_seconds=wait_seconds, options=options
        )
        return AsyncStream(self._runner.iterate(plan))

    def listen(
        self, address: str, *, ack: bool = True, **options: Unpack[CallOptions]
    ) -> AsyncStream[m.Delivery]:
        """Deliveries for `address` as they arrive (acked unless ack=False). Endless."""
        return AsyncStream(
            self._runner.iterate(listen_plan(self._core, address, ack=ack, options=options))
        )
