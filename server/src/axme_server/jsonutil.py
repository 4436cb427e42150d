"""JSON and time helpers shared by every module (orjson: the hot path serializes a lot)."""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

_random = b""
_random_at = 0


def _random_uuid_bytes() -> bytearray:
    """16 bytes from the OS CSPRNG, read 4 KiB at a time instead of once per id."""
    global _random, _random_at
    if _random_at + 16 > len(_random):
        _random, _random_at = os.urandom(4096), 0
    raw = bytearray(_random[_random_at : _random_at + 16])
    _random_at += 16
    return raw


def _uuid_text(raw: bytearray, version: int) -> str:
    raw[6] = (raw[6] & 0x0F) | version << 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_uuid() -> str:
    """A random (version 4) UUID string: for tokens such as delivery ids."""
    return _uuid_text(_random_uuid_bytes(), 4)


def new_time_uuid() -> str:
    """A version 7 UUID string (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.
    Intent ids are these: rows keyed by them (the intent, its events and tasks) are inserted
    at the right edge of each index instead of on a random page, so the pages a write reads
    do not grow with the database (server/README.md, "Sustained")."""
    raw = _random_uuid_bytes()
    raw[0:6] = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    return _uuid_text(raw, 7)


# orjson reads integers beyond 64 bits as floats and cannot write them; such documents (a run of
# 19+ digits is the cheap sign) go through the standard library, which keeps them exact (REQ-LIMIT-010).
# The sign is found by mapping digits to b"0" and everything else to b" ": 2 us per 2 KB document,
# where a regex search for 19 digits took 50 us (measured; it ran on every document read).
_DIGIT_MAP = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_RUN = b"0" * 19


def _has_long_digit_run(data: bytes) -> bool:
    return _LONG_RUN in data.translate(_DIGIT_MAP)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def dumps(obj: Any) -> bytes:
    try:
        return orjson.dumps(obj)
    except TypeError:  # an integer beyond 64 bits (anything else is a bug and fails again below)
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def canonical(obj: Any) -> bytes:
    """Sorted-member serialization (the same value gives the same bytes)."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def loads(data: bytes | str) -> Any:
    if not _has_long_digit_run(data.encode() if isinstance(data, str) else data):
        return orjson.loads(data)
    value = orjson.loads(data)  # validates (orjson is strict: no NaN, no lone surrogates) and bounds depth
    try:
        return json.loads(data, parse_constant=_no_constants)
    except RecursionError:
        return value


def depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests objects/arrays deeper than `limit` levels (the value itself is level 1).
    Iterative: a hostile document must not exhaust the stack (REQ-LIMIT-004)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
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
    try:
        return orjson.loads(orjson.dumps(obj))
    except TypeError:  # an integer beyond 64 bits
        return json.loads(dumps(obj))


_iso_cache: tuple[int, str] = (-1, "")  # (second, its formatted prefix): one tuple, so thread-safe


def iso(ts: float) -> str:
    """RFC 3339 UTC with milliseconds and Z (the seconds part is formatted once per second)."""
    global _iso_cache
    whole = math.floor(ts)  # int() rounds toward zero: before 1970 the milliseconds came out negative
    ms = round((ts - whole) * 1000)
    if ms == 1000:
        whole, ms = whole + 1, 0
    second, prefix = _iso_cache
    if whole != second:
        t = time.gmtime(whole)  # strftime's %Y does not pad years below 1000
        prefix = (
            f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
        )
        _iso_cache = (whole, prefix)
    return f"{prefix}.{ms:03d}Z"


_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def is_rfc3339(text: str) -> bool:
    try:
        parse_iso(text)
    except ValueError:
        return False
    return True


def parse_iso(text: str) -> float:
    """Parse a strict RFC 3339 timestamp (years 0001-9999, also once in UTC) to epoch seconds;
    raises ValueError for anything else (REQ-LIMIT-009)."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        raise ValueError(f"not an RFC 3339 timestamp: {text!r:.40}")
    value = text.upper()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:  # fromisoformat takes at most 6 fractional digits
        head, _, rest = value.partition(".")
        digits, offset = rest[:-6], rest[-6:]
        value = f"{head}.{digits[:6].ljust(6, '0')}{offset}"
    dt = datetime.fromisoformat(value)  # rejects month 13, day 32, hour 24…
    if dt.year < 1:
        raise ValueError("year 0000 is not allowed")
    try:
        utc = dt.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp outside years 0001-9999 in UTC") from None
    return utc.timestamp()
