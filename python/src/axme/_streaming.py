"""SSE plumbing shared by observe (`_observe.py`) and listen (`_listen.py`): opening a
stream connection, reading frames, pacing reconnects, parsing frames, and the raw
one-connection stream operations. Everything here is a plan (see `_core`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from . import _operations as ops
from ._core import (
    CallOptions,
    CloseStream,
    Core,
    Emit,
    OpenStream,
    Plan,
    ReadChunk,
    RequestSpec,
    connection_error,
    monotonic,
)
from ._retry import is_retryable_status, parse_retry_after
from ._sse import SSEFrame, SSEParser
from .errors import (
    AxmeApiError,
    StreamError,
    api_error_from_response,
)
from .models import Delivery, Event

logger = logging.getLogger("axme")

#: Statuses of the stream endpoint that mean "no streaming here": poll instead.
STREAM_MISSING_STATUSES = frozenset({404, 405, 501})
#: How many delivery ids `listen` remembers to drop duplicates.
SEEN_DELIVERIES = 4096
#: A stream that ends cleanly sooner than this after connecting is paced like a failure.
QUICK_CLOSE_SECONDS = 0.25


@dataclass
class Deadline:
    """An optional absolute deadline (monotonic clock) for wait_for."""

    at: float | None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        return cls(None if seconds is None else monotonic() + seconds)

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - monotonic())

    def expired(self) -> bool:
        return self.at is not None and monotonic() >= self.at

    def clamp(self, seconds: float) -> float:
        left = self.remaining()
        return seconds if left is None else min(seconds, left)


class Reconnector:
    """Counts consecutive connections that produced nothing, and paces reconnects."""

    def __init__(self, core: Core, limit: int | None) -> None:
        self.core = core
        self.limit = limit
        self.failures = 0

    def progressed(self) -> None:
        self.failures = 0

    def after_clean_end(self, connected_at: float) -> float:
        """A `stream.timeout` close is normal (long poll): reconnect at once, unless
        the server closes immediately, which would otherwise become a tight loop."""
        if monotonic() - connected_at >= QUICK_CLOSE_SECONDS:
            return 0.0
        return self.core.policy.backoff(0)

    def failed(self, reason: str, error: Exception | None = None) -> float:
        """Delay before the next attempt; StreamError once `limit` + 1 attempts failed in a
        row (REQ-OBSERVE-006)."""
        self.failures += 1
        if self.limit is not None and self.failures > self.limit:
            raise StreamError(
                f"stream could not be resumed after {self.failures} failed connections: {reason}"
            ) from error
        delay = self.core.policy.backoff(min(self.failures - 1, 10))
        logger.info("stream %s; reconnecting in %.2fs", reason, delay)
        return delay


def stream_spec(operation: str, path: str, options: CallOptions) -> RequestSpec:
    return RequestSpec(operation, "GET", path, options=options)


def open_stream(
    core: Core,
    spec: RequestSpec,
    headers: dict[str, str],
    cursor: str | None,
    deadline: Deadline,
    extra: Mapping[str, Any],
) -> Plan[httpx.Response | Exception]:
    """Try one connection: the streaming response, or the error (transport or API) that
    the caller decides about (retry, fall back to polling, or raise)."""
    headers = dict(headers, Accept="text/event-stream", **{"Cache-Control": "no-store"})
    if cursor:
        headers["Last-Event-ID"] = cursor
    read_timeout = deadline.clamp(core.config.stream_idle_timeout) + 0.05
    timeout = httpx.Timeout(core.config.timeout, read=read_timeout)
    params = dict(extra, since=cursor)
    request = core.build(spec, headers, timeout=timeout, params=params)
    try:
        response: httpx.Response = yield OpenStream(request)
    except httpx.TransportError as exc:
        return exc
    if response.is_success:
        return response
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return api_error_from_response(response, retry_after=retry_after)


#: Handles one frame of an open stream; returns True to stop reading.
FrameHandler = Callable[[SSEFrame], Plan[bool]]


@dataclass
class StreamEnd:
    """How one connection's read loop ended (the stream is closed in every case)."""

    #: The frame handler asked to stop (observe: a terminal event).
    stopped: bool = False
    #: The server's `stream.timeout` frame: a normal long-poll end (REQ-OBSERVE-004).
    timeout_frame: SSEFrame | None = None
    #: The connection broke (idle timeout, reset, truncated chunk).
    broken: httpx.TransportError | None = None

    @property
    def clean(self) -> bool:
        return self.timeout_frame is not None


def read_stream(response: httpx.Response, handle: FrameHandler) -> Plan[StreamEnd]:
    """The SSE read loop of every stream operation: parse frames as bytes arrive, hand
    each one except `stream.timeout` to `handle`, close the connection at the end."""
    parser = SSEParser()
    end = StreamEnd()
    try:
        while not end.stopped:
            chunk: bytes | None = yield ReadChunk(response)
            if chunk is None:
                break
            for frame in parser.feed(chunk):
                if frame.event == "stream.timeout":
                    end.timeout_frame = frame
                elif (yield from handle(frame)):
                    end.stopped = True
                    break
    except httpx.TransportError as exc:
        end.broken = exc
    yield CloseStream(response)
    return end


def retry_delay(core: Core, reconnector: Reconnector, error: Exception) -> float:
    """Pacing after a failed connection; raises errors that retrying cannot fix."""
    if isinstance(error, AxmeApiError):
        if not is_retryable_status(error.status):
            raise error
        if error.retry_after is not None:
            if error.retry_after > core.policy.max_retry_after_seconds:
                raise error
            reconnector.failed(f"answered {error.status}", error)
            return error.retry_after
        return reconnector.failed(f"answered {error.status}", error)
    return reconnector.failed(type(error).__name__, error)


# --- frames ----------------------------------------------------------------------


def parse_event(frame: SSEFrame) -> Event:
    try:
        data = json.loads(frame.data)
        event = Event(data)
        event.seq  # noqa: B018 - validates presence and type
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed {frame.event!r} frame: {frame.data[:200]!r}") from exc
    return event


def parse_delivery(frame: SSEFrame) -> Delivery:
    try:
        delivery = Delivery(json.loads(frame.data))
        delivery.delivery_id, delivery.intent_id  # noqa: B018 - validates presence
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed delivery frame: {frame.data[:200]!r}") from exc
    return delivery


# --- the raw stream operations (one connection, no resume) -------------------------


def single_stream_plan(
    core: Core,
    spec: RequestSpec,
    *,
    since: str | None,
    wait_seconds: int | None,
    wanted: Callable[[SSEFrame], bool],
    parse: Callable[[SSEFrame], Any],
) -> Plan[None]:
    """streamIntentEvents / streamAgentDeliveries as the spec defines them: one SSE
    connection, its wanted frames parsed and emitted, ending when the server ends it.
    Errors are raised (retrying a failed connect is observe's/listen's job)."""
    headers = core.headers_for(spec)
    extra = {} if wait_seconds is None else {"wait_seconds": wait_seconds}
    opened = yield from open_stream(core, spec, headers, since, Deadline(None), extra)
    if isinstance(opened, httpx.TransportError):
        raise connection_error(opened, spec, core.config.resolved_base_url) from opened
    if isinstance(opened, Exception):
        raise opened

    def emit_wanted(frame: SSEFrame) -> Plan[bool]:
        if wanted(frame):
            yield Emit(parse(frame))
        return False

    end = yield from read_stream(opened, emit_wanted)
    if end.broken is not None:
        raise connection_error(end.broken, spec, core.config.resolved_base_url) from end.broken


def stream_intent_events_plan(
    core: Core,
    intent_id: str,
    *,
    since: int,
    wait_seconds: int | None,
    options: CallOptions,
) -> Plan[None]:
    spec = stream_spec("streamIntentEvents", ops.intent_stream_path(intent_id), options)
    return single_stream_plan(
        core,
        spec,
        since=str(since) if since else None,
        wait_seconds=wait_seconds,
        wanted=lambda f: f.event.startswith("intent."),
        parse=parse_event,
    )


def stream_agent_deliveries_plan(
    core: Core,
    address: str,
    *,
    since: str | None,
    wait_seconds: int | None,
    options: CallOptions,
) -> Plan[None]:
    spec = stream_spec("streamAgentDeliveries", ops.agent_stream_path(address), options)
    return single_stream_plan(
        core,
        spec,
        since=since,
        wait_seconds=wait_seconds,
        wanted=lambda f: f.event == "intent.delivery",
        parse=parse_delivery,
    )
