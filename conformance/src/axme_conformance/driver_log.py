"""`expect.driver_log`: what the SDK logged on its driver's stderr during a scenario.

A driver asked for `log_level: debug` routes the SDK's own logging to stderr; the
harness keeps each driver's stderr per scenario (driver.StderrCapture). The check
proves REQ-CLIENT-006 only when logging actually produced output, so an empty log
always fails, whatever else the scenario expects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# stderr is a pipe of its own: a log line may trail the answer that ended the scenario.
LOG_SETTLE_S = 3.0
POLL_INTERVAL_S = 0.05


def key_fragments(key: str) -> list[str]:
    """The parts of `axme_<kind>_<id>_<secret>` a log must never show: the key, its
    `<id>_<secret>` tail and the secret itself (only the `axme_<kind>_` prefix may
    be logged, REQ-CLIENT-006)."""
    parts = key.split("_")
    if len(parts) >= 4 and parts[0] == "axme" and all(parts[2:]):
        return [key, "_".join(parts[2:]), parts[-1]]
    return [key]


def _first_line_with(log: str, fragment: str, shown_as: str) -> str:
    for line in log.splitlines():
        if fragment in line:
            return line.replace(fragment, shown_as)[:300]
    return ""


def judge(log: str, spec: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(missing output, forbidden output) of `log` against `{contains, excludes,
    excludes_keys}`. Missing output may still arrive; forbidden output is final."""
    if not log.strip():
        missing = [
            "the driver wrote nothing on stderr: logging produced no output, "
            "so what it must not contain proves nothing"
        ]
    else:
        missing = [
            f"the driver log does not contain {text!r}"
            for text in spec.get("contains", [])
            if str(text) not in log
        ]
    forbidden = [
        f"the driver log contains {text!r}: {_first_line_with(log, str(text), '<HERE>')}"
        for text in spec.get("excludes", [])
        if str(text) in log
    ]
    for index, key in enumerate(spec.get("excludes_keys", [])):
        for fragment in key_fragments(str(key)):
            if fragment in log:
                what = "the key" if fragment == key else "a secret part of the key"
                forbidden.append(
                    f"excludes_keys[{index}]: {what} appears in the driver log: "
                    f"{_first_line_with(log, fragment, '<SECRET>')}"
                )
                break
    return missing, forbidden


def check_driver_log(
    read_log: Callable[[], str], spec: dict[str, Any], settle_s: float = LOG_SETTLE_S
) -> list[str]:
    """Judge the log, re-reading it (bounded) while output is only missing."""
    deadline = time.monotonic() + settle_s
    while True:
        missing, forbidden = judge(read_log(), spec)
        if forbidden or not missing or time.monotonic() >= deadline:
            return forbidden + missing
        time.sleep(POLL_INTERVAL_S)
