"""The shared SQL (writes.py, queries.py, retention.py, steps.py) on a psycopg 3 connection.

Those modules speak the small DB-API subset of `sqlite3`: `conn.execute(sql, args)` with
`?` placeholders, returning a cursor with `fetchone`, `fetchall`, iteration, `rowcount`
and `lastrowid`. `PgConn` gives a psycopg connection that shape, so one copy of the SQL
serves both engines. The differences are translated once per statement text (cached):

- `?` becomes `%s` (and a literal `%` becomes `%%`);
- `BEGIN IMMEDIATE` (SQLite's "take the write lock now") is `BEGIN`;
- an `INSERT INTO intents` gets `RETURNING rid`: PostgreSQL has no lastrowid;
- `bytes` arguments are the JSON text `jsonutil.dumps` makes, bound as text, except in
  statements on the one BYTEA column (`idempotency.response`)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import psycopg

_RETURNING = {"INSERT INTO intents(": " RETURNING rid"}
_BYTEA_TABLES = (" idempotency",)  # statements naming these bind bytes as bytes


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    out = sql.replace("%", "%%").replace("?", "%s")
    if out == "BEGIN IMMEDIATE":
        return "BEGIN"
    for prefix, suffix in _RETURNING.items():
        if out.startswith(prefix):
            out += suffix
    return out


@lru_cache(maxsize=4096)
def _binds_bytea(text: str) -> bool:
    return any(table in text for table in _BYTEA_TABLES)


class PgCursor:
    def __init__(self, cur: psycopg.Cursor[Any], returning: bool) -> None:
        self._cur = cur
        self._returning = returning

    @property
    def rowcount(self) -> int:
        conn = self._cur.connection
        if (
            self._cur.pgresult is None and conn.pgconn.pipeline_status
        ):  # in pipeline mode: wait for the answer
            with conn.pipeline():  # (leaving an inner pipeline block syncs)
                pass
        return self._cur.rowcount

    @property
    def lastrowid(self) -> int:
        if not self._returning:
            raise AttributeError("lastrowid: this INSERT has no RETURNING rid (see postgres_sql._RETURNING)")
        row = self._cur.fetchone()
        assert row is not None
        return int(row[0])

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cur.fetchall()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._cur)


class PgConn:
    """A psycopg connection (autocommit: transactions are the explicit BEGIN/COMMIT the callers send)."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, args: Any = ()) -> PgCursor:
        text = translate(sql)
        if not _binds_bytea(text):
            args = [a.decode() if isinstance(a, bytes) else a for a in args]
        return PgCursor(self.raw.execute(text, tuple(args)), text.endswith(" RETURNING rid"))

    def query(self, sql: str, args: Any = ()) -> list[tuple[Any, ...]]:  # (migrations.Db)
        return self.execute(sql, args).fetchall()

    def close(self) -> None:
        self.raw.close()


def connect(url: str) -> PgConn:
    return PgConn(psycopg.connect(url, autocommit=True))
