"""Open streams by key: the caps of REQ-LIMIT-006 (429 beyond them) and the end of every
stream of a key when it is revoked (REQ-LIMIT-015)."""

from __future__ import annotations

from typing import Any

from axme_server.errors import ApiError
from axme_server.limits import Limits


class StreamRegistry:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.by_key: dict[str, set[Any]] = {}
        self.total = 0

    def acquire(self, key_id: str, stream: Any) -> None:
        """Count `stream` against its key and the server, or refuse it (before anything is sent)."""
        streams = self.by_key.get(key_id)
        if streams is not None and len(streams) >= self.limits.max_streams_per_key:
            raise _too_many(
                f"this key already has {len(streams)} open streams", self.limits.max_streams_per_key
            )
        if self.total >= self.limits.max_streams:
            raise _too_many("the server is at its open-stream limit", self.limits.max_streams)
        self.by_key.setdefault(key_id, set()).add(stream)
        self.total += 1

    def release(self, key_id: str, stream: Any) -> None:
        streams = self.by_key.get(key_id)
        if streams is not None and stream in streams:
            streams.discard(stream)
            self.total -= 1
            if not streams:
                del self.by_key[key_id]

    def end_key(self, key_id: str) -> None:
        """The key was revoked: its streams end now (each stops before framing anything more)."""
        for stream in list(self.by_key.get(key_id, ())):
            stream.end()


def _too_many(message: str, limit: int) -> ApiError:
    return ApiError(
        "rate_limited", f"{message}; retry later", {"limit_streams": limit}, headers={"Retry-After": "1"}
    )
