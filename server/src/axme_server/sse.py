"""Server-sent event streams (REQ-SSE-001..015): the per-intent observe stream and
the per-agent delivery stream. Events are pushed by the hub right after commit; an
idle stream costs one pending future. A backlog goes out one page at a time, each
written only after the connection took the one before (REQ-LIMIT-007), and a stream
ends as soon as its key is revoked (REQ-LIMIT-015)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from axme_server.engine import public
from axme_server.jsonutil import dumps
from axme_server.lifecycle import TERMINAL
from axme_server.limits import DEFAULT as DEFAULT_LIMITS

if TYPE_CHECKING:
    from axme_server.service import Engine

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

RETRY = b"retry: 2000\n\n"
KEEPALIVE = b": keepalive\n\n"


def frame(id_: Any, event: str, data: Any) -> bytes:
    return b"id: %s\nevent: %s\ndata: %s\n\n" % (str(id_).encode(), event.encode(), dumps(data))


class StreamBase:
    """Common plumbing: headers, disconnect watch, keepalives, fault hooks."""

    def __init__(self, engine: Engine, wait_seconds: float, fault: dict[str, Any] | None) -> None:
        self.engine = engine
        self.wait_seconds = wait_seconds
        self.fault = fault
        self.disconnected = False
        self.sent_events = 0
        self.out: list[bytes] = []  # frames not yet written
        self.page = DEFAULT_LIMITS.stream_page  # events framed per write (the app sets its --stream-page)
        self.ended = False  # set by end(): the key was revoked
        self.sub: Any = None  # the subscription the body waits on

    def end(self) -> None:
        """Stop now: nothing more is framed, and the stream ends at its next step."""
        self.ended = True
        if self.sub is not None:
            self.sub.wake()

    async def _start(self, send: Send, headers: list[tuple[bytes, bytes]]) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                    *headers,
                ],
            }
        )

    async def _write(self, send: Send, data: bytes) -> None:
        await send({"type": "http.response.body", "body": data, "more_body": True})

    async def _flush(self, send: Send) -> None:
        """Send the frames queued in `out` as one chunk (frames of one commit travel together)."""
        if self.out:
            data = b"".join(self.out)
            self.out.clear()
            await self._write(send, data)

    def _watch(self, receive: Receive, wake: Callable[[], None]) -> asyncio.Task[None]:
        async def watch() -> None:
            while True:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    self.disconnected = True
                    wake()
                    return

        return asyncio.get_running_loop().create_task(watch())

    def _drop_now(self) -> bool:
        f = self.fault
        return bool(f and f["type"] == "drop_stream" and self.sent_events >= int(f.get("after_events", 0)))

    async def run(self, send: Send, receive: Receive, headers: list[tuple[bytes, bytes]]) -> None:
        await self._start(send, headers)
        if self.fault and self.fault["type"] == "raw_sse":
            await self._write(send, self.fault.get("frames", "").encode())
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        self.engine.hub.open_streams += 1
        self.out.append(RETRY)  # goes out with the backlog (or alone, before the first wait)
        try:
            await self.body(send, receive)
        except OSError:  # client went away mid-write
            self.disconnected = True
        finally:
            self.engine.hub.open_streams -= 1
        if not self.disconnected:  # the last frames and the end of the stream: one write
            try:
                await send({"type": "http.response.body", "body": b"".join(self.out), "more_body": False})
            except OSError:
                pass

    async def body(self, send: Send, receive: Receive) -> None:
        raise NotImplementedError


class IntentStream(StreamBase):
    def __init__(
        self,
        engine: Engine,
        intent_id: str,
        since: int,
        wait_seconds: float,
        fault: dict[str, Any] | None,
        include_intent: bool = False,
    ) -> None:
        super().__init__(engine, wait_seconds, fault)
        self.intent_id = intent_id
        self.since = since
        self.include_intent = include_intent  # stream.intent frames first and after the terminal event

    def _frame_intent(self) -> None:
        """Queue a `stream.intent` frame: the visible intent, as getIntent returns it (REQ-SSE-016).
        No id line, so it never moves the client's Last-Event-ID."""
        doc = self.engine.core.cached_intent(self.intent_id)
        if self.include_intent and doc is not None:
            self.out.append(b"event: stream.intent\ndata: %s\n\n" % dumps({"intent": public(doc)}))

    def _frame_events(self, events: Any, last: int) -> tuple[int, bool]:
        """Queue frames for events after `last`; returns (the new last seq, True when the stream ends)."""
        for ev in events:
            if ev["seq"] <= last:
                continue
            if self._drop_now() or self.ended:
                return last, True
            self.out.append(frame(ev["seq"], ev["event_type"], ev))
            self.sent_events += 1
            last = ev["seq"]
            if ev["status"] in TERMINAL:
                self._frame_intent()  # the final intent: wait_for needs no GET after the stream
                return last, True
        return last, False

    async def _backlog(self, send: Send, sub: Any) -> tuple[int, bool]:
        """Page through the events after `since`. Subscribed first, so nothing published meanwhile
        is missed; a commit not yet published comes through the hub, never from the store ahead of GET."""
        engine = self.engine
        last = self.since
        while not self.disconnected:
            doc = engine.core.cached_intent(self.intent_id)
            if doc is None:
                return last, False
            page = engine.core.visible_events(doc, last, self.page)
            if not page:
                if doc["status"] in TERMINAL and last >= doc["last_seq"] and not sub.items:
                    return last, True  # nothing left to send on a finished intent (REQ-SSE-009)
                return last, False
            last, done = self._frame_events(page, last)
            if done or len(page) < self.page:
                return last, done
            await self._flush(send)  # waits while the connection has not taken the previous page
        return last, True

    async def body(self, send: Send, receive: Receive) -> None:
        engine = self.engine
        loop = asyncio.get_running_loop()
        sub = self.sub = engine.hub.subscribe(self.intent_id)
        watcher = self._watch(receive, sub.wake)
        try:
            if self.include_intent:  # the current state, before any event (goes out with `retry`)
                self._frame_intent()
                doc = engine.core.cached_intent(self.intent_id)
                if doc is not None and doc["status"] in TERMINAL:
                    return  # already terminal: the intent is a waiter's whole answer, no replay
            last, done = await self._backlog(send, sub)
            if done:
                return
            deadline = loop.time() + self.wait_seconds
            keepalive = engine.settings.keepalive_seconds
            while True:
                while sub.items:
                    batch = [sub.items.popleft() for _ in range(min(len(sub.items), self.page))]
                    last, done = self._frame_events(batch, last)
                    if done:
                        return
                    if sub.items:
                        await self._flush(send)
                if self.disconnected or self.ended:
                    return
                now = loop.time()
                if now >= deadline:
                    self.out.append(b"event: stream.timeout\ndata: %s\n\n" % dumps({"next_seq": last + 1}))
                    return
                await self._flush(send)
                await sub.wait(min(keepalive, deadline - now))
                if not sub.items and not self.disconnected and loop.time() < deadline:
                    await self._write(send, KEEPALIVE)
        finally:
            watcher.cancel()
            engine.hub.unsubscribe(self.intent_id, sub)


class AgentStream(StreamBase):
    """Deliveries of one agent. A delivery counts as sent once its frame went into an open
    connection; the ones that did not (the connection closed first) are handed back."""

    def __init__(
        self,
        engine: Engine,
        address: str,
        since: int,
        wait_seconds: float,
        fault: dict[str, Any] | None,
        connection_open: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(engine, wait_seconds, fault)
        self.address = address
        self.cursor = since  # last delivery cursor sent on this connection (REQ-SSE-011)
        self.connection_open = connection_open or self._not_disconnected
        self.unsent: list[dict[str, Any]] = []  # deliveries whose frames are in `out`, not yet written

    def _not_disconnected(self) -> bool:  # servers without a connection check: the disconnect watch
        return not self.disconnected

    async def _flush_deliveries(self, send: Send) -> bool:
        """Write the queued frames; False when the connection is gone (they stay unsent)."""
        if not self.connection_open():
            self.disconnected = True
            return False
        await self._flush(send)
        if not self.connection_open():  # closed while the write waited for the transport
            self.disconnected = True
            return False
        self.unsent.clear()
        return True

    async def body(self, send: Send, receive: Receive) -> None:
        engine = self.engine
        loop = asyncio.get_running_loop()
        consumer = engine.lanes.attach(self.address, None, self.connection_open)
        sub = self.sub = consumer.sub
        watcher = self._watch(receive, sub.wake)
        try:
            deadline = loop.time() + self.wait_seconds
            keepalive = engine.settings.keepalive_seconds
            while True:
                while sub.items and not self.ended:
                    d = sub.items.popleft()
                    if self._drop_now():  # the frames before it go out; it does not
                        await self._flush_deliveries(send)
                        self.unsent.append(d)
                        return
                    self.out.append(frame(d["cursor"], "intent.delivery", d))
                    self.unsent.append(d)
                    self.sent_events += 1
                    self.cursor = int(d["cursor"])
                    if len(self.unsent) >= self.page and not await self._flush_deliveries(send):
                        return  # one page at a time: the next waits until the connection took this one
                if self.ended:  # revoked: what is still queued goes back to the lane (finish_consumer)
                    self.unsent.extend(sub.items)
                    sub.items.clear()
                    return
                if self.disconnected:
                    return
                now = loop.time()
                if now >= deadline:
                    if await self._flush_deliveries(send):
                        self.out.append(
                            b"event: stream.timeout\ndata: %s\n\n" % dumps({"next_seq": self.cursor + 1})
                        )
                    return
                if not await self._flush_deliveries(send):
                    return
                await sub.wait(min(keepalive, deadline - now))
                if not sub.items and not self.disconnected and loop.time() < deadline:
                    await self._write(send, KEEPALIVE)
        finally:
            watcher.cancel()
            engine.lanes.finish_consumer(consumer, self.unsent)
