"""Client configuration (REQ-CLIENT-001)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import httpx

DEFAULT_BASE_URL = "https://api.cloud.axme.ai"

__all__ = ["AxmeClientConfig", "DEFAULT_BASE_URL"]


@dataclass(frozen=True)
class AxmeClientConfig:
    """Settings shared by `AxmeClient` and `AsyncAxmeClient`.

    `api_key` defaults to `$AXME_API_KEY`, `base_url` to `$AXME_BASE_URL` and then
    the public endpoint. Times are in seconds.
    """

    api_key: str | None = None
    base_url: str | None = None
    #: Per-attempt timeout (connect, read, write) of a plain request.
    timeout: float = 30.0
    #: Retries after the first attempt (so 3 attempts in total by default).
    max_retries: int = 2
    #: Backoff is retry_base_seconds * 2**n, capped at retry_max_seconds, with jitter.
    retry_base_seconds: float = 0.5
    retry_max_seconds: float = 8.0
    #: A Retry-After above this is not waited for: the error is raised instead.
    max_retry_after_seconds: float = 60.0
    #: A stream that sends no bytes (keepalives count) for this long is reconnected.
    stream_idle_timeout: float = 45.0
    #: Interval of the polling fallback of observe (only when streams are missing).
    poll_interval_seconds: float = 1.0
    #: Extra headers sent with every request.
    default_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        api_key = self.api_key if self.api_key is not None else os.environ.get("AXME_API_KEY")
        if not api_key:
            raise ValueError(
                "AxmeClientConfig needs an API key: pass api_key=... or set AXME_API_KEY"
            )
        base_url = self.base_url or os.environ.get("AXME_BASE_URL") or DEFAULT_BASE_URL
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}")
        object.__setattr__(self, "api_key", api_key)
        object.__setattr__(self, "base_url", base_url.rstrip("/"))
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.timeout <= 0 or self.stream_idle_timeout <= 0:
            raise ValueError("timeout and stream_idle_timeout must be > 0")

    @property
    def resolved_api_key(self) -> str:
        assert self.api_key is not None  # set by __post_init__
        return self.api_key

    @property
    def resolved_base_url(self) -> str:
        assert self.base_url is not None  # set by __post_init__
        return self.base_url

    def request_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout)

    def __repr__(self) -> str:  # never print the key
        return (
            f"AxmeClientConfig(base_url={self.base_url!r}, api_key='***', "
            f"timeout={self.timeout}, max_retries={self.max_retries})"
        )
