"""The intent handle (REQ-CLIENT-010), written once for asyncio; the blocking
`IntentHandle` is generated from it (`_sync/intent_handle.py`).

It carries the intent id and acts on that intent only. `complete` and `fail` are the
initiator's writes (resolveIntent, REQ-RESOLVE-002); the handling agent resumes
instead (`resume_intent` / `fail_intent`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from .. import models as m
from .._operations import initiator_failure
from .._options import reject_unknown_options
from .._sse import AsyncStream
from .._transport import CallOptions

if TYPE_CHECKING:
    from ..async_client import AsyncAxmeClient


@reject_unknown_options
class AsyncIntentHandle:
    """One intent, seen from the client that submitted it."""

    def __init__(
        self, client: AsyncAxmeClient, intent_id: str, created: m.CreateIntentResult | None = None
    ) -> None:
        if not isinstance(intent_id, str) or not intent_id:
            raise ValueError(f"an intent handle needs an intent id, got {intent_id!r}")
        self.intent_id = intent_id
        #: The createIntent answer when the handle came from submit_intent, else None.
        self.created = created
        self._client = client

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.intent_id!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.intent_id == self.intent_id

    def __hash__(self) -> int:
        return hash(self.intent_id)

    async def get(self, **options: Unpack[CallOptions]) -> m.Intent:
        return await self._client.get_intent(self.intent_id, **options)

    async def wait(
        self, *, timeout: float | None = None, **options: Unpack[CallOptions]
    ) -> m.Intent:
        """The intent once terminal; WaitTimeoutError after `timeout` seconds."""
        return await self._client.wait_for(self.intent_id, timeout=timeout, **options)

    def observe(self, *, since: int = 0, **options: Unpack[CallOptions]) -> AsyncStream[m.Event]:
        """Events with seq > since, as they happen, ending with the terminal one."""
        return self._client.observe(self.intent_id, since=since, **options)

    async def complete(self, result: Any = None, **options: Unpack[CallOptions]) -> m.WriteResult:
        """End it COMPLETED with `result` ({} when None)."""
        result = {} if result is None else result
        return await self._client.resolve_intent(
            self.intent_id, "COMPLETED", result=result, **options
        )

    async def fail(
        self, error: Mapping[str, Any] | str, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        """End it FAILED with `error` ({code, message, details?} or a message)."""
        return await self._client.resolve_intent(
            self.intent_id, "FAILED", error=initiator_failure(error), **options
        )

    async def cancel(
        self, *, reason: str | None = None, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        return await self._client.cancel_intent(self.intent_id, reason=reason, **options)
