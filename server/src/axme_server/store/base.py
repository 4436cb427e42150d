"""The storage interface. Writes are lists of WriteOps committed atomically;
reads return plain dicts. A PostgreSQL backend implements the same protocol."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any, Protocol, cast

# ("workspace", doc) | ("key", doc) | ("agent", doc) | ("agent_delete", address) | ("intent_new", doc) | ("intent", doc)
# | ("event", event) | ("task", doc) | ("idem", scope_key, body_hash, status, response, created_at)
# | ("outbox", row) | ("outbox_attempt", attempt)   (axme_server.outbound)
# | ("console_session", row) | ("console_session_delete", session_hash | None, expired_before)   (console)
WriteOp = tuple[Any, ...]


class Store(Protocol):
    def open(self) -> None: ...
    def close(self) -> None: ...

    async def write(self, ops: list[WriteOp]) -> None:
        """Commit all ops in one transaction; returns only after the commit is durable."""

    async def ready(self) -> None:
        """One query, off the event loop (/health/ready, REQ-API-021): raises when the database does not answer."""

    def get_meta(self, k: str) -> str | None: ...
    def set_meta_sync(self, k: str, v: str) -> None: ...
    def get_workspace(self, workspace_id: str) -> dict[str, Any] | None: ...
    def list_workspaces(self) -> list[dict[str, Any]]: ...
    def get_key(self, key_id: str) -> dict[str, Any] | None: ...
    def list_keys(self, workspace_id: str) -> list[dict[str, Any]]: ...
    def get_agent(self, address: str) -> dict[str, Any] | None: ...
    def list_agents(self, workspace_id: str, limit: int, cursor: str | None) -> list[dict[str, Any]]: ...
    def get_intent(self, intent_id: str) -> dict[str, Any] | None: ...
    def list_intents(
        self,
        workspace_id: str,
        *,
        status: str | None,
        to_agent: str | None,
        from_agent: str | None,
        involving: str | None,
        limit: int,
        cursor: int | None,
        tasked_to: list[str] | None = None,
    ) -> list[tuple[int, dict[str, Any]]]: ...
    async def list_intents_async(self, workspace_id: str, **filters: Any) -> list[tuple[int, dict[str, Any]]]:
        """list_intents for the event loop: a filter combination no index covers runs off the loop."""

    def ready_deliveries(self) -> Iterable[tuple[str, str]]: ...
    def ready_deliveries_to(self, address: str) -> list[str]: ...
    def timers_due(self, after: float | None, until: float) -> Iterable[tuple[str, dict[str, float]]]: ...
    def list_events(self, intent_id: str, since: int, limit: int) -> list[dict[str, Any]]: ...
    def list_tasks(
        self,
        workspace_id: str,
        *,
        pending_only: bool,
        assignees: list[str] | None,
        limit: int,
        cursor: int | None,
    ) -> list[tuple[int, dict[str, Any]]]: ...
    def get_console_session(self, session_hash: str) -> dict[str, Any] | None: ...
    def intents_by_correlation(
        self, workspace_id: str, correlation_id: str, limit: int
    ) -> list[dict[str, Any]]: ...
    def get_idempotency(self, scope_key: str) -> tuple[str, int, bytes] | None: ...
    def count_intents_by_status(self) -> dict[str, int]: ...
    def count_by_status(self, workspace_id: str | None = None) -> dict[str, int]:
        """Intents per status from counters kept at write time (no scan); all workspaces when None."""

    def schema_version(self) -> int: ...
    async def prune(self, policy: Any, now: float, on_pruned: Any = None) -> tuple[int, int, int]:
        """Retention: delete terminal intents / idempotency records / used-link markers past their
        window, in small batches; returns how many of each."""

    def list_outbox(self, status: str = "pending", intent_id: str | None = None) -> list[dict[str, Any]]: ...
    def list_outbox_attempts(self, outbox_id: str) -> list[dict[str, Any]]: ...


class SharedStore(Store, Protocol):
    """A store several server processes write (PostgreSQL, `shared` true): their intent writes
    and new outbox rows arrive as notifications, and outbox rows are claimed (cluster.py,
    outbound/dispatcher.py)."""

    shared: bool
    process: str  # names this process's notifications (its own are skipped)
    outbox_claim_seconds: float
    outbox_listener: Callable[[str | None], None] | None

    def listen(self, loop: asyncio.AbstractEventLoop, handle: Callable[[str | None], None]) -> None: ...
    async def claim_outbox(self, now: float, limit: int, sending: list[str]) -> list[dict[str, Any]]: ...
    async def get_intent_off_loop(self, intent_id: str) -> dict[str, Any] | None: ...
    async def list_events_off_loop(self, intent_id: str, since: int, limit: int) -> list[dict[str, Any]]: ...


def shared_store(store: Store) -> SharedStore | None:
    """`store` as a SharedStore when other processes write it too, else None."""
    return cast(SharedStore, store) if getattr(store, "shared", False) else None
