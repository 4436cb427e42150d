"""The REQ-LIMIT numbers a contract check may push a server to (spec/behavior/limits.md).

A server is checked against the spec's defaults unless the suite knows better: under
``--reference`` the limit checks run on a reference server started with ``SMALL``, so a
check reaches a cap with a handful of connections and a timeout within a second."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ServerLimits:
    max_url_bytes: int = 8192
    max_header_bytes: int = 16384
    header_timeout: float = 10.0
    max_connections: int = 1024
    max_json_depth: int = 64
    max_streams_per_key: int = 100
    max_streams: int = 1000
    cache_entries: int = 10_000

    def flags(self) -> list[str]:
        """The reference server's command-line flags for these limits (server/README.md)."""
        return [
            arg
            for name, value in asdict(self).items()
            for arg in (f"--{name.replace('_', '-')}", f"{value:g}")
        ]


DEFAULT = ServerLimits()
SMALL = ServerLimits(
    header_timeout=1.0, max_connections=24, max_streams_per_key=4, max_streams=10, cache_entries=8
)
