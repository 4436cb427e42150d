"""JSON and time helpers shared by every module (orjson: the hot path serializes a lot)."""

from __future__ import annotations

import os
import time
from datetime import UTC
from typing import Any

import orjson

_random = b""
_random_at = 0


def new_uuid() -> str:
    """A random (version 4) UUID string; reads the OS CSPRNG 4 KiB at a time instead of once per id."""
    global _random, _random_at
    if _random_at + 16 > len(_random):
        _random, _random_at = os.urandom(4096), 0
    raw = bytearray(_random[_random_at:_random_at + 16])
    _random_at += 16
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests objects/arrays deeper than `limit` levels (the value itself is level 1).
    Iterative: a hostile document must not exhaust the stack (REQ-LIMIT-004)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


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
