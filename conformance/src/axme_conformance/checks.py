"""Offline checks (``axme-conformance validate``): scenario files, vectors,
baselines, the inconsistency map, and links to spec/requirements.yaml."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import yaml

from axme_conformance.baselines import BaselineError, load_baseline
from axme_conformance.paths import BASELINES_DIR, CONFORMANCE_DIR, REPO_ROOT, VECTORS_FILE
from axme_conformance.push_steps import check_push_vectors
from axme_conformance.scenario import Scenario, ScenarioError, load_scenarios

REQUIREMENTS_FILE = REPO_ROOT / "spec" / "requirements.yaml"
INCONSISTENCIES_FILE = CONFORMANCE_DIR / "INCONSISTENCIES.md"


def known_requirement_ids() -> set[str] | None:
    """IDs in spec/requirements.yaml, whatever its exact layout; None if absent."""
    if not REQUIREMENTS_FILE.is_file():
        return None
    data: Any = yaml.safe_load(REQUIREMENTS_FILE.read_text())
    return set(re.findall(r"\bREQ-[A-Z0-9]+(?:-[A-Z0-9]+)*\b", json.dumps(data)))


def check_vectors() -> list[str]:
    problems = []
    data = json.loads(VECTORS_FILE.read_text())
    names = set()
    for i, v in enumerate(data.get("vectors", [])):
        for key in ("name", "input", "events", "retry_ms"):
            if key not in v:
                problems.append(f"sse.json vector {i}: missing {key}")
        if v.get("name") in names:
            problems.append(f"sse.json: duplicate vector name {v.get('name')}")
        names.add(v.get("name"))
    return problems


def check_inconsistency_map(scenarios: list[Scenario]) -> list[str]:
    """Every scenario's `inconsistencies:` agrees with INCONSISTENCIES.md rows."""
    if not INCONSISTENCIES_FILE.is_file():
        return [f"missing {INCONSISTENCIES_FILE.name}"]
    ids = {s.id for s in scenarios}
    areas = {s.area for s in scenarios}
    problems = []
    for line in INCONSISTENCIES_FILE.read_text().splitlines():
        for ref in re.findall(r"`([a-z0-9_-]+/[a-z0-9_*.-]+)`", line):
            if ref.split("/")[0] not in areas or ref.endswith("*"):
                continue  # a file path or a glob, not a scenario id
            if ref not in ids:
                problems.append(f"{INCONSISTENCIES_FILE.name} names unknown scenario {ref}")
    return problems


def validate_all(verbose: bool = False) -> int:
    problems: list[str] = []
    try:
        scenarios = load_scenarios()
    except ScenarioError as exc:
        print(f"scenario error: {exc}", file=sys.stderr)
        return 1
    problems += check_vectors()
    problems += check_push_vectors(VECTORS_FILE.with_name("push-signature.json"))
    problems += check_inconsistency_map(scenarios)
    for path in sorted(BASELINES_DIR.glob("*.yaml")):
        try:
            baseline = load_baseline(path.stem)
        except BaselineError as exc:
            problems.append(str(exc))
            continue
        ids = {s.id for s in scenarios}
        problems += [
            f"{path.name}: unknown scenario {name}" for name in baseline if name not in ids
        ]
    known = known_requirement_ids()
    cited = {req for s in scenarios for req in s.requirements}
    if known is not None:
        for s in scenarios:
            for req in s.requirements:
                if req not in known:
                    problems.append(f"{s.id}: cites {req}, not in spec/requirements.yaml")
        from axme_conformance.contract.suite import load_checks

        contract = {req for c in load_checks().values() for req in c.requirements}
        problems += [
            f"contract check cites {req}, not in spec/requirements.yaml"
            for req in sorted(contract - known)
        ]
        covered = len(known & cited)
        print(
            f"requirements: {covered}/{len(known)} covered by at least one scenario, "
            f"{len(known & contract)} by the contract suite, "
            f"{len(known & (cited | contract))} by either"
        )
        cited |= contract
        if verbose:
            for req in sorted(known - cited):
                print(f"  uncovered: {req}")
    areas = sorted({s.area for s in scenarios})
    print(f"scenarios: {len(scenarios)} in {len(areas)} areas ({', '.join(areas)})")
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    return 1 if problems else 0
