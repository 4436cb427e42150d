"""The small interfaces the engine's services see of each other (service.py wires them).

Each service receives the core and only the other services it calls, typed by one of
these protocols (or, for the workflow, by its own narrow class); the one cycle
(workflow <-> humans: a step starts a human task, a decision completes the step) is
closed by `Workflow.bind` after both exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from axme_server.engine import Change, Ctx


class Offering(Protocol):
    """The lanes (lanes.py): hand an intent that is ready to an agent."""

    def offer(self, ch: Change, address: str) -> None: ...


class HumanSteps(Protocol):
    """Human steps (humans.py) as the workflow and the deciders see them."""

    def enter_human(self, ch: Change, step: dict[str, Any], prelude: Callable[[], None] | None) -> None: ...

    def run_on_timeout(
        self, ch: Change, step: dict[str, Any], action: str, due: float, reason: str
    ) -> None: ...

    def apply_decision(
        self, ch: Change, step: dict[str, Any], decision: dict[str, Any], actor: dict[str, Any], channel: str
    ) -> None: ...


class FailureRouting(Protocol):
    """`on_failure` reviews (failure_review.py): T24 instead of FAILED, and the review's decision."""

    def route_failure(
        self, ch: Change, error: dict[str, Any], actor: dict[str, Any] | None, channel: str | None
    ) -> bool: ...

    def review_decided(
        self, ch: Change, step: dict[str, Any], decision: dict[str, Any], actor: dict[str, Any], channel: str
    ) -> dict[str, Any] | None: ...


class Notifier(Protocol):
    """Notifications (notify/ops.py) written into a change's commit."""

    def notify_step(
        self, ch: Change, step: dict[str, Any], reason: str, targets: list[dict[str, str]] | None = None
    ) -> None: ...

    def link_signing_secrets(self, ch: Change | None = None) -> list[str]: ...


class AgentLookup(Protocol):
    """The directory (directory.py) as the operations that name an agent see it."""

    def canonical_address(self, ctx: Ctx, address: str) -> str: ...

    def resolve_agent(self, ctx: Ctx, address: str) -> dict[str, Any]: ...

    def require_operator(self, ctx: Ctx) -> None: ...
