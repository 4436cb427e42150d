"""Versioned schema migrations, engine-neutral.

A migration is one numbered function `step(db)` registered with `@migration(n, name)`
in `steps.py`; `n` counts up from 1 with no gaps. `migrate(db)` applies every step
above the database's version, in order, inside ONE transaction, and records each in
`schema_version`: a failure leaves the database at its old version, and two processes
starting at once apply nothing twice (the second waits for the write lock, then sees
the new version). A database whose version is above the newest step this code knows
is refused (`SchemaTooNew`): old code must not write into a newer layout.

`db` is a `Db`: `execute(sql, args)`, `query(sql, args)` and `dialect` ("sqlite" or
"postgresql"). Steps write SQL with `?` placeholders; where DDL differs between
engines a step branches on `db.dialect`, and data backfills (Python over rows) are
shared. Adding a column is one small function at the end of `steps.py`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


class Db(Protocol):
    dialect: str

    def execute(self, sql: str, args: Iterable[Any] = ()) -> Any: ...
    def query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]: ...


class SchemaTooNew(ValueError):
    """The database was written by newer code (cli prints it and exits 2)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Db], None]


MIGRATIONS: list[Migration] = []


def migration(version: int, name: str) -> Callable[[Callable[[Db], None]], Callable[[Db], None]]:
    def register(fn: Callable[[Db], None]) -> Callable[[Db], None]:
        if version != len(MIGRATIONS) + 1:
            raise RuntimeError(f"migration {version} ({name}) out of order: next is {len(MIGRATIONS) + 1}")
        MIGRATIONS.append(Migration(version, name, fn))
        return fn

    return register


def latest_version() -> int:
    _load_steps()
    return len(MIGRATIONS)


VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


def current_version(db: Db) -> int:
    """0 for an empty database or one made before versioning (step 1 adopts it)."""
    tables = {r[0] for r in db.query(_TABLES_SQL[db.dialect])}
    if "schema_version" not in tables:
        return 0
    row = db.query("SELECT max(version) FROM schema_version")
    return int(row[0][0] or 0)


_TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type='table'",
    "postgresql": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
}


def check_not_newer(version: int) -> None:
    newest = latest_version()
    if version > newest:
        raise SchemaTooNew(
            f"the database is at schema version {version}, newer than this server knows ({newest}): "
            "run the server version that wrote it (or newer); refusing to open it"
        )


def pending(db: Db) -> list[Migration]:
    version = current_version(db)
    check_not_newer(version)
    return MIGRATIONS[version:]


def migrate(
    db: Db, begin: Callable[[], object], commit: Callable[[], object], rollback: Callable[[], object]
) -> list[Migration]:
    """Apply every pending step in one transaction; returns the steps applied (the callbacks' results are unused)."""
    latest_version()
    begin()
    try:
        todo = pending(db)  # read inside the transaction: another process may have just migrated
        if todo:
            db.execute(VERSION_TABLE)
        for step in todo:
            step.apply(db)
            db.execute(
                "INSERT INTO schema_version(version, name, applied_at) VALUES(?,?,?)",
                (step.version, step.name, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
            )
        commit()
    except BaseException:
        rollback()
        raise
    return todo


def _load_steps() -> None:
    from axme_server.store import steps  # noqa: F401 - registers the numbered steps
