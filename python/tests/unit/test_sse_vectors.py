"""The shared SSE vectors (conformance/vectors/sse.json): whole, byte by byte, odd chunks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from axme._sse import SSEParser

VECTORS_FILE = Path(__file__).resolve().parents[3] / "conformance" / "vectors" / "sse.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]


def parse(data: bytes, chunk_size: int | None) -> tuple[list[dict[str, Any]], int | None]:
    parser = SSEParser()
    frames = []
    if chunk_size is None:
        frames += parser.feed(data)
    else:
        for start in range(0, len(data), chunk_size):
            frames += parser.feed(data[start : start + chunk_size])
    frames += parser.finish()
    return [{"id": f.id, "event": f.event, "data": f.data} for f in frames], parser.retry_ms


def test_vector_file_is_not_empty() -> None:
    assert len(VECTORS) >= 20


@pytest.mark.parametrize("chunk_size", [None, 1, 2, 3, 7])
@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: dict[str, Any], chunk_size: int | None) -> None:
    events, retry_ms = parse(vector["input"].encode("utf-8"), chunk_size)
    assert events == vector["events"]
    assert retry_ms == vector["retry_ms"]


def test_crlf_split_across_chunks_is_one_line_break() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    frames = parser.feed(b"\n\r\n")
    assert [(f.data, f.event) for f in frames] == [("a", "message")]


def test_multibyte_character_split_across_chunks() -> None:
    raw = "data: Zoë ✓\n\n".encode()
    parser = SSEParser()
    frames = []
    for byte in raw:
        frames += parser.feed(bytes([byte]))
    assert [f.data for f in frames] == ["Zoë ✓"]
