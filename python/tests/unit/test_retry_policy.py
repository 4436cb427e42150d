from __future__ import annotations

import email.utils
import random
import time

import pytest

from axme._retry import RetryPolicy, is_retryable_status, parse_retry_after


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422, 501, 505, 599])
def test_not_retryable_statuses(status: int) -> None:
    assert not is_retryable_status(status)


def test_backoff_is_uniform_in_half_to_full_of_a_doubling_capped_delay() -> None:
    policy = RetryPolicy(base_seconds=0.5, max_seconds=8.0)
    rng = random.Random(7)
    for n, nominal in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        for _ in range(50):
            delay = policy.backoff(n, rng=rng)
            assert 0.5 * nominal <= delay <= nominal


def test_backoff_is_jittered() -> None:
    policy = RetryPolicy()
    assert len({policy.backoff(1) for _ in range(20)}) > 1


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0.0), ("3", 3.0), ("1.5", 1.5), (" 2 ", 2.0)]
)
def test_retry_after_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    now = time.time()
    header = email.utils.formatdate(now + 30, usegmt=True)
    delay = parse_retry_after(header, now=now)
    assert delay is not None and 29.0 <= delay <= 30.0


def test_retry_after_date_in_the_past_means_now() -> None:
    header = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert parse_retry_after(header) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "Mon, 99 Foo 2020"])
def test_retry_after_garbage_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_negative_retry_after_is_zero() -> None:
    assert parse_retry_after("-5") == 0.0
