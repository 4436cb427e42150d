"""Server-Sent Events: the parser, the stream connection observe (`_observe.py`) and
listen (`_listen.py`) share (open, read frames, pace reconnects, the raw
one-connection operation), and the iterator objects observe() and listen() return.
Everything but the parser and the iterators is a plan (see `_transport`).

The parser follows the WHATWG "event stream interpretation".

Why our own and not httpx-sse's decoder: it dispatches events without a data field
(and after a keepalive following an `id:`), keeps a leading BOM and skips
nothing on a missing final blank line, so it fails the shared vectors in
conformance/vectors/sse.json. This one passes all of them; tests load that file.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from ._retry import is_retryable_status, parse_retry_after
from ._transport import (
    CallOptions,
    CloseStream,
    Core,
    Emit,
    OpenStream,
    Plan,
    ReadChunk,
    RequestSpec,
    ResponseLike,
    Timeouts,
    connection_error,
    monotonic,
)
from .errors import AxmeApiError, StreamError, api_error_from_response

logger = logging.getLogger("axme")

#: A stream that ends cleanly sooner than this after connecting is paced like a failure.
QUICK_CLOSE_SECONDS = 0.25


@dataclass(frozen=True)
class SSEFrame:
    #: The last event id at dispatch time; None if the stream never set one.
    id: str | None
    event: str
    data: str


class SSEParser:
    """Feed raw bytes as they arrive; get the complete frames they finish."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""  # text not yet ending in a line break
        self._after_cr = False  # the previous chunk ended with CR (maybe half a CRLF)
        self._at_stream_start = True
        self._last_event_id: str | None = None
        self._event_type = ""
        self._data: list[str] = []
        self._has_data = False
        #: The reconnection time the server asked for (`retry:`), in milliseconds.
        self.retry_ms: int | None = None

    @property
    def last_event_id(self) -> str | None:
        return self._last_event_id

    def feed(self, chunk: bytes) -> list[SSEFrame]:
        return self._feed_text(self._decoder.decode(chunk))

    def finish(self) -> list[SSEFrame]:
        """End of stream: an event without its blank line is dropped (per spec)."""
        frames = self._feed_text(self._decoder.decode(b"", final=True))
        self._pending = ""
        self._reset_event()
        return frames

    def _feed_text(self, text: str) -> list[SSEFrame]:
        if self._at_stream_start and text:
            self._at_stream_start = False
            if text.startswith("\ufeff"):
                text = text[1:]
        frames: list[SSEFrame] = []
        start = 0
        if self._after_cr and text:
            self._after_cr = False
            if text[0] == "\n":  # second half of a CRLF split across chunks
                start = 1
        buffer = self._pending + text[start:]
        self._pending = ""
        if "\r" not in buffer:  # what servers send: LF only, split in C
            lines = buffer.split("\n")
            self._pending = lines.pop()
            for line in lines:
                frame = self._process_line(line)
                if frame is not None:
                    frames.append(frame)
            return frames
        position = 0
        length = len(buffer)
        while position < length:
            cr = buffer.find("\r", position)
            lf = buffer.find("\n", position)
            if cr == -1 and lf == -1:
                break
            if cr == -1 or (lf != -1 and lf < cr):
                line, position = buffer[position:lf], lf + 1
            elif cr + 1 < length:
                line = buffer[position:cr]
                position = cr + 2 if buffer[cr + 1] == "\n" else cr + 1
            else:  # CR at the very end: a line ends, and an LF may follow later
                line, position = buffer[position:cr], cr + 1
                self._after_cr = True
            frame = self._process_line(line)
            if frame is not None:
                frames.append(frame)
        self._pending = buffer[position:]
        return frames

    def _process_line(self, line: str) -> SSEFrame | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event_type = value
        elif name == "id":
            if "\x00" not in value:
                self._last_event_id = value
        elif name == "retry" and value and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> SSEFrame | None:
        if not self._has_data:
            self._reset_event()
            return None
        frame = SSEFrame(
            id=self._last_event_id,
            event=self._event_type or "message",
            data="\n".join(self._data),
        )
        self._reset_event()
        return frame

    def _reset_event(self) -> None:
        self._event_type = ""
        self._data = []
        self._has_data = False


# --- the stream connection (plans) ---------------------------------------------


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
) -> Plan[ResponseLike | Exception]:
    """Try one connection: the streaming response, or the error (transport or API) that
    the caller decides about (retry, fall back to polling, or raise)."""
    headers = dict(headers, Accept="text/event-stream", **{"Cache-Control": "no-store"})
    if cursor:
        headers["Last-Event-ID"] = cursor
    read_timeout = deadline.clamp(core.config.stream_idle_timeout) + 0.05
    timeouts = Timeouts.of(core.config.timeout, read=read_timeout)
    params = dict(extra, since=cursor)
    request = core.build(spec, headers, timeouts=timeouts, params=params)
    try:
        response: ResponseLike = yield OpenStream(request)
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


def read_stream(response: ResponseLike, handle: FrameHandler) -> Plan[StreamEnd]:
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


# --- the iterators observe() and listen() return -----------------------------

T = TypeVar("T")


class Stream(Generic[T]):
    """A blocking iterator over a live stream; also a context manager.

    Closing it (or leaving the `with` block, or breaking out of a `for` loop and
    dropping it) closes the HTTP connection.
    """

    def __init__(self, source: Iterator[Any]) -> None:
        self._source = source

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        value: T = next(self._source)
        return value

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(Generic[T]):
    """An async iterator over a live stream; also an async context manager."""

    def __init__(self, source: AsyncIterator[Any]) -> None:
        self._source = source

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        value: T = await self._source.__anext__()
        return value

    async def aclose(self) -> None:
        aclose = getattr(self._source, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
