"""Time sources: the real clock, and the controllable clock of --testing mode.

Both advance with real time; the testing clock adds an offset that
POST /_testing/clock moves forward, so timers fire as if that much time passed.
"""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    @property
    def controllable(self) -> bool:
        return False


class TestingClock(Clock):
    __test__ = False  # not a pytest class

    @property
    def controllable(self) -> bool:
        return True

    def advance(self, seconds: float) -> float:
        self.offset += seconds
        return self.now()
