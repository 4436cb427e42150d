"""Retry policy (REQ-RETRY-001..007): when to retry and how long to wait.

Pure functions and data only; the sync and async transports share them.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class HasHeaders(Protocol):
    @property
    def headers(self) -> Mapping[str, Any]: ...


#: Statuses worth another attempt (REQ-RETRY-002): nothing else is retried.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_seconds: float = 0.5
    max_seconds: float = 8.0
    max_retry_after_seconds: float = 60.0

    def backoff(self, retry_number: int, *, rng: random.Random | None = None) -> float:
        """Delay before retry `retry_number` (0-based): uniform in [d/2, d] with
        d = min(base * 2**n, max) (REQ-RETRY-003)."""
        ceiling = min(self.base_seconds * (2.0**retry_number), self.max_seconds)
        draw = rng.uniform if rng is not None else random.uniform
        return draw(ceiling / 2, ceiling)

    def delay_for_response(
        self, retry_number: int, response: HasHeaders
    ) -> tuple[float | None, float | None]:
        """(delay, retry_after) for a retryable response; delay None = give up now.

        Retry-After wins over backoff; above `max_retry_after_seconds` we raise
        instead of sleeping for minutes.
        """
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            return self.backoff(retry_number), None
        if retry_after > self.max_retry_after_seconds:
            return None, retry_after
        return retry_after, retry_after
