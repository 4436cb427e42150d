"""`AxmeClient`: the blocking client. `AsyncAxmeClient` mirrors it method for method.

Each method is one line: build the operation (`_operations`), run its plan
(`_transport`, `_sse`, `_observe`, `_listen`) with the blocking runner. Behaviour lives
in those modules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Unpack

import httpx

from . import _operations as ops
from . import models as m
from ._agent import finish_delivery_plan, renew_lease_plan, renewal_interval
from ._listen import listen_plan, stream_agent_deliveries_plan
from ._observe import observe_plan, stream_intent_events_plan, wait_for_plan
from ._operations import Call
from ._options import reject_unknown_options
from ._runners import SyncRunner
from ._sse import Stream
from ._tasks_admin import TaskAndAdminCalls
from ._transport import CallOptions, Core
from .config import AxmeClientConfig
from .intent_handle import IntentHandle

#: What serve() runs per delivery: returns the result ({} for None), raises to fail.
DeliveryHandler = Callable[[m.Delivery], Any]


@reject_unknown_options
class AxmeClient(TaskAndAdminCalls):
    """Blocking AXME client. Thread-safe; reuse one per process.

    >>> client = AxmeClient(AxmeClientConfig(api_key="axme_admin_..."))
    """

    def __init__(
        self, config: AxmeClientConfig | None = None, *, http_client: httpx.Client | None = None
    ) -> None:
        self.config = config or AxmeClientConfig()
        self._core = Core(self.config)
        # Our own request building sets URL, headers and timeouts on every request,
        # so a caller's http_client only contributes transport settings (proxies, TLS).
        self._http = http_client or httpx.Client()
        self._owns_http = http_client is None
        self._runner = SyncRunner(self._http)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> AxmeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, call: Call[ops.W]) -> ops.W:
        return self._runner.run(ops.call_plan(self._core, call))

    # --- intents ---------------------------------------------------------------

    def get_health(self, **options: Unpack[CallOptions]) -> m.Health:
        return self._call(ops.get_health(options))

    def create_intent(
        self, intent: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.CreateIntentResult:
        """Submit an intent (wire JSON: intent_type, to_agent, payload, ...)."""
        return self._call(ops.create_intent(intent, options))

    def send_intent(self, intent: Mapping[str, Any], **options: Unpack[CallOptions]) -> str:
        """Submit an intent and return its id."""
        return self.create_intent(intent, **options).intent_id

    def submit_intent(
        self, intent: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> IntentHandle:
        """Submit an intent (as send_intent does) and return its handle: wait, observe,
        complete, fail, cancel act on it (REQ-CLIENT-010)."""
        created = self.create_intent(intent, **options)
        return IntentHandle(self, created.intent_id, created)

    def intent(self, intent_id: str) -> IntentHandle:
        """The handle of an existing intent (no request)."""
        return IntentHandle(self, intent_id)

    def get_intent(self, intent_id: str, **options: Unpack[CallOptions]) -> m.Intent:
        return self._call(ops.get_intent(intent_id, options))

    def list_intents(
        self,
        *,
        status: str | None = None,
        to_agent: str | None = None,
        from_agent: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.IntentPage:
        return self._call(
            ops.list_intents(
                options,
                status=status,
                to_agent=to_agent,
                from_agent=from_agent,
                limit=limit,
                cursor=cursor,
            )
        )

    def list_intent_events(
        self,
        intent_id: str,
        *,
        since: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> m.EventPage:
        return self._call(ops.list_intent_events(intent_id, options, since=since, limit=limit))

    def resume_intent(
        self,
        intent_id: str,
        result: Any = None,
        *,
        delivery_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        """Complete the agent's step with `result` (resume kind agent_result, outcome complete)."""
        body = ops.agent_result_body(result, delivery_id)
        return self._call(ops.resume_intent(intent_id, body, options))

    def resume_intent_with(
        self, intent_id: str, body: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        """Send any resume body as given (progress, task_result, control, legacy forms)."""
        return self._call(ops.resume_intent(intent_id, body, options))

    def fail_intent(
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
        return self._call(ops.resume_intent(intent_id, body, options))

    def report_progress(
        self,
        intent_id: str,
        details: Mapping[str, Any] | None = None,
        *,
        delivery_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        """IN_PROGRESS with optional details; also extends the delivery's lease."""
        body = ops.progress_body(details, delivery_id)
        return self._call(ops.resume_intent(intent_id, body, options))

    def resolve_intent(
        self,
        intent_id: str,
        status: str,
        *,
        result: Any = None,
        error: Any = None,
        reason: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        body = ops.resolve_body(status, result, error, reason)
        return self._call(ops.resolve_intent(intent_id, body, options))

    def retry_intent(
        self,
        intent_id: str,
        *,
        reason: str | None = None,
        payload_patch: Mapping[str, Any] | None = None,
        deadline_at: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.RetryResult:
        """A new attempt of a FAILED/TIMED_OUT intent from its failed step (REQ-REATTEMPT-005)."""
        body = ops.retry_body(reason, payload_patch, deadline_at)
        return self._call(ops.retry_intent(intent_id, body, options))

    def cancel_intent(
        self, intent_id: str, *, reason: str | None = None, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        return self.resolve_intent(intent_id, "CANCELED", reason=reason, **options)

    def ack_intent(
        self, intent_id: str, delivery_id: str, **options: Unpack[CallOptions]
    ) -> m.AckResult:
        return self._call(ops.ack_intent(intent_id, delivery_id, options))

    def get_intent_audit(self, intent_id: str, **options: Unpack[CallOptions]) -> m.AuditTrail:
        return self._call(ops.get_intent_audit(intent_id, options))

    def list_notifications(
        self, intent_id: str, **options: Unpack[CallOptions]
    ) -> m.NotificationList:
        return self._call(ops.list_notifications(intent_id, options))

    # --- observe / wait ----------------------------------------------------------

    def observe(
        self,
        intent_id: str,
        *,
        since: int = 0,
        wait_seconds: int | None = None,
        until_terminal: bool = True,
        **options: Unpack[CallOptions],
    ) -> Stream[m.Event]:
        """Events with seq > since, as they happen, ending with the terminal one."""
        plan = observe_plan(
            self._core,
            intent_id,
            since=since,
            wait_seconds=wait_seconds,
            until_terminal=until_terminal,
            options=options,
        )
        return Stream(self._runner.iterate(plan))

    def wait_for(
        self, intent_id: str, *, timeout: float | None = None, **options: Unpack[CallOptions]
    ) -> m.Intent:
        """The intent once terminal; WaitTimeoutError after `timeout` seconds."""
        return self._runner.run(
            wait_for_plan(self._core, intent_id, timeout=timeout, options=options)
        )

    def stream_intent_events(
        self,
        intent_id: str,
        *,
        since: int = 0,
        wait_seconds: int | None = None,
        **options: Unpack[CallOptions],
    ) -> Stream[m.Event]:
        """One raw SSE connection (streamIntentEvents): no resume. Prefer observe()."""
        plan = stream_intent_events_plan(
            self._core, intent_id, since=since, wait_seconds=wait_seconds, options=options
        )
        return Stream(self._runner.iterate(plan))

    # --- agents ------------------------------------------------------------------

    def register_agent(
        self,
        address: str,
        *,
        display_name: str | None = None,
        delivery_mode: str | None = None,
        callback_url: str | None = None,
        callback_secret: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.AgentWithKey:
        body = ops.agent_body(address, display_name, delivery_mode, callback_url, callback_secret)
        return self._call(ops.register_agent(body, options))

    def list_agents(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.AgentPage:
        return self._call(ops.list_agents(options, limit=limit, cursor=cursor))

    def get_agent(self, address: str, **options: Unpack[CallOptions]) -> m.Agent:
        return self._call(ops.get_agent(address, options))

    def create_agent_key(
        self,
        address: str,
        *,
        name: str | None = None,
        expires_at: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.KeyWithSecret:
        body = ops.compact(name=name, expires_at=expires_at)
        return self._call(ops.create_agent_key(address, body, options))

    def delete_agent(self, address: str, **options: Unpack[CallOptions]) -> m.AgentRemoved:
        """Deregister an agent and revoke its keys (REQ-AUTH-015)."""
        return self._call(ops.delete_agent(address, options))

    def list_agent_keys(self, address: str, **options: Unpack[CallOptions]) -> m.KeyList:
        return self._call(ops.list_agent_keys(address, options))

    def rotate_callback_secret(
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
        return self._call(ops.rotate_callback_secret(address, body, options))

    def poll_agent_deliveries(
        self,
        address: str,
        *,
        status: str | None = None,
        wait_seconds: int | None = None,
        limit: int | None = None,
        **options: Unpack[CallOptions],
    ) -> m.DeliveryBatch:
        return self._call(
            ops.poll_agent_deliveries(
                address, options, status=status, wait_seconds=wait_seconds, limit=limit
            )
        )

    def stream_agent_deliveries(
        self,
        address: str,
        *,
        since: str | None = None,
        wait_seconds: int | None = None,
        **options: Unpack[CallOptions],
    ) -> Stream[m.Delivery]:
        """One raw SSE connection (streamAgentDeliveries): no ack, no resume. Prefer listen()."""
        plan = stream_agent_deliveries_plan(
            self._core, address, since=since, wait_seconds=wait_seconds, options=options
        )
        return Stream(self._runner.iterate(plan))

    def listen(
        self, address: str, *, ack: bool = True, **options: Unpack[CallOptions]
    ) -> Stream[m.Delivery]:
        """Deliveries for `address` as they arrive (acked unless ack=False). Endless."""
        return Stream(
            self._runner.iterate(listen_plan(self._core, address, ack=ack, options=options))
        )

    def serve(
        self,
        address: str,
        handler: DeliveryHandler,
        *,
        max_deliveries: int | None = None,
    ) -> int:
        """Run `handler` for each delivery: its return value completes the step, an
        exception fails it. The lease is renewed while the handler runs. Returns the
        number of deliveries handled (runs forever unless max_deliveries is set)."""
        handled = 0
        with self.listen(address) as deliveries:
            for delivery in deliveries:
                self._handle(delivery, handler)
                handled += 1
                if max_deliveries is not None and handled >= max_deliveries:
                    break
        return handled

    def _handle(self, delivery: m.Delivery, handler: DeliveryHandler) -> None:
        stop = threading.Event()
        renewer = threading.Thread(
            target=self._renew_lease, args=(delivery, stop), name="axme-lease", daemon=True
        )
        renewer.start()
        outcome: Any = None
        error: Exception | None = None
        try:
            outcome = handler(delivery)
        except Exception as exc:  # the handler's failure becomes the intent's error
            error = exc
        finally:
            stop.set()
            renewer.join()
        self._runner.run(finish_delivery_plan(self._core, delivery, outcome, error))

    def _renew_lease(self, delivery: m.Delivery, stop: threading.Event) -> None:
        current: m.Delivery | None = delivery
        while current is not None and not stop.wait(renewal_interval(current)):
            current = self._runner.run(renew_lease_plan(self._core, current))
