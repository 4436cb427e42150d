"""A minimal keep-alive HTTP/1.1 client on asyncio streams for the benchmarks.

httpx costs more CPU per request than the server does; on a 2-core box the
clients would measure themselves. This speaks just enough HTTP: JSON requests,
content-length or chunked responses, and SSE frames over a chunked body
(orjson, one read per response head: the clients share the 2 cores with the server)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Conn:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> None:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))

    async def _head(self) -> tuple[int, dict[str, str]]:
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            raise ConnectionError("server closed the connection") from None
        lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        return status, headers

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        raw = orjson.dumps(body) if body is not None else None
        self._send(method, path, raw, headers or {})
        status, hdrs = await self._head()
        if hdrs.get("transfer-encoding") == "chunked":
            data = b"".join([c async for c in self._chunks()])
        else:
            data = await self.reader.readexactly(int(hdrs.get("content-length", "0")))
        return status, orjson.loads(data) if data else None

    async def _chunks(self) -> AsyncIterator[bytes]:
        while True:
            size = int((await self.reader.readline()).split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()
                return
            chunk = await self.reader.readexactly(size)
            await self.reader.readline()
            yield chunk

    async def sse(self, path: str, headers: dict[str, str]) -> AsyncIterator[tuple[str, Any]]:
        """Yields (event, data) per frame; ends when the server ends the response."""
        self._send("GET", path, None, {**headers, "Accept": "text/event-stream"})
        status, _ = await self._head()
        if status != 200:
            raise RuntimeError(f"stream {path}: HTTP {status}")
        buf = b""
        async for chunk in self._chunks():
            buf += chunk
            while b"\n\n" in buf:
                frame, buf = buf.split(b"\n\n", 1)
                event, data = "message", None
                for line in frame.split(b"\n"):
                    if line.startswith(b"event: "):
                        event = line[7:].decode()
                    elif line.startswith(b"data: "):
                        data = orjson.loads(line[6:])
                if data is not None:
                    yield event, data

    def close(self) -> None:
        self.writer.close()


class Pool:
    def __init__(self, host: str, port: int, size: int, keyed: bool = False) -> None:
        self.host, self.port, self.size = host, port, size
        self.keyed = keyed  # Idempotency-Key and X-Trace-Id on every POST, as the SDKs send them
        self._free: asyncio.Queue[Conn] = asyncio.Queue()
        self._made = 0

    async def get(self) -> Conn:
        if self._free.empty() and self._made < self.size:
            self._made += 1
            return await Conn.open(self.host, self.port)
        return await self._free.get()

    def put(self, conn: Conn) -> None:
        self._free.put_nowait(conn)

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        if self.keyed and method == "POST":
            headers = {
                **(headers or {}),
                "Idempotency-Key": str(uuid.uuid4()),
                "X-Trace-Id": str(uuid.uuid4()),
            }
        conn = await self.get()
        try:
            return await conn.request(method, path, body, headers)
        finally:
            self.put(conn)
