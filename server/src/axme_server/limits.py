"""The server's limits (spec/behavior/limits.md, REQ-LIMIT-*): one place for every number,
each overridable by a command-line flag (cli.py) and listed in server/README.md "Limits"."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Limits:
    max_url_bytes: int = 8192  # REQ-LIMIT-001: 414 uri_too_long
    max_header_bytes: int = 16384  # REQ-LIMIT-001: 431 headers_too_large
    header_timeout: float = 10.0  # REQ-LIMIT-002: 408 request_timeout
    max_connections: int = 1024  # REQ-LIMIT-003: 503 unavailable
    max_body_bytes: int = 1024 * 1024  # REQ-API-006: 413 payload_too_large
    max_json_depth: int = 64  # REQ-LIMIT-004: 400 invalid_json
    max_streams_per_key: int = 100  # REQ-LIMIT-006: 429 rate_limited
    max_streams: int = 1000  # REQ-LIMIT-006: 429 rate_limited
    stream_page: int = 200  # REQ-LIMIT-007: events framed per write
    cache_entries: int = 10_000  # REQ-LIMIT-012: entries per cache keyed by request input
    idle_timeout: float = 75.0  # REQ-LIMIT-002: an idle kept-alive connection closes


# flag -> (Limits field, type, help); the README "Limits" table lists the same
FLAGS: dict[str, tuple[str, type, str]] = {
    "--max-url-bytes": ("max_url_bytes", int, "longest request line (414 uri_too_long)"),
    "--max-header-bytes": ("max_header_bytes", int, "largest request head (431 headers_too_large)"),
    "--header-timeout": ("header_timeout", float, "seconds to receive a request head (408 request_timeout)"),
    "--idle-timeout": ("idle_timeout", float, "seconds an idle kept-alive connection stays open"),
    "--max-connections": ("max_connections", int, "open connections (beyond: 503 unavailable)"),
    "--max-body-bytes": ("max_body_bytes", int, "largest request body (413 payload_too_large)"),
    "--max-json-depth": ("max_json_depth", int, "deepest JSON nesting in a request body (400 invalid_json)"),
    "--max-streams-per-key": ("max_streams_per_key", int, "open streams per key (429 rate_limited)"),
    "--max-streams": ("max_streams", int, "open streams in total (429 rate_limited)"),
    "--stream-page": ("stream_page", int, "events or deliveries framed per stream write"),
    "--cache-entries": ("cache_entries", int, "entries per cache keyed by request input"),
}


def add_flags(parser: Any) -> None:
    for flag, (name, kind, text) in FLAGS.items():
        parser.add_argument(
            flag, type=kind, default=getattr(DEFAULT, name), help=f"{text} (default %(default)s)"
        )


def from_args(args: Any) -> Limits:
    values = {name: getattr(args, name) for name, _, _ in FLAGS.values()}
    for name, value in values.items():
        if value <= 0:
            raise ValueError(f"--{name.replace('_', '-')} must be positive")
    return Limits(**values)


DEFAULT = Limits()
MAX_SAFE_INTEGER = 2**53 - 1  # REQ-LIMIT-008: the largest since/cursor/Last-Event-ID


class LruCache(Generic[K, V]):
    """A dict with a cap: the least recently used entry leaves first (REQ-LIMIT-012)."""

    __slots__ = ("_data", "cap")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._data: OrderedDict[K, V] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K, default: Any = None) -> Any:
        try:
            self._data.move_to_end(key)
        except KeyError:
            return default
        return self._data[key]

    def __getitem__(self, key: K) -> V:
        self._data.move_to_end(key)
        return self._data[key]

    def __setitem__(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self.cap:
            self._data.popitem(last=False)

    def pop(self, key: K, default: Any = None) -> Any:
        return self._data.pop(key, default)

    def clear(self) -> None:
        self._data.clear()

    def values(self) -> Any:
        return self._data.values()


def digits(raw: str | None) -> int | None:
    """An ASCII-digit integer of at most 2^53-1, else None (str.isdigit accepts '²' and any length)."""
    if not raw or len(raw) > 16 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if value <= MAX_SAFE_INTEGER else None
