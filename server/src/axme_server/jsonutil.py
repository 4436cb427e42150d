"""JSON and time helpers shared by every module (orjson: the hot path serializes a lot)."""

from __future__ import annotations

import time
from datetime import UTC
from typing import Any

import orjson


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def clone(obj: Any) -> Any:
    """Deep copy of plain JSON data (faster than copy.deepcopy)."""
    return orjson.loads(orjson.dumps(obj))


_iso_cache: tuple[int, str] = (-1, "")  # (second, its formatted prefix): one tuple, so thread-safe


def iso(ts: float) -> str:
    """RFC 3339 UTC with milliseconds and Z (the seconds part is formatted once per second)."""
    global _iso_cache
    whole = int(ts)
    ms = round((ts - whole) * 1000)
    if ms == 1000:
        whole, ms = whole + 1, 0
    second, prefix = _iso_cache
    if whole != second:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
        _iso_cache = (whole, prefix)
    return f"{prefix}.{ms:03d}Z"


def parse_iso(text: str) -> float:
    """Parse an RFC 3339 timestamp to epoch seconds; raises ValueError."""
    from datetime import datetime

    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
