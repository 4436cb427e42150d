"""The intent handle (REQ-CLIENT-010): what `submit_intent` returns.

    intent = client.submit_intent({"intent_type": ..., "to_agent": ..., "payload": {...}})
    final = intent.wait(timeout=60)          # or: for event in intent.observe(): ...
    intent.cancel(reason="no longer needed")  # or complete(result) / fail(error)

It carries the intent id and acts on that intent only. `complete` and `fail` are the
initiator's writes (resolveIntent, REQ-RESOLVE-002); the handling agent resumes
instead (`resume_intent` / `fail_intent`). `client.intent(intent_id)` gives the handle
of an intent that already exists, without a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from . import models as m
from ._options import reject_unknown_options
from ._sse import AsyncStream, Stream
from ._transport import CallOptions

if TYPE_CHECKING:
    from .async_client import AsyncAxmeClient
    from .client import AxmeClient

#: The error code `fail` sends when the caller gives none (resolveIntent's own default).
DEFAULT_FAILURE_CODE = "failed"

__all__ = ["AsyncIntentHandle", "IntentHandle"]


def failure(error: Mapping[str, Any] | str) -> dict[str, Any]:
    """{code, message, details?}; a plain string is the message, a missing code `failed`."""
    given: dict[str, Any] = {"message": error} if isinstance(error, str) else dict(error)
    return {**given, "code": given.get("code") or DEFAULT_FAILURE_CODE}


class _Handle:
    def __init__(self, intent_id: str, created: m.CreateIntentResult | None) -> None:
        if not isinstance(intent_id, str) or not intent_id:
            raise ValueError(f"an intent handle needs an intent id, got {intent_id!r}")
        self.intent_id = intent_id
        #: The createIntent answer when the handle came from submit_intent, else None.
        self.created = created

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.intent_id!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Handle)
            and type(other) is type(self)
            and other.intent_id == self.intent_id
        )

    def __hash__(self) -> int:
        return hash(self.intent_id)


@reject_unknown_options
class IntentHandle(_Handle):
    """One intent, seen from the client that submitted it (blocking)."""

    def __init__(
        self, client: AxmeClient, intent_id: str, created: m.CreateIntentResult | None = None
    ) -> None:
        super().__init__(intent_id, created)
        self._client = client

    def get(self, **options: Unpack[CallOptions]) -> m.Intent:
        return self._client.get_intent(self.intent_id, **options)

    def wait(self, *, timeout: float | None = None, **options: Unpack[CallOptions]) -> m.Intent:
        """The intent once terminal; WaitTimeoutError after `timeout` seconds."""
        return self._client.wait_for(self.intent_id, timeout=timeout, **options)

    def observe(self, *, since: int = 0, **options: Unpack[CallOptions]) -> Stream[m.Event]:
        """Events with seq > since, as they happen, ending with the terminal one."""
        return self._client.observe(self.intent_id, since=since, **options)

    def complete(self, result: Any = None, **options: Unpack[CallOptions]) -> m.WriteResult:
        """End it COMPLETED with `result` ({} when None)."""
        result = {} if result is None else result
        return self._client.resolve_intent(self.intent_id, "COMPLETED", result=result, **options)

    def fail(self, error: Mapping[str, Any] | str, **options: Unpack[CallOptions]) -> m.WriteResult:
        """End it FAILED with `error` ({code, message, details?} or a message)."""
        return self._client.resolve_intent(
            self.intent_id, "FAILED", error=failure(error), **options
        )

    def cancel(self, *, reason: str | None = None, **options: Unpack[CallOptions]) -> m.WriteResult:
        return self._client.cancel_intent(self.intent_id, reason=reason, **options)


@reject_unknown_options
class AsyncIntentHandle(_Handle):
    """One intent, seen from the client that submitted it (asyncio)."""

    def __init__(
        self, client: AsyncAxmeClient, intent_id: str, created: m.CreateIntentResult | None = None
    ) -> None:
        super().__init__(intent_id, created)
        self._client = client

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
            self.intent_id, "FAILED", error=failure(error), **options
        )

    async def cancel(
        self, *, reason: str | None = None, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        return await self._client.cancel_intent(self.intent_id, reason=reason, **options)
