"""observe / wait_for as plans (see `_transport`): streaming with resume and reconnect.

Rules (REQ-OBSERVE-*, REQ-WAIT-*):
- each event is emitted as soon as its frame is parsed;
- a reconnect resumes with `since` and `Last-Event-ID` = the last seq emitted, and
  anything at or below it is dropped, so nothing is lost or duplicated;
- reconnects back off with jitter; a `stream.timeout` end reconnects at once;
- no bytes (keepalives count) for `stream_idle_timeout` seconds -> reconnect;
- the stream endpoint missing (404 other than intent_not_found, 405, 501) -> poll `/events`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from . import _operations as ops
from ._sse import (
    Deadline,
    Reconnector,
    SSEFrame,
    open_stream,
    read_stream,
    retry_delay,
    single_stream_plan,
    stream_spec,
)
from ._transport import (
    CallOptions,
    Core,
    Emit,
    Plan,
    Sleep,
    forward_except_emits,
    loads,
    monotonic,
)
from .errors import AxmeApiError, StreamError, WaitTimeoutError
from .models import Event, Intent, is_terminal_status

logger = logging.getLogger("axme")

#: Statuses of the stream endpoint that mean "no streaming here": poll instead.
STREAM_MISSING_STATUSES = frozenset({404, 405, 501})


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
        value = loads(frame.data).get("next_seq")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


RETRYABLE_STATUSES = ("FAILED", "TIMED_OUT")


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
    """Emit the intent's events with seq > since, until a terminal one (or forever). A FAILED
    or TIMED_OUT end that was retried goes on with the new attempt's events (REQ-REATTEMPT-009)."""
    deadline = deadline or Deadline(None)
    options = options or CallOptions()
    while True:
        last = yield from _observe_one(
            core, intent_id, since, deadline, wait_seconds, until_terminal, options
        )
        if not until_terminal or last not in RETRYABLE_STATUSES:
            return
        try:
            intent = yield from ops.call_plan(core, ops.get_intent(intent_id, options))
        except AxmeApiError as unreadable:  # the terminal event was yielded: end quietly
            logger.debug("observe: reading %s for a retry link failed: %s", intent_id, unreadable)
            return
        if not intent.retried_by:
            return
        intent_id, since = intent.retried_by, 0


def _observe_one(
    core: Core,
    intent_id: str,
    since: int,
    deadline: Deadline,
    wait_seconds: int | None,
    until_terminal: bool,
    options: CallOptions,
    on_intent: Callable[[Intent], None] | None = None,
) -> Plan[str | None]:
    """One intent's events with seq > since; returns the last status seen. After the terminal
    event the stream is read to its end, which the server sends right after it (REQ-SSE-009), so
    the connection goes back to the pool instead of being dropped. With `on_intent` (wait_for)
    the stream is asked for its `stream.intent` frames (REQ-SSE-016), each handed to
    `on_intent`."""
    spec = stream_spec("streamIntentEvents", ops.intent_stream_path(intent_id), options)
    headers = core.headers_for(spec)
    cursor = since  # the last seq emitted; everything at or below it is dropped
    resume_from = since  # what the next connection asks for
    reconnector = Reconnector(core, stream_failure_budget(core))
    last_status: str | None = None
    final_intent = False  # a terminal stream.intent frame came: the wait is over (REQ-SSE-016)

    def take(frame: SSEFrame) -> Plan[bool]:
        nonlocal cursor, last_status, final_intent
        if not frame.event.startswith("intent."):
            if on_intent is not None and frame.event == "stream.intent":
                intent = parse_stream_intent(frame)
                on_intent(intent)
                final_intent = intent.is_terminal  # read on: the server ends the stream right after
            return False
        event = parse_event(frame)
        if event.seq <= cursor:
            return False  # already emitted before a reconnect
        cursor, last_status = event.seq, event.status
        reconnector.progressed()
        yield Emit(event)
        return False  # even after a terminal event: its end of stream follows at once

    while True:
        _check_deadline(deadline, intent_id, last_status)
        extra: dict[str, Any] = {} if on_intent is None else {"include_intent": "true"}
        limits = [s for s in (wait_seconds, deadline.remaining()) if s is not None]
        if limits:
            extra["wait_seconds"] = min(300, max(1, math.ceil(min(limits))))
        connected_at = monotonic()
        opened = yield from open_stream(
            core, spec, headers, str(resume_from) if resume_from else None, deadline, extra
        )
        if isinstance(opened, Exception):
            if _is_stream_missing(opened):
                logger.info("event stream unavailable (%s); polling /events", opened)
                return (
                    yield from poll_events_plan(
                        core,
                        intent_id,
                        since=cursor,
                        deadline=deadline,
                        until_terminal=until_terminal,
                        options=options,
                    )
                )
            yield Sleep(deadline.clamp(retry_delay(core, reconnector, opened)))
            continue
        end = yield from read_stream(opened, take)
        if end.stopped or final_intent or (until_terminal and is_terminal_status(last_status)):
            return last_status
        if end.broken is not None:
            logger.info("event stream interrupted: %s", type(end.broken).__name__)
        _check_deadline(deadline, intent_id, last_status)
        if end.timeout_frame is not None:  # REQ-OBSERVE-004: resume where the server says
            next_seq = _next_seq(end.timeout_frame)
            resume_from = cursor if next_seq is None else max(0, next_seq - 1)
            delay = reconnector.after_clean_end(connected_at)
        else:
            resume_from = cursor
            if is_terminal_status(last_status):  # until_terminal=False: nothing more will come
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
) -> Plan[str | None]:
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
                return last_status
        if not fresh:
            yield Sleep(deadline.clamp(core.config.poll_interval_seconds))


def wait_for_plan(
    core: Core,
    intent_id: str,
    *,
    timeout: float | None,
    options: CallOptions | None = None,
) -> Plan[Intent]:
    """The terminal intent, following `retried_by` to the last attempt (REQ-REATTEMPT-008).
    Never touches the intent itself (no cancel on timeout)."""
    options = options or CallOptions()
    deadline = Deadline.after(timeout)
    while True:
        intent = yield from _wait_one(core, intent_id, deadline, options)
        if not intent.is_terminal:
            continue  # a read that lagged the terminal event: wait again
        if not (intent.retried_by and intent.status in RETRYABLE_STATUSES):
            return intent
        intent_id = intent.retried_by


def _wait_one(core: Core, intent_id: str, deadline: Deadline, options: CallOptions) -> Plan[Intent]:
    """One request (REQ-WAIT-005): the stream's `stream.intent` frames carry the intent when it
    opens and once it is terminal. A server that sends none (older) costs one getIntent after."""
    latest: list[Intent] = []

    def on_intent(intent: Intent) -> None:
        latest[:] = [intent]

    yield from forward_except_emits(
        _observe_one(core, intent_id, 0, deadline, None, True, options, on_intent),
        lambda _event: None,
    )
    if latest and latest[0].is_terminal:
        return latest[0]
    # a terminal event without a terminal stream.intent frame: an older server (or the
    # connection broke right after the event); one read answers
    return (yield from ops.call_plan(core, ops.get_intent(intent_id, options)))


def parse_stream_intent(frame: SSEFrame) -> Intent:
    try:
        intent = Intent(loads(frame.data)["intent"])
        intent.intent_id, intent.status  # noqa: B018 - validates presence
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed stream.intent frame: {frame.data[:200]!r}") from exc
    return intent


def parse_event(frame: SSEFrame) -> Event:
    try:
        data = loads(frame.data)
        event = Event(data)
        event.seq  # noqa: B018 - validates presence and type
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed {frame.event!r} frame: {frame.data[:200]!r}") from exc
    return event


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
