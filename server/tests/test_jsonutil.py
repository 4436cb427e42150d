"""JSON/time helpers: buffered UUIDs and the cached RFC 3339 formatter."""

from __future__ import annotations

import uuid

from axme_server.jsonutil import iso, new_uuid


def test_new_uuid_is_random_version_4_and_unique() -> None:
    ids = [new_uuid() for _ in range(1000)]  # crosses several 4 KiB refills
    assert len(set(ids)) == len(ids)
    for text in ids[:50] + ids[-50:]:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 4 and u.variant == uuid.RFC_4122


def test_iso_formats_each_second_and_rounds_milliseconds() -> None:
    assert iso(0) == "1970-01-01T00:00:00.000Z"
    assert iso(1700000000.123) == "2023-11-14T22:13:20.123Z"
    assert iso(1700000000.9996) == "2023-11-14T22:13:21.000Z"  # rounds into the next second
    assert iso(1699999999.5) == "2023-11-14T22:13:19.500Z"  # going back in time re-formats
