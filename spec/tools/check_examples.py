"""Validate spec/examples/<target>/{valid,invalid}/*.json.

<target> is a schema file stem (`intent`) or `<stem>.<Def>` (`intent.CreateIntentRequest`).
Every invalid example has a sibling `<name>.expect.yaml`:
    reason: why it must fail
    errors: [{keyword: <JSON Schema keyword>, instance_path: <JSON Pointer>}, ...]
and must fail with exactly that set of top-level errors - no fewer, no others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from bundle import has_root_schema
from schema_registry import SPEC_DIR, SchemaSet, instance_path

EXAMPLES_DIR = SPEC_DIR / "examples"


def _error_set(validator: Any, instance: Any) -> set[tuple[str, str]]:
    return {(str(err.validator), instance_path(err)) for err in validator.iter_errors(instance)}


def _check_invalid(path: Path, validator: Any, instance: Any) -> list[str]:
    expect_path = path.with_name(path.stem + ".expect.yaml")
    rel = path.relative_to(SPEC_DIR)
    if not expect_path.exists():
        return [f"{rel}: invalid example without {expect_path.name} (state why it must fail)"]
    expect = yaml.safe_load(expect_path.read_text()) or {}
    if not str(expect.get("reason", "")).strip():
        return [f"{expect_path.relative_to(SPEC_DIR)}: missing 'reason'"]
    wanted = {(e["keyword"], e["instance_path"]) for e in expect.get("errors") or []}
    if not wanted:
        return [
            f"{expect_path.relative_to(SPEC_DIR)}: "
            "'errors' must list at least one {keyword, instance_path}"
        ]
    got = _error_set(validator, instance)
    if not got:
        return [f"{rel}: expected to be INVALID ({expect['reason']}) but it validates"]
    if got != wanted:
        return [f"{rel}: fails for the wrong reason: expected {sorted(wanted)}, got {sorted(got)}"]
    return []


def check_examples(schemas: SchemaSet) -> tuple[list[str], int]:
    """Returns (problems, number of example files checked)."""
    problems: list[str] = []
    count = 0
    covered: dict[str, set[str]] = {}
    for target_dir in sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir()):
        target = target_dir.name
        try:
            validator = schemas.validator(target)
        except KeyError as exc:
            problems.append(f"examples/{target}: {exc.args[0]}")
            continue
        for kind in ("valid", "invalid"):
            for path in sorted((target_dir / kind).glob("*.json")):
                count += 1
                covered.setdefault(target, set()).add(kind)
                try:
                    instance = json.loads(path.read_text())
                except json.JSONDecodeError as exc:
                    problems.append(f"{path.relative_to(SPEC_DIR)}: not JSON: {exc}")
                    continue
                if kind == "valid":
                    problems += [
                        f"{path.relative_to(SPEC_DIR)}: expected valid, "
                        f"but {instance_path(e) or '/'}: {e.message}"
                        for e in validator.iter_errors(instance)
                    ]
                else:
                    problems += _check_invalid(path, validator, instance)
        for stray in sorted(
            set(target_dir.iterdir()) - {target_dir / "valid", target_dir / "invalid"}
        ):
            problems.append(f"{stray.relative_to(SPEC_DIR)}: only valid/ and invalid/ belong here")
    for stem, doc in schemas.files.items():
        if has_root_schema(doc) and covered.get(stem) != {"valid", "invalid"}:
            problems.append(
                f"examples/{stem}: every schema needs at least one valid and one invalid example"
            )
    return problems, count
