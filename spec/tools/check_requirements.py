"""Requirement IDs: unique, indexed, every citation resolves; coverage by conformance
scenarios, by the server contract suite, and (for what the wire cannot show) by the
component tests listed in spec/component-coverage.yaml."""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import Any

import yaml
from requirements_index import parse_behavior
from schema_registry import SPEC_DIR

REPO = SPEC_DIR.parent
SCENARIOS_DIR = REPO / "conformance" / "scenarios"
CONTRACT_DIR = REPO / "conformance" / "src" / "axme_conformance" / "contract"
COMPONENT_COVERAGE = SPEC_DIR / "component-coverage.yaml"
CITATION = re.compile(r"REQ-[A-Z]+-\d{3}(?:\.\.\d{3})?|REQ-[A-Z]+-\*")
CITING_FILES = [
    "openapi.yaml",
    "naming.yaml",
    "primer.md",
    "README.md",
    "schemas/*.json",
    "behavior/*.md",
]


def _expand(citation: str, known: set[str]) -> list[str]:
    """REQ-X-001..003 → three ids; REQ-X-* → every id of area X (must be non-empty)."""
    if citation.endswith("-*"):
        prefix = citation[:-1]
        return [r for r in known if r.startswith(prefix)] or [citation]
    if ".." in citation:
        head, _, last = citation.partition("..")
        area, first = head.rsplit("-", 1)
        return [f"{area}-{n:03d}" for n in range(int(first), int(last) + 1)]
    return [citation]


def check_requirements() -> tuple[list[str], set[str]]:
    reqs, problems = parse_behavior()
    counts = Counter(r.req_id for r in reqs)
    problems += [f"requirement id {rid} is defined {n} times" for rid, n in counts.items() if n > 1]
    known = set(counts)
    index_path = SPEC_DIR / "requirements.yaml"
    indexed = (
        set((yaml.safe_load(index_path.read_text()) or {}).get("requirements", {}))
        if index_path.exists()
        else set()
    )
    problems += [
        f"{rid} is in a behavior file but not in requirements.yaml"
        for rid in sorted(known - indexed)
    ]
    problems += [
        f"{rid} is in requirements.yaml but in no behavior file" for rid in sorted(indexed - known)
    ]
    for pattern in CITING_FILES:
        for path in sorted(SPEC_DIR.glob(pattern)):
            for citation in set(CITATION.findall(path.read_text())):
                for rid in _expand(citation, known):
                    if rid not in known:
                        problems.append(
                            f"{path.relative_to(SPEC_DIR)}: cites unknown requirement {rid}"
                        )
    return problems, known


def scenario_coverage(known: set[str]) -> tuple[list[str], set[str], int]:
    """Requirement ids cited by `requirements:` lists in conformance/scenarios/**/*.yaml."""
    problems: list[str] = []
    covered: set[str] = set()
    files = sorted(SCENARIOS_DIR.rglob("*.yaml")) if SCENARIOS_DIR.exists() else []
    for path in files:
        rel = path.relative_to(REPO)
        try:
            doc = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            problems.append(f"{rel}: not YAML: {exc}")
            continue
        cited = (doc or {}).get("requirements") or [] if isinstance(doc, dict) else []
        if not isinstance(cited, list):
            problems.append(f"{rel}: 'requirements' must be a list of REQ ids")
            continue
        for rid in cited:
            if rid in known:
                covered.add(rid)
            else:
                problems.append(f"{rel}: cites unknown requirement {rid!r}")
    return problems, covered, len(files)


def _cited_by_check(decorator: ast.expr) -> list[Any] | None:
    """`@check("name", requirements=[...])` → the list (a literal); None for other decorators."""
    if not isinstance(decorator, ast.Call):
        return None
    func = decorator.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name != "check":
        return None
    for keyword in decorator.keywords:
        if keyword.arg == "requirements":
            cited: list[Any] = ast.literal_eval(keyword.value)
            return cited
    return []


def contract_coverage(known: set[str]) -> tuple[list[str], set[str], int]:
    """Requirement ids cited by the server contract suite's checks
    (`@check(name, requirements=[...])` in conformance/src/axme_conformance/contract/*.py),
    read from the source so the harness need not be importable."""
    problems: list[str] = []
    covered: set[str] = set()
    n_checks = 0
    files = sorted(CONTRACT_DIR.glob("*.py")) if CONTRACT_DIR.exists() else []
    for path in files:
        rel = path.relative_to(REPO)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                try:
                    cited = _cited_by_check(decorator)
                except ValueError:
                    problems.append(f"{rel}:{node.lineno}: requirements= must be a literal list")
                    continue
                if cited is None:
                    continue
                n_checks += 1
                if not cited:
                    problems.append(f"{rel}:{node.lineno}: check {node.name} cites no requirement")
                for rid in cited:
                    if rid in known:
                        covered.add(rid)
                    else:
                        problems.append(f"{rel}:{node.lineno}: cites unknown requirement {rid!r}")
    return problems, covered, n_checks


def component_coverage(known: set[str], on_the_wire: set[str]) -> tuple[list[str], set[str]]:
    """Requirements covered by the component tests `spec/component-coverage.yaml` lists: each
    entry needs a reason and test files that exist and name the requirement, and must not be
    covered on the wire already."""
    if not COMPONENT_COVERAGE.exists():
        return [], set()
    rel = COMPONENT_COVERAGE.relative_to(REPO)
    problems: list[str] = []
    covered: set[str] = set()
    entries = yaml.safe_load(COMPONENT_COVERAGE.read_text()) or {}
    for rid, entry in entries.items():
        if rid not in known:
            problems.append(f"{rel}: unknown requirement {rid!r}")
            continue
        if rid in on_the_wire:
            problems.append(
                f"{rel}: {rid} is covered by a scenario or contract check; drop the entry"
            )
            continue
        tests = (entry or {}).get("tests") or []
        if not (entry or {}).get("why") or not tests:
            problems.append(f"{rel}: {rid} needs `why` and `tests`")
            continue
        for test in tests:
            path = REPO / test
            if not path.is_file():
                problems.append(f"{rel}: {rid}: no such test file {test}")
            elif rid not in path.read_text():
                problems.append(f"{rel}: {rid}: {test} does not name it")
            else:
                covered.add(rid)
    return problems, covered
