"""Runs the server contract checks and prints one line per check.

The checks register themselves in ``registry`` (``@check``; see there for ``needs`` and
``small_limits``); importing the ``checks_*`` modules registers them. A check whose need
the server does not meet is SKIP.
"""

from __future__ import annotations

import fnmatch
import json
import time
import traceback
from dataclasses import dataclass

from axme_conformance.contract import server_limits
from axme_conformance.contract.client import CheckFailed, CheckSkipped, ContractClient
from axme_conformance.contract.registry import CHECKS, NEEDS, Check, ContractCheck, check

__all__ = [
    "CHECKS",
    "NEEDS",
    "Check",
    "ContractCheck",
    "check",
    "load_checks",
    "run_contract_suite",
]


def load_checks() -> dict[str, ContractCheck]:
    # Importing registers the checks.
    from axme_conformance.contract import (  # noqa: F401
        checks_access,
        checks_api,
        checks_audit,
        checks_console,
        checks_console_pages,
        checks_core,
        checks_delivery,
        checks_directory,
        checks_email,
        checks_humans,
        checks_idempotency,
        checks_internal_errors,
        checks_lifecycle,
        checks_limits,
        checks_limits_api,
        checks_limits_caps,
        checks_notify,
        checks_push,
        checks_push_restart,
        checks_redelivery,
        checks_retention,
        checks_retry,
        checks_stream_intent,
        checks_streams,
        checks_testing,
        checks_transitions,
        checks_visibility,
    )

    return CHECKS


def select(only: list[str] | None) -> list[ContractCheck]:
    return [
        c for n, c in load_checks().items() if not only or any(fnmatch.fnmatch(n, p) for p in only)
    ]


def list_checks(only: list[str] | None = None) -> str:
    """The checks and what they cite, as JSON (``axme-conformance server --list``)."""
    return json.dumps(
        {c.name: {"requirements": list(c.requirements), "needs": c.needs} for c in select(only)},
        indent=2,
    )


@dataclass
class Tally:
    passed: int = 0
    skipped: int = 0
    failed: list[str] | None = None

    def __post_init__(self) -> None:
        self.failed = self.failed or []


def has_testing_endpoints(client: ContractClient) -> bool:
    return client.request("GET", "/_testing/clock", key=None).status_code == 200


def run_checks(
    client: ContractClient, checks: list[ContractCheck], tally: Tally, *, testing: bool
) -> None:
    assert tally.failed is not None
    for c in checks:
        if (c.needs == "testing" and not testing) or (c.needs == "production" and testing):
            tally.skipped += 1
            print(f"{c.name:<48} SKIP  (needs a {c.needs} server)", flush=True)
            continue
        started = time.monotonic()
        try:
            c.fn(client)
            outcome = "PASS"
            tally.passed += 1
        except CheckFailed as exc:
            outcome = f"FAIL  {exc}"
            tally.failed.append(c.name)
        except CheckSkipped as exc:
            outcome = f"SKIP  ({exc})"
            tally.skipped += 1
        except Exception as exc:  # a crash in a check is a failure, with its cause
            outcome = f"FAIL  {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
            tally.failed.append(c.name)
        ms = int((time.monotonic() - started) * 1000)
        print(f"{c.name:<48} {outcome} ({ms} ms)", flush=True)


def summary(tally: Tally) -> int:
    assert tally.failed is not None
    print(
        f"server contract: {tally.passed} passed, {len(tally.failed)} failed, "
        f"{tally.skipped} skipped"
    )
    return 1 if tally.failed else 0


def run_contract_suite(base_url: str, api_key: str, only: list[str] | None = None) -> int:
    checks = select(only)
    tally = Tally()
    client = ContractClient(base_url, api_key)
    try:
        run_checks(client, checks, tally, testing=has_testing_endpoints(client))
    finally:
        client.close()
    return summary(tally)


# A short keepalive so the keepalive check (REQ-SSE-006) does not wait 15 s.
REFERENCE_KEEPALIVE_S = "1"


def run_against_reference(only: list[str] | None = None) -> int:
    """Start a fresh reference server without --testing and run every check that does
    not need the test-only endpoints; then one with --testing for the `testing` checks."""
    from axme_conformance.paths import RESULTS_DIR
    from axme_conformance.server_process import ReferenceServer

    checks = select(only)
    tally = Tally()
    # (--testing?, limits): the checks of REQ-LIMIT caps get a server of their own with
    # small limits, so the other checks keep the defaults (e.g. 100 streams per key).
    servers = ((False, None), (False, server_limits.SMALL), (True, None))
    for testing, limits in servers:
        wanted = [
            c
            for c in checks
            if (c.needs == "testing") == testing and c.small_limits == (limits is not None)
        ]
        if not wanted:
            continue
        suffix = "-testing" if testing else "-limits" if limits is not None else ""
        log = RESULTS_DIR / "logs" / f"contract-server{suffix}.log"
        extra = ["--keepalive-seconds", REFERENCE_KEEPALIVE_S, *(limits.flags() if limits else [])]
        server = ReferenceServer(testing=testing, log_path=log, extra_args=extra)
        info = server.start()
        try:
            if not info.admin_api_key:
                print("reference server printed no admin key")
                return 1
            client = ContractClient(
                info.base_url,
                info.admin_api_key,
                data_dir=server.data_dir,
                limits=limits or server_limits.DEFAULT,
            )
            try:
                run_checks(client, wanted, tally, testing=has_testing_endpoints(client))
            finally:
                client.close()
        finally:
            server.stop()
    return summary(tally)
