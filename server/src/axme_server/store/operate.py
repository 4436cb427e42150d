"""The store's part of the command line: `axme-server migrate`, the retention flags and
task, and the data dir's mode. cli.py calls these, so its own edits stay a few lines."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axme_server.store.retention import RetentionPolicy, run_retention

DIR_MODE = 0o700  # the data dir holds axme.db and admin.key: owner only


def secure_data_dir(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if data_dir.stat().st_mode & 0o077:
        os.chmod(data_dir, DIR_MODE)


def database_url(data_dir: Path) -> str:
    return os.environ.get("AXME_DATABASE_URL") or f"sqlite:///{data_dir / 'axme.db'}"


def add_database_flags(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--database-pool-size",
        type=int,
        default=int(os.environ.get("AXME_DATABASE_POOL_SIZE", "4")),
        help="PostgreSQL connections (AXME_DATABASE_URL=postgresql://...), at least 3: the writer's, "
        "the event loop's, the rest for reads off the loop (default 4, AXME_DATABASE_POOL_SIZE)",
    )
    ap.add_argument(
        "--outbox-claim-seconds",
        type=_positive,
        default=30.0,
        help="PostgreSQL: how long a replica holds the outbox rows it claimed to send (pushes, "
        "notifications); another replica sends them after that when it died. Keep it above "
        "--outbound-timeout-seconds plus a settle (default 30)",
    )


def open_database(data_dir: Path, args: argparse.Namespace) -> Any:
    """The store AXME_DATABASE_URL names (default SQLite in the data dir), not yet opened."""
    from axme_server.store import open_store

    if args.database_pool_size < 3:
        raise ValueError("--database-pool-size must be at least 3")
    store = open_store(database_url(data_dir), args.database_pool_size)
    if hasattr(store, "outbox_claim_seconds"):
        store.outbox_claim_seconds = args.outbox_claim_seconds
    return store


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _idempotency_hours(text: str) -> float:
    value = float(text)
    if value < 24:
        raise argparse.ArgumentTypeError(
            "must be at least 24: replays are promised for 24 hours (REQ-IDEMP-006)"
        )
    return value


def add_retention_flags(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--retain-intents-days",
        type=_positive,
        default=None,
        help="delete terminal intents (with events, tasks, audit) this many days after they ended; "
        "default: keep forever (REQ-LIFECYCLE-015)",
    )
    ap.add_argument(
        "--retain-idempotency-hours",
        type=_idempotency_hours,
        default=24.0,
        help="delete idempotency records older than this, at least 24 (default 24, REQ-IDEMP-006)",
    )
    ap.add_argument(
        "--retention-interval-seconds",
        type=_positive,
        default=60.0,
        help="time between retention passes (default 60)",
    )


def retention_policy(args: argparse.Namespace) -> RetentionPolicy:
    return RetentionPolicy(
        intents_days=args.retain_intents_days,
        idempotency_hours=args.retain_idempotency_hours,
        interval_seconds=args.retention_interval_seconds,
    )


def start_retention(
    store: Any,
    now: Callable[[], float],
    args: argparse.Namespace,
    on_pruned: Callable[[list[str]], None] | None = None,
) -> asyncio.Task[None] | None:
    policy = retention_policy(args)
    if not policy.enabled or not hasattr(store, "prune"):
        return None
    return asyncio.get_running_loop().create_task(
        run_retention(store, now, policy, on_pruned), name="axme-retention"
    )


def migrate_main(argv: list[str]) -> int:
    """`axme-server migrate [--data-dir DIR]`: apply pending schema migrations and exit."""
    from axme_server.store.migrations import SchemaTooNew, latest_version

    ap = argparse.ArgumentParser(
        prog="axme-server migrate", description="Apply pending schema migrations to the database and exit."
    )
    ap.add_argument(
        "--data-dir", default="./.axme-data", help="SQLite lives at DIR/axme.db (or AXME_DATABASE_URL)"
    )
    add_database_flags(ap)
    args = ap.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    secure_data_dir(data_dir)
    try:
        store = open_database(data_dir, args)
        store.open()
    except (SchemaTooNew, ValueError) as exc:
        print(f"axme-server migrate: {exc}", file=sys.stderr)
        return 2
    try:
        applied = getattr(store, "migrated", [])
        for step in applied:
            print(f"applied {step.version}: {step.name}")
        print(f"schema version {store.schema_version()} (newest this server knows: {latest_version()})")
    finally:
        store.close()
    return 0
