"""Storage behind one small interface: SQLite (embedded, the default) or PostgreSQL."""

from axme_server.store.base import Store, WriteOp
from axme_server.store.sqlite import SqliteStore


def open_store(url: str, pool_size: int | None = None) -> Store:
    """`sqlite:///path/axme.db` (default) or `postgresql://user:password@host:port/db`
    (needs the `postgres` extra: psycopg and psycopg-pool)."""
    if url.startswith(("postgresql://", "postgres://")):
        from axme_server.store.postgres import DEFAULT_POOL_SIZE, PostgresStore

        return PostgresStore(url, pool_size or DEFAULT_POOL_SIZE)
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///") :])
    if url.startswith("sqlite://"):
        return SqliteStore(url[len("sqlite://") :])
    raise ValueError(f"unsupported AXME_DATABASE_URL scheme: {url.split(':', 1)[0]!r} (sqlite or postgresql)")


__all__ = ["SqliteStore", "Store", "WriteOp", "open_store"]
