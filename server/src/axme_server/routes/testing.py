"""Test-only endpoints; registered only with --testing (404 otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from axme_server.clock import TestingClock
from axme_server.errors import validation
from axme_server.http import Request, Router

if TYPE_CHECKING:
    from axme_server.app import App


def register(router: Router, app: App) -> None:
    testing = app.testing
    if testing is None:
        return
    engine = app.engine

    async def create_namespace(req: Request) -> dict[str, Any]:
        return await testing.create_namespace()

    async def add_fault(req: Request) -> dict[str, Any]:
        return testing.add_fault(req.json())

    async def clear_faults(req: Request) -> dict[str, Any]:
        return testing.clear_faults(req.query.get("namespace"))

    async def list_requests(req: Request) -> dict[str, Any]:
        return testing.requests(req.query.get("namespace"))

    async def advance_clock(req: Request) -> dict[str, Any]:
        body = req.json()
        seconds = body.get("advance_seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise validation("advance_seconds must be a non-negative number", "advance_seconds")
        cast(TestingClock, engine.clock).advance(float(seconds))  # --testing runs on one (cli.py)
        fired = await engine.timers.run_due()
        from axme_server.jsonutil import iso

        return {"ok": True, "now": iso(engine.clock.now()), "fired": fired}

    async def get_clock(req: Request) -> dict[str, Any]:
        from axme_server.jsonutil import iso

        return {"ok": True, "now": iso(engine.clock.now())}

    router.add("POST", "/_testing/namespaces", "testingCreateNamespace", create_namespace, auth=False)
    router.add("POST", "/_testing/faults", "testingAddFault", add_fault, auth=False)
    router.add("DELETE", "/_testing/faults", "testingClearFaults", clear_faults, auth=False)
    router.add("GET", "/_testing/requests", "testingListRequests", list_requests, auth=False)
    router.add("POST", "/_testing/clock", "testingAdvanceClock", advance_clock, auth=False)
    router.add("GET", "/_testing/clock", "testingGetClock", get_clock, auth=False)
