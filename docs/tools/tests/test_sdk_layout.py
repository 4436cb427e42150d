"""docs/tools/sdk_layout.py: the "Where things live" tables of the SDK READMEs."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "docs/tools"))

import sdk_layout  # noqa: E402

TABLE = """# SDK

## Advanced

text

## Where things live

Paths are relative to `src/`.

| concept | files |
|---|---|
| config | `config.py` |
| transport | `core.py`, `runners/` |

## Development
"""


def make_sdk(root: Path, name: str, readme: str, files: tuple[str, ...]) -> None:
    for file in files:
        path = root / name / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "README.md").write_text(readme, encoding="utf-8")


def test_the_repository_readmes_have_the_same_rows_and_name_existing_files() -> None:
    assert sdk_layout.problems() == []


def test_same_rows_and_existing_files_pass(tmp_path: Path) -> None:
    make_sdk(tmp_path, "a", TABLE, ("src/config.py", "src/core.py", "src/runners/x"))
    make_sdk(
        tmp_path,
        "b",
        TABLE.replace("`src/`", "`lib/`"),
        ("lib/config.py", "lib/core.py", "lib/runners/x"),
    )
    assert sdk_layout.problems(tmp_path, ("a", "b")) == []


def test_a_missing_file_a_different_row_and_a_missing_section_are_reported(tmp_path: Path) -> None:
    make_sdk(tmp_path, "a", TABLE, ("src/config.py", "src/core.py", "src/runners/x"))
    make_sdk(tmp_path, "b", TABLE, ("src/config.py", "src/runners/x"))
    make_sdk(
        tmp_path,
        "c",
        TABLE.replace("| transport |", "| request core |"),
        ("src/config.py", "src/core.py", "src/runners/x"),
    )
    make_sdk(tmp_path, "d", "# SDK\n\n## Advanced\n", ())
    found = sdk_layout.problems(tmp_path, ("a", "b", "c", "d"))
    assert any("b/README.md" in p and "core.py" in p and "does not exist" in p for p in found), (
        found
    )
    assert any("c/README.md" in p and "differ" in p for p in found), found
    assert any("d/README.md" in p and "no '## Where things live' section" in p for p in found), (
        found
    )
    assert len(found) == 3, found


def test_the_section_ends_at_the_next_heading() -> None:
    body = sdk_layout.section(TABLE + "\n| stray | `nowhere` |\n")
    assert body is not None and "Development" not in body
    assert [concept for concept, _ in sdk_layout.table(body)] == ["config", "transport"]
