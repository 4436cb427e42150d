"""The README matrix check: current when rows = scenario files and columns = the five SDKs."""

from __future__ import annotations

import pytest

from axme_conformance.readme_matrix import END, START, problems

HEADER = "| scenario | python | typescript | go | java | dotnet |\n|---|---|---|---|---|---|\n"


def readme(rows: list[str], header: str = HEADER) -> str:
    body = "".join(f"| {r} | PASS | PASS | PASS | PASS | PASS |\n" for r in rows)
    return f"# X\n{START}\n```text\n{header}{body}```\n{END}\n"


def test_current_matrix_has_no_problem() -> None:
    assert problems(readme(["a/one", "b/two"]), ["b/two", "a/one"]) == []


def test_missing_and_extra_rows_are_named() -> None:
    found = problems(readme(["a/one", "gone/old"]), ["a/one", "new/scenario"])
    assert found == [
        "1 scenario(s) not in the matrix: new/scenario",
        "1 row(s) without a scenario: gone/old",
    ]


def test_a_partial_matrix_is_stale() -> None:
    assert problems(readme(["a/one"], "| scenario | python |\n|---|---|\n"), ["a/one"]) == [
        "columns ['python'], want ['python', 'typescript', 'go', 'java', 'dotnet']"
    ]


def test_no_markers_is_an_error() -> None:
    with pytest.raises(ValueError, match="markers"):
        problems("# nothing here", [])
