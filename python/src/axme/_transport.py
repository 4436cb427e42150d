"""The request/retry core shared by the sync and async clients.

Behaviour (retries, headers, error mapping, streaming resume) is written once as
*plans*: generators that yield effects (`Send`, `OpenStream`, `ReadChunk`,
`Sleep`, `Emit`, ...) and receive their results. `_runners.py` performs the
effects with `httpx.Client` + `time.sleep` or an async transport (aiohttp, or a
`httpx.AsyncClient` passed in) + `asyncio.sleep`. So the sync and async clients
differ only in how they wait.

Requests are `WireRequest`s (plain data: building an httpx.Request parses and
validates the URL and every header again, ~40 us a call, for what the core already
knows is valid); a runner turns them into what its library sends. Responses are
anything with `ResponseLike`'s members: an httpx.Response, or `WireResponse`.
"""

from __future__ import annotations

import http
import json
import logging
import os
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, TypeVar
from urllib.parse import urlencode

import httpx
import orjson

from ._retry import RetryPolicy, is_retryable_status, parse_retry_after
from ._version import __version__
from .config import AxmeClientConfig
from .errors import AxmeConnectionError, AxmeTimeoutError, api_error_from_response

logger = logging.getLogger("axme")

T = TypeVar("T")
USER_AGENT = f"axme-python/{__version__}"


class CallOptions(TypedDict, total=False):
    """Per-call options every operation accepts as keyword arguments."""

    #: Sent as X-Trace-Id (one is generated per call otherwise).
    trace_id: str
    #: POST only: reuse a key of your own instead of a generated one.
    idempotency_key: str
    #: Per-attempt timeout in seconds for this call (overrides config.timeout).
    request_timeout: float
    #: Extra headers for this call.
    headers: Mapping[str, str]
    #: Members merged into the JSON body (wire fields this SDK version has no argument for).
    extra_body: Mapping[str, Any]
    #: Query parameters added to the URL.
    extra_query: Mapping[str, Any]


@dataclass(frozen=True)
class RequestSpec:
    """One logical API call: what to send (attempts are the core's business)."""

    operation: str
    method: str
    path: str
    params: Mapping[str, Any] | None = None
    body: Any = None
    options: CallOptions = field(default_factory=lambda: CallOptions())


# --- what goes over the wire ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds per phase of one attempt, as httpx.Timeout names them."""

    connect: float
    read: float
    write: float
    pool: float

    @classmethod
    def of(cls, seconds: float, *, read: float | None = None) -> Timeouts:
        return cls(seconds, seconds if read is None else read, seconds, seconds)


@dataclass(slots=True)
class WireRequest:
    method: str
    #: Absolute URL, path and query already percent-encoded.
    url: str
    headers: dict[str, str]
    content: bytes | None
    timeouts: Timeouts

    def to_httpx(self) -> httpx.Request:
        request = httpx.Request(self.method, self.url, headers=self.headers, content=self.content)
        t = self.timeouts
        request.extensions["timeout"] = {
            "connect": t.connect,
            "read": t.read,
            "write": t.write,
            "pool": t.pool,
        }
        return request


class ResponseLike(Protocol):
    """What the plans read from a response (httpx.Response has all of it)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def is_success(self) -> bool: ...
    @property
    def text(self) -> str: ...
    @property
    def reason_phrase(self) -> str: ...
    def json(self) -> Any: ...


class WireResponse:
    """A response read by a transport other than httpx; header names in lower case."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def reason_phrase(self) -> str:
        try:
            return http.HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""

    def json(self) -> Any:
        return loads(self.content)  # the API's JSON is UTF-8 (RFC 8259)


# orjson reads a response or an SSE frame about 4x faster than the standard library (the
# client's CPU comes out of the cores the server uses), but reads integers beyond 64 bits as
# floats; a text with a run of 19+ digits goes through the standard library, which keeps
# them exact (REQ-LIMIT-010). The run is found by mapping digits to b"0", the rest to b" ".
_DIGIT_MAP = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_RUN = b"0" * 19


def loads(text: str | bytes) -> Any:
    """A JSON text the API sent, as Python values (integers exact at any size)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if _LONG_RUN in data.translate(_DIGIT_MAP):
        return json.loads(data.decode("utf-8"))
    return orjson.loads(data)


# --- effects -----------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Send a request and read the whole response."""

    request: WireRequest


@dataclass(frozen=True)
class OpenStream:
    """Send a request and return once the headers arrive (body read only on non-2xx)."""

    request: WireRequest


@dataclass(frozen=True)
class ReadChunk:
    """Next bytes of an open stream; None at end of stream."""

    response: ResponseLike


@dataclass(frozen=True)
class CloseStream:
    response: ResponseLike


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Emit:
    """Hand a value to the caller of an iterating plan (observe, listen)."""

    value: Any


Effect = Send | OpenStream | ReadChunk | CloseStream | Sleep | Emit
Plan = Generator[Effect, Any, T]


# --- the core ------------------------------------------------------------------


class Core:
    """Builds requests (URL, headers) and holds the retry policy of one client."""

    def __init__(self, config: AxmeClientConfig) -> None:
        self.config = config
        self.policy = RetryPolicy(
            max_retries=config.max_retries,
            base_seconds=config.retry_base_seconds,
            max_seconds=config.retry_max_seconds,
            max_retry_after_seconds=config.max_retry_after_seconds,
        )
        self._static_headers = {
            **config.default_headers,
            "User-Agent": USER_AGENT,
            "X-Axme-Client": USER_AGENT,
            "Accept": "application/json",
        }
        self._api_key = config.resolved_api_key
        #: The base URL as httpx normalises it (IDNA host, quoting), computed once.
        self.base_url = str(httpx.URL(config.resolved_base_url)).rstrip("/")
        self.timeouts = Timeouts.of(config.timeout)

    def headers_for(self, spec: RequestSpec) -> dict[str, str]:
        """Headers of one call: fixed before the first attempt, reused on every retry."""
        headers = dict(self._static_headers)
        if spec.operation != "getHealth":  # REQ-CLIENT-002: every call but health
            headers["x-api-key"] = self._api_key
        headers.update(spec.options.get("headers") or {})
        headers["X-Trace-Id"] = spec.options.get("trace_id") or uuid4()
        if spec.method == "POST":
            headers["Idempotency-Key"] = spec.options.get("idempotency_key") or uuid4()
        return headers

    def build(
        self,
        spec: RequestSpec,
        headers: Mapping[str, str],
        *,
        timeouts: Timeouts | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> WireRequest:
        source = {**(params or spec.params or {}), **(spec.options.get("extra_query") or {})}
        query = urlencode([(k, _query_value(v)) for k, v in source.items() if v is not None])
        body = spec.body
        extra_body = spec.options.get("extra_body")
        if extra_body:
            body = {**(body or {}), **extra_body}
        request_headers = dict(headers)
        content = None
        if body is not None:  # encoded as httpx's json= encodes it
            content = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
            request_headers["Content-Type"] = "application/json"
        if timeouts is None:
            per_call = spec.options.get("request_timeout")
            timeouts = Timeouts.of(per_call) if per_call else self.timeouts
        url = self.base_url + spec.path
        return WireRequest(
            spec.method, f"{url}?{query}" if query else url, request_headers, content, timeouts
        )


def uuid4() -> str:
    """A fresh UUID v4 as text (REQ-CLIENT-004, REQ-IDEMP-001), as `str(uuid.uuid4())` gives
    it at less than half the CPU (no UUID object): two per POST."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def redact_key(key: str) -> str:
    """`axme_admin_1234_secret` -> `axme_admin_` (REQ-CLIENT-006)."""
    parts = key.split("_")
    return "_".join(parts[:2]) + "_" if len(parts) > 2 and parts[0] == "axme" else "***"


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def connection_error(
    exc: httpx.TransportError, spec: RequestSpec, base_url: str
) -> AxmeConnectionError:
    """Names the URL tried (no query), so a wrong or defaulted base URL shows (REQ-CLIENT-009)."""
    where = f"{spec.method} {base_url}{spec.path}"
    if isinstance(exc, httpx.TimeoutException):
        return AxmeTimeoutError(f"{where} timed out: {type(exc).__name__}")
    return AxmeConnectionError(f"{where} failed: {type(exc).__name__}: {exc}")


def request_plan(core: Core, spec: RequestSpec) -> Plan[ResponseLike]:
    """One call with retries: connection errors, 408, 429 and 5xx, Retry-After honoured."""
    headers = core.headers_for(spec)
    policy = core.policy
    for attempt in range(policy.max_retries + 1):
        request = core.build(spec, headers)
        last_attempt = attempt == policy.max_retries
        try:
            response: ResponseLike = yield Send(request)
        except httpx.TransportError as exc:
            if last_attempt:
                raise connection_error(exc, spec, core.config.resolved_base_url) from exc
            delay = policy.backoff(attempt)
            _log_retry(spec, attempt, f"{type(exc).__name__}", delay)
            yield Sleep(delay)
            continue
        logger.debug(
            "%s %s -> %s (attempt %d, request %s, trace %s)",
            spec.method,
            spec.path,
            response.status_code,
            attempt + 1,
            response.headers.get("x-request-id"),
            headers["X-Trace-Id"],
        )
        if response.is_success:
            return response
        if is_retryable_status(response.status_code) and not last_attempt:
            delay_or_none, retry_after = policy.delay_for_response(attempt, response)
            if delay_or_none is None:
                raise api_error_from_response(response, retry_after=retry_after)
            _log_retry(spec, attempt, f"HTTP {response.status_code}", delay_or_none)
            yield Sleep(delay_or_none)
            continue
        raise api_error_from_response(
            response, retry_after=parse_retry_after(response.headers.get("retry-after"))
        )
    raise AssertionError("unreachable: the last attempt returns or raises")


def _log_retry(spec: RequestSpec, attempt: int, reason: str, delay: float) -> None:
    logger.info(
        "retrying %s %s after %s (retry %d, in %.2fs)",
        spec.method,
        spec.path,
        reason,
        attempt + 1,
        delay,
    )


def forward_except_emits(plan: Plan[T], on_emit: Callable[[Any], None]) -> Plan[T]:
    """Run `plan` inside another plan, handing its emitted values to `on_emit`."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = plan.throw(error) if error is not None else plan.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        value, error = None, None
        if isinstance(effect, Emit):
            on_emit(effect.value)
            continue
        try:
            value = yield effect
        except GeneratorExit:
            plan.close()
            raise
        except Exception as exc:  # handed back to the inner plan, like `yield from`
            error = exc


def monotonic() -> float:
    return time.monotonic()
