"""Storage behind one small interface (SQLite now; PostgreSQL later)."""

from axme_server.store.base import Store, WriteOp
from axme_server.store.sqlite import SqliteStore


def open_store(url: str) -> Store:
    """`sqlite:///path/axme.db` (default) — other engines are not built yet."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url[len("sqlite:///"):])
    if url.startswith("sqlite://"):
        return SqliteStore(url[len("sqlite://"):])
    raise ValueError(f"unsupported AXME_DATABASE_URL scheme: {url.split(':', 1)[0]!r} (only sqlite is built)")


__all__ = ["SqliteStore", "Store", "WriteOp", "open_store"]
