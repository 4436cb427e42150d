"""The AXME error hierarchy (REQ-ERR-010..013).

    AxmeError
    ├── AxmeConnectionError ── AxmeTimeoutError
    ├── AxmeApiError(status, code, category, retryable, message, request_id, ...)
    │     ├── BadRequestError (400 and other 4xx)   ├── ConflictError (409)
    │     ├── AuthenticationError (401)              ├── ValidationError (422)
    │     ├── PermissionDeniedError (403)            ├── RateLimitError (429)
    │     └── NotFoundError (404)                    └── ServerError (5xx)
    ├── WaitTimeoutError
    └── StreamError

Every class carries `error_type`, the language-neutral name the conformance
harness compares across SDKs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ._transport import ResponseLike

__all__ = [
    "AxmeError",
    "RequestTimeoutError",
    "AxmeConnectionError",
    "AxmeTimeoutError",
    "AxmeApiError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "WaitTimeoutError",
    "StreamError",
    "api_error_from_response",
]


class AxmeError(Exception):
    """Base class of every error the SDK raises."""

    error_type: ClassVar[str] = "AxmeError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AxmeConnectionError(AxmeError):
    """The server could not be reached (DNS, refused, reset) after all retries."""

    error_type = "Connection"


class AxmeTimeoutError(AxmeConnectionError):
    """An attempt timed out (connect, read or write) and retries were exhausted."""

    error_type = "Timeout"


class WaitTimeoutError(AxmeError):
    """`wait_for` reached its own timeout; the intent itself is untouched."""

    error_type = "WaitTimeout"

    def __init__(self, message: str, *, intent_id: str, last_status: str | None) -> None:
        super().__init__(message)
        self.intent_id = intent_id
        self.last_status = last_status


class StreamError(AxmeError):
    """A stream broke the protocol or could not be resumed."""

    error_type = "Stream"


class AxmeApiError(AxmeError):
    """The server answered with a non-2xx status and (usually) an error envelope."""

    error_type = "Api"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        category: str | None = None,
        retryable: bool | None = None,
        details: Any = None,
        request_id: str | None = None,
        trace_id: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.category = category
        self.retryable = retryable
        self.details = details
        self.request_id = request_id
        self.trace_id = trace_id
        self.retry_after = retry_after
        self.body = body

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.status}{code}: {self.message}"


class BadRequestError(AxmeApiError):
    error_type = "BadRequest"


class AuthenticationError(AxmeApiError):
    error_type = "Authentication"


class PermissionDeniedError(AxmeApiError):
    error_type = "PermissionDenied"


class NotFoundError(AxmeApiError):
    error_type = "NotFound"


class ConflictError(AxmeApiError):
    error_type = "Conflict"


class ValidationError(AxmeApiError):
    error_type = "Validation"


class RateLimitError(AxmeApiError):
    error_type = "RateLimit"


class ServerError(AxmeApiError):
    error_type = "Server"


class RequestTimeoutError(AxmeApiError, AxmeTimeoutError):
    """HTTP 408 after all retries: an API error that is also a timeout (REQ-ERR-012)."""

    error_type = "Timeout"


_BY_STATUS: dict[int, type[AxmeApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[AxmeApiError]:
    if status >= 500:
        return ServerError
    if status == 408:
        return RequestTimeoutError
    return _BY_STATUS.get(status, BadRequestError)


def api_error_from_response(
    response: ResponseLike, *, retry_after: float | None = None
) -> AxmeApiError:
    """Map a non-2xx response (the AXP error envelope, or anything else) to an error."""
    body: Any
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text or None
    envelope = body.get("error") if isinstance(body, dict) else None
    code = category = message = None
    retryable: bool | None = None
    details: Any = None
    if isinstance(envelope, dict):
        code = _str_or_none(envelope.get("code"))
        category = _str_or_none(envelope.get("category"))
        message = _str_or_none(envelope.get("message"))
        raw_retryable = envelope.get("retryable")
        retryable = raw_retryable if isinstance(raw_retryable, bool) else None
        details = envelope.get("details")
    else:  # not an envelope, e.g. a proxy's HTML page (REQ-ERR-013)
        code = f"http_{response.status_code}"
        message = (response.text or "")[:200] or None
    if retryable is None:
        retryable = response.status_code in (408, 429) or response.status_code >= 500
    if message is None:
        message = response.reason_phrase or f"HTTP {response.status_code}"
    cls = error_class_for_status(response.status_code)
    return cls(
        message,
        status=response.status_code,
        code=code,
        category=category,
        retryable=retryable,
        details=details,
        request_id=response.headers.get("x-request-id"),
        trace_id=response.headers.get("x-trace-id"),
        retry_after=retry_after,
        body=body,
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
