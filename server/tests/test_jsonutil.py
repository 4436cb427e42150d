"""JSON/time helpers: buffered UUIDs and the cached RFC 3339 formatter."""

from __future__ import annotations

import time
import uuid

from axme_server.jsonutil import iso, new_time_uuid, new_uuid


def test_new_uuid_is_random_version_4_and_unique() -> None:
    ids = [new_uuid() for _ in range(1000)]  # crosses several 4 KiB refills
    assert len(set(ids)) == len(ids)
    for text in ids[:50] + ids[-50:]:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 4 and u.variant == uuid.RFC_4122


def test_new_time_uuid_is_version_7_ordered_by_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_time_uuid() for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    stamps = [int(text.replace("-", "")[:12], 16) for text in ids]
    assert stamps == sorted(stamps) and before <= stamps[0] and stamps[-1] <= after
    for text in ids[:50] + ids[-50:]:
        u = uuid.UUID(text)
        assert str(u) == text and u.version == 7 and u.variant == uuid.RFC_4122


def test_iso_formats_each_second_and_rounds_milliseconds() -> None:
    assert iso(0) == "1970-01-01T00:00:00.000Z"
    assert iso(1700000000.123) == "2023-11-14T22:13:20.123Z"
    assert iso(1700000000.9996) == "2023-11-14T22:13:21.000Z"  # rounds into the next second
    assert iso(1699999999.5) == "2023-11-14T22:13:19.500Z"  # going back in time re-formats
