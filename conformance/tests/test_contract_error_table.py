"""The contract suite reads REQ-ERR-003's v1 table from spec/behavior/errors.md."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from axme_conformance import paths
from axme_conformance.contract import client


def test_the_table_is_read_from_the_spec() -> None:
    table = client.error_table()
    assert table["intent_terminal"] == (409, "conflict", False)
    assert table["rate_limited"] == (429, "rate_limit", True)
    assert table["request_timeout"] == (408, "transport", True)
    assert len(table) == 26
    for code, (status, _, retryable) in table.items():  # REQ-ERR-004 holds in the table itself
        assert retryable == (status in (408, 429) or status >= 500), code


def test_a_row_missing_from_the_table_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = paths.REPO_ROOT / "spec"
    (tmp_path / "spec" / "behavior").mkdir(parents=True)
    shutil.copytree(spec / "schemas", tmp_path / "spec" / "schemas")
    errors = (spec / "behavior" / "errors.md").read_text()
    (tmp_path / "spec" / "behavior" / "errors.md").write_text(
        "\n".join(line for line in errors.splitlines() if "`stale_delivery`" not in line)
    )
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    with pytest.raises(RuntimeError, match="stale_delivery"):
        client.error_table.__wrapped__()
