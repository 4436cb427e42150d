"""The intent calls: submit, read, resume, resolve, retry, observe and wait for an
intent (REQ-CLIENT-*, REQ-RESUME-*, REQ-OBSERVE-*, REQ-WAIT-*).

Each method builds its request in place (`ops.get` / `ops.post`: operation id, path,
query or body, result type) and runs it with `_call`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack, cast

from .. import _operations as ops
from .. import models as m
from .._observe import observe_plan, stream_intent_events_plan, wait_for_plan
from .._operations import segment
from .._options import reject_unknown_options
from .._sse import AsyncStream
from .._transport import CallOptions
from .base import AsyncCalls
from .intent_handle import AsyncIntentHandle

if TYPE_CHECKING:
    from ..async_client import AsyncAxmeClient


@reject_unknown_options
class AsyncIntentCalls(AsyncCalls):
    def _as_client(self) -> AsyncAxmeClient:
        """The client these calls belong to, which an intent handle acts through."""
        return cast("AsyncAxmeClient", self)

    async def get_health(self, **options: Unpack[CallOptions]) -> m.Health:
        return await self._call(ops.get("getHealth", "/health", m.Health, options))

    async def create_intent(
        self, intent: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.CreateIntentResult:
        """Submit an intent (wire JSON: intent_type, to_agent, payload, ...)."""
        body = ops.json_object(intent, "the intent")
        return await self._call(
            ops.post("createIntent", "/v1/intents", body, m.CreateIntentResult, options)
        )

    async def send_intent(self, intent: Mapping[str, Any], **options: Unpack[CallOptions]) -> str:
        """Submit an intent and return its id."""
        return (await self.create_intent(intent, **options)).intent_id

    async def submit_intent(
        self, intent: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> AsyncIntentHandle:
        """Submit an intent (as send_intent does) and return its handle: wait, observe,
        complete, fail, cancel act on it (REQ-CLIENT-010)."""
        created = await self.create_intent(intent, **options)
        return AsyncIntentHandle(self._as_client(), created.intent_id, created)

    def intent(self, intent_id: str) -> AsyncIntentHandle:
        """The handle of an existing intent (no request)."""
        return AsyncIntentHandle(self._as_client(), intent_id)

    async def get_intent(self, intent_id: str, **options: Unpack[CallOptions]) -> m.Intent:
        return await self._call(ops.get_intent(intent_id, options))

    async def list_intents(
        self,
        *,
        status: str | None = None,
        to_agent: str | None = None,
        from_agent: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.IntentPage:
        query = dict(
            status=status, to_agent=to_agent, from_agent=from_agent, limit=limit, cursor=cursor
        )
        return await self._call(
            ops.get("listIntents", "/v1/intents", m.IntentPage, options, **query)
        )

    async def list_intent_events(
        self,
        intent_id: str,
        *,
        since: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> m.EventPage:
        return await self._call(
            ops.list_intent_events(intent_id, options, since=since, limit=limit)
        )

    async def resume_intent(
        self,
        intent_id: str,
        result: Any = None,
        *,
        delivery_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        """Complete the agent's step with `result` (resume kind agent_result, outcome complete)."""
        body = ops.agent_result_body(result, delivery_id)
        return await self._call(ops.resume_intent(intent_id, body, options))

    async def resume_intent_with(
        self, intent_id: str, body: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        """Send any resume body as given (progress, task_result, control, legacy forms)."""
        return await self._call(ops.resume_intent(intent_id, body, options))

    async def fail_intent(
        self,
        intent_id: str,
        error: Mapping[str, Any] | str,
        *,
        delivery_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        """Fail the agent's step: the intent becomes FAILED with `error` ({code, message,
        details?}; a missing code, or a plain message string, gets code `agent_error`)."""
        body = ops.agent_failure_body(error, delivery_id)
        return await self._call(ops.resume_intent(intent_id, body, options))

    async def report_progress(
        self,
        intent_id: str,
        details: Mapping[str, Any] | None = None,
        *,
        delivery_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        """IN_PROGRESS with optional details; also extends the delivery's lease."""
        body = ops.progress_body(details, delivery_id)
        return await self._call(ops.resume_intent(intent_id, body, options))

    async def resolve_intent(
        self,
        intent_id: str,
        status: str,
        *,
        result: Any = None,
        error: Any = None,
        reason: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        body = ops.compact(status=status, result=result, error=error, reason=reason)
        path = f"/v1/intents/{segment(intent_id)}/resolve"
        return await self._call(ops.post("resolveIntent", path, body, m.WriteResult, options))

    async def retry_intent(
        self,
        intent_id: str,
        *,
        reason: str | None = None,
        payload_patch: Mapping[str, Any] | None = None,
        deadline_at: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.RetryResult:
        """A new attempt of a FAILED/TIMED_OUT intent from its failed step (REQ-REATTEMPT-005)."""
        body = ops.compact(reason=reason, payload_patch=payload_patch, deadline_at=deadline_at)
        path = f"/v1/intents/{segment(intent_id)}/retry"
        return await self._call(ops.post("retryIntent", path, body, m.RetryResult, options))

    async def cancel_intent(
        self, intent_id: str, *, reason: str | None = None, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        return await self.resolve_intent(intent_id, "CANCELED", reason=reason, **options)

    async def ack_intent(
        self, intent_id: str, delivery_id: str, **options: Unpack[CallOptions]
    ) -> m.AckResult:
        return await self._call(ops.ack_intent(intent_id, delivery_id, options))

    async def get_intent_audit(
        self,
        intent_id: str,
        *,
        since: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> m.AuditTrail:
        """One page of the audit trail: entries with seq > `since`, at most `limit`; the next
        page starts at since = next_seq - 1 (REQ-LIMIT-013)."""
        path = f"/v1/intents/{segment(intent_id)}/audit"
        query = dict(since=since, limit=limit)
        return await self._call(ops.get("getIntentAudit", path, m.AuditTrail, options, **query))

    async def list_notifications(
        self, intent_id: str, **options: Unpack[CallOptions]
    ) -> m.NotificationList:
        path = f"/v1/intents/{segment(intent_id)}/notifications"
        return await self._call(ops.get("listNotifications", path, m.NotificationList, options))

    # --- observe / wait ----------------------------------------------------------

    def observe(
        self,
        intent_id: str,
        *,
        since: int = 0,
        wait_seconds: int | None = None,
        until_terminal: bool = True,
        **options: Unpack[CallOptions],
    ) -> AsyncStream[m.Event]:
        """Events with seq > since, as they happen, ending with the terminal one."""
        plan = observe_plan(
            self._core,
            intent_id,
            since=since,
            wait_seconds=wait_seconds,
            until_terminal=until_terminal,
            options=options,
        )
        return AsyncStream(self._runner.iterate(plan))

    async def wait_for(
        self, intent_id: str, *, timeout: float | None = None, **options: Unpack[CallOptions]
    ) -> m.Intent:
        """The intent once terminal; WaitTimeoutError after `timeout` seconds."""
        return await self._runner.run(
            wait_for_plan(self._core, intent_id, timeout=timeout, options=options)
        )

    def stream_intent_events(
        self,
        intent_id: str,
        *,
        since: int = 0,
        wait_seconds: int | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncStream[m.Event]:
        """One raw SSE connection (streamIntentEvents): no resume. Prefer observe()."""
        plan = stream_intent_events_plan(
            self._core, intent_id, since=since, wait_seconds=wait_seconds, options=options
        )
        return AsyncStream(self._runner.iterate(plan))
