#!/usr/bin/env python3
"""`make -C spec check`: lint, validate and cross-check the whole AXP v1 spec.

Exits non-zero on any problem and ends with one summary line.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import bundle
import requirements_index
import yaml
from check_examples import check_examples
from check_openapi import check_operations, lint
from check_requirements import (
    check_requirements,
    component_coverage,
    contract_coverage,
    scenario_coverage,
)
from check_schemas import check_free_form_objects, check_schemas
from schema_registry import SPEC_DIR, SchemaSet

VERBATIM_BUNDLE_EXAMPLE = "examples/scenario_bundle/valid/durable-execution-human-approval.json"


def check_generated(current_bundle: dict[str, Any]) -> list[str]:
    problems = []
    if (SPEC_DIR / "dist" / "openapi.json").read_text() != bundle.render():
        problems.append("dist/openapi.json is stale; run `make -C spec gen`")
    reqs, _ = requirements_index.parse_behavior()
    index = SPEC_DIR / "requirements.yaml"
    if not index.exists() or index.read_text() != requirements_index.render(reqs):
        problems.append("requirements.yaml is stale; run `make -C spec gen`")
    published = json.loads((SPEC_DIR / VERBATIM_BUNDLE_EXAMPLE).read_text())
    in_openapi = current_bundle["components"]["examples"]["ScenarioBundleApproval"]["value"]
    if published != in_openapi:
        problems.append(
            f"openapi.yaml ScenarioBundleApproval differs from {VERBATIM_BUNDLE_EXAMPLE}"
        )
    return problems


def check_naming(naming: dict[str, Any]) -> list[str]:
    languages = naming.get("languages", [])
    problems = []
    for section in ("operations", "helpers", "concepts", "errors"):
        for name, entry in (naming.get(section) or {}).items():
            names = entry.get("names", entry) if isinstance(entry, dict) else {}
            absent = (entry.get("absent") or {}) if isinstance(entry, dict) else {}
            missing = [lang for lang in languages if not names.get(lang) and not absent.get(lang)]
            if missing:
                problems.append(f"naming.yaml {section}.{name}: no name for {missing}")
    return problems


def main() -> int:
    problems: list[str] = []
    try:
        current = bundle.bundle()
    except bundle.BundleError as exc:
        print(f"spec-check: FAIL — bundle: {exc}")
        return 1
    naming = yaml.safe_load((SPEC_DIR / "naming.yaml").read_text())
    schemas = SchemaSet()

    sections: list[tuple[str, Callable[[], tuple[list[str], Any]]]] = [
        ("generated files", lambda: (check_generated(current), None)),
        ("OpenAPI lint", lambda: (lint(current), None)),
        ("schemas and $refs", lambda: check_schemas(schemas)),
        ("free-form objects", lambda: (check_free_form_objects(current), None)),
        ("operations", lambda: check_operations(current, set(naming.get("operations", {})))),
        ("examples", lambda: check_examples(schemas)),
        ("naming", lambda: (check_naming(naming), None)),
        ("requirements", check_requirements),
    ]
    results = {}
    for title, run in sections:
        found, result = run()
        results[title] = result
        status = "ok" if not found else f"{len(found)} problem(s)"
        print(f"  {title:<18} {status}")
        problems += [f"    {p}" for p in found]
        for p in found:
            print(f"    - {p}")

    known = cast(set[str], results["requirements"])
    cov_problems, by_scenarios, n_scenarios = scenario_coverage(known)
    contract_problems, by_contract, n_checks = contract_coverage(known)
    cov_problems += contract_problems
    component_problems, by_components = component_coverage(known, by_scenarios | by_contract)
    cov_problems += component_problems
    for p in cov_problems:
        print(f"    - {p}")
    problems += cov_problems
    covered = by_scenarios | by_contract | by_components
    print(
        f"  coverage: {len(covered)}/{len(known)} (scenarios {len(by_scenarios)}, "
        f"contract suite {len(by_contract)}, component tests {len(by_components)}; "
        f"{n_scenarios} scenario files, {n_checks} contract checks)"
    )
    by_area = Counter(r.split("-")[1] for r in known)
    covered_area = Counter(r.split("-")[1] for r in covered)
    print(
        "    "
        + ", ".join(f"{area} {covered_area[area]}/{n}" for area, n in sorted(by_area.items()))
    )
    uncovered = sorted(known - covered)
    if uncovered:
        print(f"    uncovered ({len(uncovered)}): " + ", ".join(uncovered))

    n_ops = results["operations"]
    n_examples = results["examples"]
    summary = (
        f"{n_ops} operations, {len(known)} requirements ({len(covered)} covered: "
        f"scenarios {len(by_scenarios)}, contract suite {len(by_contract)}, "
        f"component tests {len(by_components)}), "
        f"{n_examples} examples, {results['schemas and $refs']} $refs resolved"
    )
    if problems:
        print(f"spec-check: FAIL — {len(problems)} problem(s); {summary}")
        return 1
    print(f"spec-check: OK — {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
