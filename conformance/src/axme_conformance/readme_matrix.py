"""Is the conformance matrix pasted in the root README current?

`make conformance` (all five SDKs) rewrites it with `--update-readme`; `make test` runs this
check afterwards, so a scenario added or removed without a new matrix fails the build.
`python -m axme_conformance.readme_matrix [README]` exits 1 and names what differs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from axme_conformance.paths import REPO_ROOT

START, END = "<!-- conformance-matrix:start -->", "<!-- conformance-matrix:end -->"
ALL_SDKS = ["python", "typescript", "go", "java", "dotnet"]
_ROW = re.compile(r"^\| ([a-z0-9_.\-]+/[a-z0-9_.\-]+) \|")


def matrix_of(readme: str) -> tuple[list[str], list[str]]:
    """(the SDK columns, the scenario ids of the rows) of the README's matrix."""
    if START not in readme or END not in readme:
        raise ValueError("README has no conformance-matrix markers")
    block = readme.split(START, 1)[1].split(END, 1)[0]
    header = next((line for line in block.splitlines() if line.startswith("| scenario |")), None)
    if header is None:
        raise ValueError("the matrix has no `| scenario | …` header")
    columns = [c.strip() for c in header.strip("|").split("|")][1:]
    rows = [m.group(1) for line in block.splitlines() if (m := _ROW.match(line))]
    return columns, rows


def problems(readme: str, scenario_ids: list[str]) -> list[str]:
    columns, rows = matrix_of(readme)
    found: list[str] = []
    if columns != ALL_SDKS:
        found.append(f"columns {columns}, want {ALL_SDKS}")
    missing = sorted(set(scenario_ids) - set(rows))
    extra = sorted(set(rows) - set(scenario_ids))
    if missing:
        found.append(f"{len(missing)} scenario(s) not in the matrix: {', '.join(missing)}")
    if extra:
        found.append(f"{len(extra)} row(s) without a scenario: {', '.join(extra)}")
    if len(rows) != len(set(rows)):
        found.append("a scenario appears twice")
    return found


def main(argv: list[str] | None = None) -> int:
    from axme_conformance.scenario import load_scenarios

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else REPO_ROOT / "README.md"
    found = problems(path.read_text(encoding="utf-8"), [s.id for s in load_scenarios()])
    for problem in found:
        print(f"{path}: conformance matrix is stale: {problem}", file=sys.stderr)
    if found:
        print("regenerate it: make conformance (all five SDKs) rewrites it", file=sys.stderr)
        return 1
    print(f"{path}: conformance matrix is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
