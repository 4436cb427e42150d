"""Incremental Server-Sent Events parser (WHATWG "event stream interpretation").

Why our own and not httpx-sse's decoder: it dispatches events without a data field
(and after a keepalive following an `id:`), keeps a leading BOM and skips
nothing on a missing final blank line, so it fails the shared vectors in
conformance/vectors/sse.json. This one passes all of them; tests load that file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


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
