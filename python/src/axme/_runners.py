"""Perform the effects of `_transport` plans: blocking (httpx.Client) or asyncio (an
`AsyncTransport`: `_http11_transport.py` by default, aiohttp in `_aiohttp_transport.py`,
or an httpx.AsyncClient).

These classes are the only place where sync and async differ. They do no retrying or
parsing themselves; they move bytes and sleep. Transport errors (always `httpx`
exceptions, whatever library moved the bytes) are thrown back into the plan, which
decides. Caller cancellation (asyncio CancelledError, KeyboardInterrupt, closing an
iterator) is never caught: the plan is closed, its open streams are closed, and nothing
is retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Protocol, TypeVar, cast

import httpx

from ._transport import (
    CloseStream,
    Effect,
    Emit,
    OpenStream,
    Plan,
    ReadChunk,
    ResponseLike,
    Send,
    Sleep,
    WireRequest,
)

T = TypeVar("T")


class SyncRunner:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        #: How the runner waits (a seam for tests that check backoff delays).
        self.sleep: Callable[[float], None] = time.sleep

    def run(self, plan: Plan[T]) -> T:
        """Run a plan that emits nothing and return its result."""
        iterator = self.iterate(plan)
        try:
            next(iterator)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        iterator.close()
        raise RuntimeError("internal error: a call plan emitted a value")

    def iterate(self, plan: Plan[Any]) -> Generator[Any, None, Any]:
        """Yield what the plan emits; the generator's return value is the plan's."""
        streams: dict[int, tuple[httpx.Response, Iterator[bytes]]] = {}
        value: Any = None
        error: Exception | None = None
        try:
            while True:
                try:
                    effect = plan.throw(error) if error is not None else plan.send(value)
                except StopIteration as stop:
                    return stop.value
                value, error = None, None
                if isinstance(effect, Emit):
                    yield effect.value
                    continue
                try:
                    value = self._perform(effect, streams)
                except httpx.TransportError as exc:
                    error = exc
        finally:
            plan.close()
            for response, _ in streams.values():
                response.close()

    def _perform(
        self, effect: Effect, streams: dict[int, tuple[httpx.Response, Iterator[bytes]]]
    ) -> Any:
        if isinstance(effect, Send):
            return self.http.send(effect.request.to_httpx())
        if isinstance(effect, OpenStream):
            response = self.http.send(effect.request.to_httpx(), stream=True)
            if not response.is_success:
                try:
                    response.read()
                finally:
                    response.close()
                return response
            streams[id(response)] = (response, response.iter_bytes())
            return response
        if isinstance(effect, ReadChunk):
            _, chunks = streams[id(effect.response)]
            return next(chunks, None)
        if isinstance(effect, CloseStream):
            entry = streams.pop(id(effect.response), None)
            if entry is not None:
                entry[0].close()
            return None
        if isinstance(effect, Sleep):
            self.sleep(max(0.0, effect.seconds))
            return None
        raise TypeError(f"unknown effect {effect!r}")


class OpenedStream(Protocol):
    """The body of a streaming response that answered 2xx."""

    async def read(self) -> bytes | None:
        """The next bytes; None at the end of the body."""

    async def aclose(self) -> None: ...


class AsyncTransport(Protocol):
    """Moves one request; raises only `httpx.TransportError` subclasses for IO failures."""

    async def send(self, request: WireRequest) -> ResponseLike:
        """The whole response."""

    async def open(self, request: WireRequest) -> tuple[ResponseLike, OpenedStream | None]:
        """The response once its head arrives; on non-2xx its body is read and the
        connection released, and the stream is None."""

    async def aclose(self) -> None: ...


class HttpxStream:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._chunks = response.aiter_bytes()

    async def read(self) -> bytes | None:
        return await anext(self._chunks, None)

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpxAsyncTransport:
    """httpx.AsyncClient as an `AsyncTransport` (a client the caller passed in, or respx)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(self, request: WireRequest) -> ResponseLike:
        return await self.http.send(request.to_httpx())

    async def open(self, request: WireRequest) -> tuple[ResponseLike, OpenedStream | None]:
        response = await self.http.send(request.to_httpx(), stream=True)
        if response.is_success:
            return response, HttpxStream(response)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response, None

    async def aclose(self) -> None:
        await self.http.aclose()


class AsyncRunner:
    def __init__(self, http: httpx.AsyncClient | AsyncTransport) -> None:
        self.transport: AsyncTransport = (
            HttpxAsyncTransport(http) if isinstance(http, httpx.AsyncClient) else http
        )
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def run(self, plan: Plan[T]) -> T:
        """The plan's return value. A coroutine, not `iterate` drained: an async generator
        per call cost the loop's bookkeeping of async generators (a WeakSet) on every call."""
        driven = _Driven(self, plan)
        try:
            done, value = await driven.next()
            if not done:
                raise RuntimeError("internal error: a call plan emitted a value")
            return cast(T, value)
        finally:
            await driven.close()

    async def iterate(self, plan: Plan[Any]) -> AsyncIterator[Any]:
        """Yield what the plan emits (observe, listen)."""
        driven = _Driven(self, plan)
        try:
            while True:
                done, value = await driven.next()
                if done:
                    return
                yield value
        finally:
            await driven.close()

    async def _perform(self, effect: Effect, streams: dict[int, OpenedStream]) -> Any:
        if isinstance(effect, Send):
            return await self.transport.send(effect.request)
        if isinstance(effect, OpenStream):
            response, stream = await self.transport.open(effect.request)
            if stream is not None:
                streams[id(response)] = stream
            return response
        if isinstance(effect, ReadChunk):
            return await streams[id(effect.response)].read()
        if isinstance(effect, CloseStream):
            opened = streams.pop(id(effect.response), None)
            if opened is not None:
                await opened.aclose()
            return None
        if isinstance(effect, Sleep):
            await self.sleep(max(0.0, effect.seconds))
            return None
        raise TypeError(f"unknown effect {effect!r}")


class _Driven:
    """One plan being run: its effects performed, its open streams closed at the end."""

    def __init__(self, runner: AsyncRunner, plan: Plan[Any]) -> None:
        self.runner, self.plan = runner, plan
        self.streams: dict[int, OpenedStream] = {}
        self.value: Any = None
        self.error: Exception | None = None

    async def next(self) -> tuple[bool, Any]:
        """(False, the next value the plan emits) or (True, its return value)."""
        plan = self.plan
        while True:
            try:
                effect = plan.throw(self.error) if self.error is not None else plan.send(self.value)
            except StopIteration as stop:
                return True, stop.value
            self.value, self.error = None, None
            if isinstance(effect, Emit):
                return False, effect.value
            try:
                self.value = await self.runner._perform(effect, self.streams)
            except httpx.TransportError as exc:
                self.error = exc

    async def close(self) -> None:
        self.plan.close()
        for stream in self.streams.values():
            await stream.aclose()
