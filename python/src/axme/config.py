"""Client configuration (REQ-CLIENT-001)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import httpx

from ._profile import profile_path, read_profile

DEFAULT_BASE_URL = "https://api.cloud.axme.ai"

__all__ = ["AxmeClientConfig", "DEFAULT_BASE_URL"]


@dataclass(frozen=True)
class AxmeClientConfig:
    """Settings shared by `AxmeClient` and `AsyncAxmeClient`.

    `api_key` defaults to `$AXME_API_KEY`, `base_url` to `$AXME_BASE_URL`; then both
    to the profile `axme login` saved (`axme.profile_path()`), and `base_url` finally
    to the public endpoint. Times are in seconds.
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
        # Each member: given, else the environment, else the profile `axme login`
        # saved (read only when needed), else the default (REQ-CLIENT-001, -008).
        api_key = _given(self.api_key) or _given(os.environ.get("AXME_API_KEY"))
        base_url = _given(self.base_url) or _given(os.environ.get("AXME_BASE_URL"))
        if not api_key or not base_url:
            profile = read_profile()
            api_key = api_key or profile.get("api_key")
            base_url = base_url or profile.get("base_url")
        if not api_key:
            raise ValueError(
                "AxmeClientConfig needs an API key: pass api_key=..., set AXME_API_KEY"
                f" or run `axme login` (profile: {profile_path()})"
            )
        base_url = base_url or DEFAULT_BASE_URL
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


def _given(value: str | None) -> str | None:
    """A blank value counts as not given."""
    return value.strip() if value and value.strip() else None
