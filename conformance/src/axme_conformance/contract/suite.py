"""Runs the server contract checks and prints one line per check."""

from __future__ import annotations

import fnmatch
import time
import traceback
from collections.abc import Callable

from axme_conformance.contract.client import CheckFailed, ContractClient

Check = Callable[[ContractClient], None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"duplicate contract check {name}")
        CHECKS[name] = fn
        return fn

    return register


def _load_checks() -> None:
    # Importing registers the checks.
    from axme_conformance.contract import (  # noqa: F401
        checks_core,
        checks_humans,
        checks_lifecycle,
        checks_streams,
    )


def run_contract_suite(base_url: str, api_key: str, only: list[str] | None = None) -> int:
    _load_checks()
    names = [n for n in CHECKS if not only or any(fnmatch.fnmatch(n, p) for p in only)]
    client = ContractClient(base_url, api_key)
    failed: list[str] = []
    try:
        for name in names:
            started = time.monotonic()
            try:
                CHECKS[name](client)
                outcome = "PASS"
            except CheckFailed as exc:
                outcome = f"FAIL  {exc}"
                failed.append(name)
            except Exception as exc:  # a crash in a check is a failure, with its cause
                outcome = f"FAIL  {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
                failed.append(name)
            ms = int((time.monotonic() - started) * 1000)
            print(f"{name:<44} {outcome} ({ms} ms)", flush=True)
    finally:
        client.close()
    print(f"server contract: {len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def run_against_reference(only: list[str] | None = None) -> int:
    """Start a fresh reference server (no --testing) and run the suite against it."""
    from axme_conformance.paths import RESULTS_DIR
    from axme_conformance.server_process import ReferenceServer

    server = ReferenceServer(testing=False, log_path=RESULTS_DIR / "logs" / "contract-server.log")
    info = server.start()
    try:
        if not info.admin_api_key:
            print("reference server printed no admin key")
            return 1
        return run_contract_suite(info.base_url, info.admin_api_key, only)
    finally:
        server.stop()
