"""One outbound HTTP attempt with hard limits (REQ-PUSH-006, REQ-PUSH-009): a total time
limit over connect, send and the whole answer, no redirect followed, at most
`max_response_bytes` of the answer read (never decompressed), answer heads bounded by
aiohttp's parser limits. aiohttp on the event loop: no thread per request; a hanging,
dripping, huge or redirecting receiver costs one socket until a limit ends it.
(aiohttp rather than httpx: httpcore's pool costs O(connections) per request, which
made 32 pushes in flight ten times slower than one.)"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp


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
        return {
            "outbox_id": outbox_id,
            "attempt": number,
            "started_at": self.started_at,
            "duration_ms": round(self.duration_ms, 3),
            "http_status": self.http_status,
            "error": self.error,
        }


class Sender:
    def __init__(self, timeout: float, max_response_bytes: int, concurrency: int) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.concurrency = concurrency
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:  # made on first use, inside the running loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.concurrency, ttl_dns_cache=60),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                auto_decompress=False,
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Attempt:
        started, t0 = time.time(), time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.timeout):
                async with self.session().post(
                    url, data=body, headers=headers, allow_redirects=False
                ) as resp:
                    status = resp.status
                    error = await self._read_capped(resp)
                    if error is None and not 200 <= status < 300:
                        error = (
                            f"HTTP {status}: redirect not followed"
                            if 300 <= status < 400
                            else f"HTTP {status}"
                        )
                    if error is not None:
                        resp.close()  # drop the connection: never drain a bad answer
        except TimeoutError:
            error = f"no complete answer within {self.timeout:g} s"
        except (aiohttp.ClientError, OSError, ValueError) as exc:  # ValueError: e.g. a URL aiohttp refuses
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Attempt(started, (time.perf_counter() - t0) * 1000, status, error)

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> str | None:
        """Read the answer up to the cap (the connection is dropped past it)."""
        declared = resp.content_length
        if declared is not None and declared > self.max_response_bytes:
            return f"answer of {declared} bytes is over the {self.max_response_bytes}-byte cap"
        size = 0
        async for chunk in resp.content.iter_chunked(16384):
            size += len(chunk)
            if size > self.max_response_bytes:
                return f"answer is over the {self.max_response_bytes}-byte cap"
        return None
