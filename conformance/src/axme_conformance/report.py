"""Results: results.jsonl, matrix.md and the terminal matrix."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "ERROR")
FAILING = frozenset({"FAIL", "XPASS", "ERROR"})


@dataclass
class Result:
    sdk: str
    scenario: str
    status: str
    requirements: list[str]
    duration_ms: int
    detail: str = ""
    output: Any = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        return {
            "sdk": self.sdk,
            "scenario": self.scenario,
            "status": self.status,
            "requirements": self.requirements,
            "duration_ms": self.duration_ms,
            "detail": self.detail,
        }


def write_jsonl(results: list[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for result in results:
            out.write(json.dumps(result.record(), ensure_ascii=False) + "\n")


def write_outputs(results: list[Result], directory: Path) -> None:
    """Each SDK's raw (pre-normalization) output per scenario, for `axme-conformance diff`."""
    for result in results:
        if result.output is None:
            continue
        path = directory / result.sdk / f"{result.scenario}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.output, indent=1, sort_keys=True, ensure_ascii=False))


def _table(results: list[Result], sdks: list[str]) -> tuple[list[str], dict[tuple[str, str], str]]:
    scenarios = sorted({r.scenario for r in results})
    cells = {(r.scenario, r.sdk): r.status for r in results}
    return scenarios, cells


def totals(results: list[Result], sdk: str) -> Counter[str]:
    return Counter(r.status for r in results if r.sdk == sdk)


def _totals_text(counts: Counter[str]) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])


def render_markdown(results: list[Result], sdks: list[str]) -> str:
    scenarios, cells = _table(results, sdks)
    lines = [
        "| scenario | " + " | ".join(sdks) + " |",
        "|---|" + "---|" * len(sdks),
    ]
    for scenario in scenarios:
        row = [cells.get((scenario, sdk), "—") for sdk in sdks]
        lines.append(f"| {scenario} | " + " | ".join(row) + " |")
    lines.append("")
    for sdk in sdks:
        lines.append(f"- **{sdk}**: {_totals_text(totals(results, sdk)) or 'not run'}")
    return "\n".join(lines) + "\n"


def render_terminal(results: list[Result], sdks: list[str]) -> str:
    scenarios, cells = _table(results, sdks)
    width = max([len(s) for s in scenarios] + [8])
    col = max([len(s) for s in sdks] + [5])
    lines = [f"{'scenario':<{width}}  " + "  ".join(f"{s:<{col}}" for s in sdks)]
    for scenario in scenarios:
        row = "  ".join(f"{cells.get((scenario, sdk), '-'):<{col}}" for sdk in sdks)
        lines.append(f"{scenario:<{width}}  {row}")
    lines.append("")
    for sdk in sdks:
        lines.append(f"{sdk}: {_totals_text(totals(results, sdk)) or 'not run'}")
    return "\n".join(lines)


def failing_details(results: list[Result]) -> str:
    parts = []
    for r in results:
        if r.status in FAILING or (r.status == "FAIL"):
            parts.append(f"--- {r.sdk} {r.scenario}: {r.status}\n{r.detail}")
    return "\n".join(parts)
