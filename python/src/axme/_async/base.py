"""What every group of calls needs from its client: the core and the runner of plans."""

from __future__ import annotations

from .. import _operations as ops
from .._operations import Call
from .._runners import AsyncRunner
from .._transport import Core


class AsyncCalls:
    """Base of the call groups; the client sets `_core` and `_runner` in its __init__."""

    _core: Core
    _runner: AsyncRunner

    async def _call(self, call: Call[ops.W]) -> ops.W:
        """Send one operation (with retries) and return its typed result."""
        return await self._runner.run(ops.call_plan(self._core, call))
