"""Perform the effects of `_transport` plans: blocking (httpx.Client) or asyncio
(httpx.AsyncClient).

These two classes are the only place where sync and async differ. They do no
retrying or parsing themselves; they move bytes and sleep. Transport errors are
thrown back into the plan, which decides. Caller cancellation (asyncio
CancelledError, KeyboardInterrupt, closing an iterator) is never caught: the
plan is closed, its open streams are closed, and nothing is retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, TypeVar

import httpx

from ._transport import CloseStream, Effect, Emit, OpenStream, Plan, ReadChunk, Send, Sleep

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
            return self.http.send(effect.request)
        if isinstance(effect, OpenStream):
            response = self.http.send(effect.request, stream=True)
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


class AsyncRunner:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def run(self, plan: Plan[T]) -> T:
        result: list[T] = []
        async for _ in self.iterate(plan, result):
            raise RuntimeError("internal error: a call plan emitted a value")
        return result[0]

    async def iterate(self, plan: Plan[Any], result: list[Any] | None = None) -> AsyncIterator[Any]:
        """Yield what the plan emits; its return value is appended to `result`."""
        streams: dict[int, tuple[httpx.Response, AsyncIterator[bytes]]] = {}
        value: Any = None
        error: Exception | None = None
        try:
            while True:
                try:
                    effect = plan.throw(error) if error is not None else plan.send(value)
                except StopIteration as stop:
                    if result is not None:
                        result.append(stop.value)
                    return
                value, error = None, None
                if isinstance(effect, Emit):
                    yield effect.value
                    continue
                try:
                    value = await self._perform(effect, streams)
                except httpx.TransportError as exc:
                    error = exc
        finally:
            plan.close()
            for response, _ in streams.values():
                await response.aclose()

    async def _perform(
        self, effect: Effect, streams: dict[int, tuple[httpx.Response, AsyncIterator[bytes]]]
    ) -> Any:
        if isinstance(effect, Send):
            return await self.http.send(effect.request)
        if isinstance(effect, OpenStream):
            response = await self.http.send(effect.request, stream=True)
            if not response.is_success:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                return response
            streams[id(response)] = (response, response.aiter_bytes())
            return response
        if isinstance(effect, ReadChunk):
            _, chunks = streams[id(effect.response)]
            return await anext(chunks, None)
        if isinstance(effect, CloseStream):
            entry = streams.pop(id(effect.response), None)
            if entry is not None:
                await entry[0].aclose()
            return None
        if isinstance(effect, Sleep):
            await self.sleep(max(0.0, effect.seconds))
            return None
        raise TypeError(f"unknown effect {effect!r}")
