"""The five SDKs mirror each other: each README has a "Where things live" table.

Every SDK README (`<sdk>/README.md`) must have a `## Where things live` section
whose table lists the same concepts, in the same order, as every other SDK's,
and every file or folder a row names (in backticks) must exist: relative to the
folder the section names in "Paths are relative to `…`" (when it names one),
else relative to the SDK's own folder. Run by `make docs` (its tests) and
directly: `python docs/tools/sdk_layout.py`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("python", "typescript", "go", "java", "dotnet")
HEADING = "## Where things live"
BASE = re.compile(r"Paths are relative to `([^`]+)`")
PATH = re.compile(r"`([^`]+)`")

Row = tuple[str, list[str]]


def section(text: str) -> str | None:
    """The text of the section, up to the next heading of the same or a higher level."""
    start = text.find("\n" + HEADING + "\n")
    if start < 0:
        return None
    body = text[start + len(HEADING) + 2 :]
    end = re.search(r"^#{1,2} ", body, re.MULTILINE)
    return body[: end.start()] if end else body


def table(body: str) -> list[Row]:
    """The (concept, paths) rows of the section's first table; header and rule skipped."""
    rows: list[Row] = []
    for line in body.splitlines():
        cells = (
            [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        )
        if len(cells) < 2 or cells[0] == "concept" or set(cells[0]) <= {"-", ":"}:
            continue
        rows.append((cells[0], PATH.findall(cells[1])))
    return rows


def readme_problems(sdk_dir: Path) -> tuple[list[Row], list[str]]:
    readme = sdk_dir / "README.md"
    if not readme.is_file():
        return [], [f"{readme}: missing"]
    body = section(readme.read_text(encoding="utf-8"))
    if body is None:
        return [], [f"{readme}: no '{HEADING}' section"]
    rows = table(body)
    if not rows:
        return [], [f"{readme}: '{HEADING}' has no table"]
    base = BASE.search(body)
    roots = ([sdk_dir / base.group(1)] if base else []) + [sdk_dir]
    problems = []
    for concept, paths in rows:
        if not paths:
            problems.append(f"{readme}: row '{concept}' names no file")
        for path in paths:
            if not any((root / path).exists() for root in roots):
                problems.append(f"{readme}: row '{concept}' names {path}, which does not exist")
    return rows, problems


def problems(root: Path = ROOT, sdks: tuple[str, ...] = SDKS) -> list[str]:
    found: list[str] = []
    reference: tuple[str, list[str]] | None = None
    for sdk in sdks:
        rows, trouble = readme_problems(root / sdk)
        found += trouble
        if not rows:
            continue
        concepts = [concept for concept, _ in rows]
        if reference is None:
            reference = (sdk, concepts)
        elif concepts != reference[1]:
            found.append(
                f"{sdk}/README.md: '{HEADING}' rows {concepts} differ from "
                f"{reference[0]}/README.md's {reference[1]}"
            )
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"sdk_layout: the {len(SDKS)} SDK READMEs have the same '{HEADING}' rows")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
