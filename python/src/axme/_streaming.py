"""observe / wait_for / listen as plans (see `_core`): streaming, resume, reconnect.

Rules (SDK-CONVENTIONS "observe", "wait_for", "listen"):
- each event is emitted as soon as its frame is parsed;
- a reconnect resumes with `since` and `Last-Event-ID` = the last seq emitted, and
  anything at or below it is dropped, so nothing is lost or duplicated;
- reconnects back off with jitter; a clean `stream.timeout` end reconnects at once;
- no bytes (keepalives count) for `stream_idle_timeout` seconds -> reconnect;
- the stream endpoint answering 404/405/501 -> poll `/events` instead.
"""

from __future__ import annotations

import json
import logging
import math
from collections import OrderedDict
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
    Sleep,
    connection_error,
    forward_except_emits,
    monotonic,
)
from ._retry import is_retryable_status, parse_retry_after
from ._sse import SSEFrame, SSEParser
from .errors import (
    AxmeApiError,
    AxmeConnectionError,
    ConflictError,
    StreamError,
    WaitTimeoutError,
    api_error_from_response,
)
from .models import Delivery, Event, Intent, is_terminal_status

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


@dataclass
class Connection:
    """Outcome of one stream connection attempt."""

    response: httpx.Response | None = None
    #: Status that means "use polling", or None.
    missing: bool = False


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


def _stream_spec(operation: str, path: str, options: CallOptions) -> RequestSpec:
    return RequestSpec(operation, "GET", path, options=options)


def _open_stream(
    core: Core,
    spec: RequestSpec,
    headers: dict[str, str],
    cursor: str | None,
    deadline: Deadline,
    extra: Mapping[str, Any],
) -> Plan[tuple[httpx.Response | None, Exception | None]]:
    """Try one connection. Returns (response, None) when streaming, else (None, error)."""
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
        return None, exc
    if response.is_success:
        return response, None
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return None, api_error_from_response(response, retry_after=retry_after)


def _frames(response: httpx.Response, parser: SSEParser) -> Plan[list[SSEFrame] | None]:
    """Frames completed by the next chunk; None at end of stream."""
    chunk: bytes | None = yield ReadChunk(response)
    if chunk is None:
        return None
    return parser.feed(chunk)


def _retry_delay(core: Core, reconnector: Reconnector, error: Exception) -> float:
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


# --- observe ---------------------------------------------------------------------


def parse_event(frame: SSEFrame) -> Event:
    try:
        data = json.loads(frame.data)
        event = Event(data)
        event.seq  # noqa: B018 - validates presence and type
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed {frame.event!r} frame: {frame.data[:200]!r}") from exc
    return event


def stream_failure_budget(core: Core) -> int:
    return max(core.config.max_retries, 5)


def _is_stream_missing(error: Exception) -> bool:
    """404 (other than intent_not_found), 405 or 501 mean "no stream endpoint here"."""
    return (
        isinstance(error, AxmeApiError)
        and error.status in STREAM_MISSING_STATUSES
        and error.code != "intent_not_found"
    )


def _next_seq(frame: SSEFrame) -> int | None:
    try:
        value = json.loads(frame.data).get("next_seq")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def observe_plan(
    core: Core,
    intent_id: str,
    *,
    since: int = 0,
    deadline: Deadline | None = None,
    wait_seconds: int | None = None,
    until_terminal: bool = True,
    options: CallOptions | None = None,
) -> Plan[None]:
    """Emit the intent's events with seq > since, until a terminal one (or forever)."""
    deadline = deadline or Deadline(None)
    options = options or CallOptions()
    spec = _stream_spec("streamIntentEvents", ops.intent_stream_path(intent_id), options)
    headers = core.headers_for(spec)
    cursor = since  # the last seq emitted; everything at or below it is dropped
    resume_from = since  # what the next connection asks for
    reconnector = Reconnector(core, stream_failure_budget(core))
    last_status: str | None = None
    while True:
        _check_deadline(deadline, intent_id, last_status)
        extra: dict[str, Any] = {}
        limits = [s for s in (wait_seconds, deadline.remaining()) if s is not None]
        if limits:
            extra["wait_seconds"] = min(300, max(1, math.ceil(min(limits))))
        connected_at = monotonic()
        response, error = yield from _open_stream(
            core, spec, headers, str(resume_from) if resume_from else None, deadline, extra
        )
        if response is None:
            assert error is not None
            if _is_stream_missing(error):
                logger.info("event stream unavailable (%s); polling /events", error)
                yield from poll_events_plan(
                    core,
                    intent_id,
                    since=cursor,
                    deadline=deadline,
                    until_terminal=until_terminal,
                    options=options,
                )
                return
            yield Sleep(deadline.clamp(_retry_delay(core, reconnector, error)))
            continue
        parser = SSEParser()
        clean_end = False
        try:
            while True:
                frames = yield from _frames(response, parser)
                if frames is None:
                    break
                for frame in frames:
                    if frame.event == "stream.timeout":  # REQ-OBSERVE-004
                        clean_end = True
                        next_seq = _next_seq(frame)
                        resume_from = cursor if next_seq is None else max(0, next_seq - 1)
                        continue
                    if not frame.event.startswith("intent."):
                        continue
                    event = parse_event(frame)
                    if event.seq <= cursor:
                        continue  # already emitted before a reconnect
                    cursor = resume_from = event.seq
                    last_status = event.status
                    reconnector.progressed()
                    yield Emit(event)
                    if event.is_terminal and until_terminal:
                        yield CloseStream(response)
                        return
        except httpx.TransportError as exc:  # idle timeout, reset, truncated chunk
            logger.info("event stream interrupted: %s", type(exc).__name__)
        yield CloseStream(response)
        _check_deadline(deadline, intent_id, last_status)
        resume_from = resume_from if clean_end else cursor
        if clean_end:
            delay = reconnector.after_clean_end(connected_at)
        elif is_terminal_status(last_status):  # until_terminal=False: nothing more will come
            delay = core.policy.backoff(stream_failure_budget(core))
        else:
            delay = reconnector.failed("ended before a terminal event")
        yield Sleep(deadline.clamp(delay))


def _check_deadline(deadline: Deadline, intent_id: str, last_status: str | None) -> None:
    if deadline.expired():
        raise WaitTimeoutError(
            f"intent {intent_id} did not reach a terminal status in time"
            + (f" (last status {last_status})" if last_status else ""),
            intent_id=intent_id,
            last_status=last_status,
        )


def poll_events_plan(
    core: Core,
    intent_id: str,
    *,
    since: int,
    deadline: Deadline,
    until_terminal: bool,
    options: CallOptions,
) -> Plan[None]:
    """The fallback when the stream endpoint is missing: GET /events until terminal."""
    cursor = since
    last_status: str | None = None
    while True:
        _check_deadline(deadline, intent_id, last_status)
        page = yield from ops.call_plan(
            core, ops.list_intent_events(intent_id, options, since=cursor)
        )
        fresh = [e for e in page.events if e.seq > cursor]
        for event in fresh:
            cursor = event.seq
            last_status = event.status
            yield Emit(event)
            if event.is_terminal and until_terminal:
                return
        if not fresh:
            yield Sleep(deadline.clamp(core.config.poll_interval_seconds))


def wait_for_plan(
    core: Core,
    intent_id: str,
    *,
    timeout: float | None,
    options: CallOptions | None = None,
) -> Plan[Intent]:
    """The terminal intent. Never touches the intent itself (no cancel on timeout)."""
    options = options or CallOptions()
    deadline = Deadline.after(timeout)
    intent = yield from ops.call_plan(core, ops.get_intent(intent_id, options))
    if intent.is_terminal:
        return intent
    seen: list[Event] = []
    yield from forward_except_emits(
        observe_plan(core, intent_id, since=intent.last_seq, deadline=deadline, options=options),
        seen.append,
    )
    return (yield from ops.call_plan(core, ops.get_intent(intent_id, options)))


# --- listen ----------------------------------------------------------------------


def parse_delivery(frame: SSEFrame) -> Delivery:
    try:
        delivery = Delivery(json.loads(frame.data))
        delivery.delivery_id, delivery.intent_id  # noqa: B018 - validates presence
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed delivery frame: {frame.data[:200]!r}") from exc
    return delivery


def listen_plan(
    core: Core,
    address: str,
    *,
    ack: bool = True,
    options: CallOptions | None = None,
) -> Plan[None]:
    """Emit deliveries for `address` forever (acked first); survives drops, 429 and 5xx."""
    options = options or CallOptions()
    spec = _stream_spec("streamAgentDeliveries", ops.agent_stream_path(address), options)
    headers = core.headers_for(spec)
    cursor: str | None = None
    seen: OrderedDict[str, None] = OrderedDict()
    reconnector = Reconnector(core, None)
    forever = Deadline(None)
    while True:
        connected_at = monotonic()
        response, error = yield from _open_stream(core, spec, headers, cursor, forever, {})
        if response is None:
            assert error is not None
            yield Sleep(_retry_delay(core, reconnector, error))
            continue
        parser = SSEParser()
        clean_end = False
        try:
            while True:
                frames = yield from _frames(response, parser)
                if frames is None:
                    break
                for frame in frames:
                    if frame.event == "stream.timeout":
                        clean_end = True
                    if frame.event != "intent.delivery":
                        continue
                    delivery = parse_delivery(frame)
                    cursor = frame.id or cursor
                    reconnector.progressed()
                    if delivery.delivery_id in seen:
                        continue
                    seen[delivery.delivery_id] = None
                    if len(seen) > SEEN_DELIVERIES:
                        seen.popitem(last=False)
                    if ack:
                        acked = yield from _ack(core, delivery, options)
                        if acked is None:
                            continue
                        delivery = acked
                    yield Emit(delivery)
        except httpx.TransportError as exc:
            logger.info("delivery stream interrupted: %s", type(exc).__name__)
        yield CloseStream(response)
        if clean_end:
            yield Sleep(reconnector.after_clean_end(connected_at))
        else:
            yield Sleep(reconnector.failed("delivery stream ended"))


def _ack(core: Core, delivery: Delivery, options: CallOptions) -> Plan[Delivery | None]:
    """Ack a delivery; None if it is no longer ours (stale, terminal) or the ack failed."""
    call = ops.ack_intent(delivery.intent_id, delivery.delivery_id, options)
    try:
        result = yield from ops.call_plan(core, call)
    except ConflictError as exc:
        logger.info(
            "skipping delivery %s of intent %s: %s",
            delivery.delivery_id,
            delivery.intent_id,
            exc.code,
        )
        return None
    except (AxmeApiError, AxmeConnectionError) as exc:
        # The lease expires and the server redelivers; nothing is lost.
        logger.warning(
            "ack of delivery %s failed (%s); it will be redelivered", delivery.delivery_id, exc
        )
        return None
    return delivery.with_lease(result.lease_expires_at)


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
    response, error = yield from _open_stream(core, spec, headers, since, Deadline(None), extra)
    if response is None:
        assert error is not None
        if isinstance(error, httpx.TransportError):
            raise connection_error(error, spec) from error
        raise error
    parser = SSEParser()
    try:
        while True:
            frames = yield from _frames(response, parser)
            if frames is None:
                break
            for frame in frames:
                if wanted(frame):
                    yield Emit(parse(frame))
    except httpx.TransportError as exc:
        raise connection_error(exc, spec) from exc
    yield CloseStream(response)


def stream_intent_events_plan(
    core: Core,
    intent_id: str,
    *,
    since: int,
    wait_seconds: int | None,
    options: CallOptions,
) -> Plan[None]:
    spec = _stream_spec("streamIntentEvents", ops.intent_stream_path(intent_id), options)
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
    spec = _stream_spec("streamAgentDeliveries", ops.agent_stream_path(address), options)
    return single_stream_plan(
        core,
        spec,
        since=since,
        wait_seconds=wait_seconds,
        wanted=lambda f: f.event == "intent.delivery",
        parse=parse_delivery,
    )
