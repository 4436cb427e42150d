"""The registry of server contract checks: `@check` and what it records.

Check modules import `check` from here and `suite` imports them to run them, so the two
never import each other. Every check cites the requirement ids it verifies
(``@check(name, requirements=[…])``, literal lists, so ``spec/tools`` can count them
without importing the harness). A check ``needs`` one of: ``any`` (every AXP server),
``testing`` (the test-only endpoints of REQ-TEST, i.e. a server started with
``--testing``) or ``production`` (a server *without* them). ``small_limits=True`` marks a
check that must reach a limit of REQ-LIMIT (connections, streams, header timeout): under
``--reference`` it runs on a server started with the small limits of
``server_limits.SMALL``, elsewhere against the limits the client was told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from axme_conformance.contract.client import ContractClient

Check = Callable[[ContractClient], None]
NEEDS = ("any", "testing", "production")


@dataclass(frozen=True)
class ContractCheck:
    name: str
    fn: Check
    requirements: tuple[str, ...]
    needs: str = "any"
    small_limits: bool = False


CHECKS: dict[str, ContractCheck] = {}


def check(
    name: str, *, requirements: list[str], needs: str = "any", small_limits: bool = False
) -> Callable[[Check], Check]:
    if not requirements:
        raise ValueError(f"contract check {name} cites no requirement")
    if needs not in NEEDS:
        raise ValueError(f"contract check {name}: needs must be one of {NEEDS}")

    def register(fn: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"duplicate contract check {name}")
        CHECKS[name] = ContractCheck(name, fn, tuple(requirements), needs, small_limits)
        return fn

    return register
