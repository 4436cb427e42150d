"""One outbound HTTP attempt with hard limits (REQ-PUSH-006, REQ-PUSH-009): a total time
limit over connect, send and the whole answer, no redirect followed, at most
`max_response_bytes` of the answer read. httpx on the event loop: no thread per request;
a hanging, dripping, huge or redirecting receiver costs one socket until the limit."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Attempt:
    started_at: float  # wall clock
    duration_ms: float
    http_status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def record(self, outbox_id: str, number: int) -> dict[str, Any]:
        return {"outbox_id": outbox_id, "attempt": number, "started_at": self.started_at,
                "duration_ms": round(self.duration_ms, 3), "http_status": self.http_status, "error": self.error}


class Sender:
    def __init__(self, timeout: float, max_response_bytes: int, concurrency: int) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.client = httpx.AsyncClient(
            follow_redirects=False, trust_env=False, timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency))

    async def close(self) -> None:
        await self.client.aclose()

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Attempt:
        started, t0 = time.time(), time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.timeout):
                async with self.client.stream("POST", url, content=body, headers=headers) as resp:
                    status = resp.status_code
                    error = await self._read_capped(resp)
                    if error is None and not 200 <= status < 300:
                        error = (f"HTTP {status}: redirect not followed" if 300 <= status < 400
                                 else f"HTTP {status}")
        except TimeoutError:
            error = f"no complete answer within {self.timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except OSError as exc:  # e.g. an unresolvable host raised below httpx
            error = f"{type(exc).__name__}: {exc}"
        return Attempt(started, (time.perf_counter() - t0) * 1000, status, error)

    async def _read_capped(self, resp: httpx.Response) -> str | None:
        """Read the answer up to the cap (the connection is dropped past it)."""
        declared = resp.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_response_bytes:
            return f"answer of {declared} bytes is over the {self.max_response_bytes}-byte cap"
        size = 0
        async for chunk in resp.aiter_raw():
            size += len(chunk)
            if size > self.max_response_bytes:
                return f"answer is over the {self.max_response_bytes}-byte cap"
        return None
