"""The one error envelope and the stable error codes (REQ-ERR-001, REQ-ERR-003)."""

from __future__ import annotations

from typing import Any

# code -> (HTTP status, category, retryable)
CODES: dict[str, tuple[int, str, bool]] = {
    "invalid_json": (400, "validation", False),
    "bad_request": (400, "validation", False),
    "unauthorized": (401, "auth", False),
    "forbidden": (403, "policy", False),
    "not_found": (404, "not_found", False),
    "intent_not_found": (404, "not_found", False),
    "agent_not_found": (404, "not_found", False),
    "key_not_found": (404, "not_found", False),
    "method_not_allowed": (405, "validation", False),
    "request_timeout": (408, "transport", True),
    "idempotency_conflict": (409, "conflict", False),
    "invalid_transition": (409, "conflict", False),
    "intent_terminal": (409, "conflict", False),
    "stale_delivery": (409, "conflict", False),
    "agent_exists": (409, "conflict", False),
    "workspace_exists": (409, "conflict", False),
    "last_admin_key": (409, "conflict", False),
    "payload_too_large": (413, "validation", False),
    "uri_too_long": (414, "validation", False),
    "unsupported_media_type": (415, "validation", False),
    "headers_too_large": (431, "validation", False),
    "validation_error": (422, "validation", False),
    "task_validation_failed": (422, "validation", False),
    "rate_limited": (429, "rate_limit", True),
    "internal_error": (500, "internal", True),
    "unavailable": (503, "transport", True),
}

# used by fault injection, which is given a bare HTTP status
STATUS_TO_CODE: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "unavailable",
    409: "invalid_transition",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "unavailable",
    503: "unavailable",
    504: "unavailable",
}


class ApiError(Exception):
    """Raised anywhere in a request; turned into the envelope by the HTTP layer."""

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.status = status or CODES[code][0]
        self.headers = headers or {}


def envelope(
    code: str, message: str, details: dict[str, Any] | None = None, status: int | None = None
) -> dict[str, Any]:
    _, category, retryable = CODES.get(code, (status or 500, "internal", True))
    if status is not None and status >= 500:
        retryable = True
    return {
        "ok": False,
        "error": {
            "code": code,
            "message": message,
            "category": category,
            "retryable": retryable,
            "details": details or {},
        },
        "detail": message,
    }


def validation(
    message: str, field: str | None = None, errors: list[dict[str, Any]] | None = None
) -> ApiError:
    details: dict[str, Any] = {}
    if field is not None:
        details["field"] = field
    if errors:
        details["errors"] = errors
    return ApiError("validation_error", message, details)
