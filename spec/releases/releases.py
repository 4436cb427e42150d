"""Frozen releases of the AXP spec, beside the draft in spec/.

    python spec/releases/releases.py freeze 1.1.0 [REF]  # the draft at REF (HEAD) as v1.1.0
    python spec/releases/releases.py check          # what `make spec-check` runs

`freeze` copies the committed (HEAD, or REF) bundle, requirement index, names, schemas and
behaviour files into spec/releases/v<version>/, with the version written into the
bundle and the names, and records a SHA-256 of each file in SHA256SUMS.

`check` fails when a release's files differ from its SHA256SUMS (a release is never
edited), and when the draft is not a compatible successor of the newest release
(docs/versioning.md): every operation, requirement id, schema, schema member and
enum value of the release must still be in the draft.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

RELEASES = Path(__file__).resolve().parent
SPEC = RELEASES.parent
ROOT = SPEC.parent
SUMS = "SHA256SUMS"
#: Committed spec files a release is made of (schemas and behaviour files are added by glob).
FILES = ["dist/openapi.json", "requirements.yaml", "naming.yaml"]
METHODS = ("get", "post", "put", "patch", "delete")


def _git_show(path: str, ref: str = "HEAD") -> str:
    return subprocess.run(
        ["git", "show", f"{ref}:spec/{path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _git_list(directory: str, ref: str = "HEAD") -> list[str]:
    out = subprocess.run(
        ["git", "ls-tree", "--name-only", ref, f"spec/{directory}/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.removeprefix("spec/") for line in out.split()]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def freeze(version: str, ref: str = "HEAD") -> Path:
    target = RELEASES / f"v{version}"
    if target.exists():
        raise SystemExit(f"{target} exists: a release is never rewritten")
    files = (
        FILES
        + _git_list("schemas", ref)
        + [p for p in _git_list("behavior", ref) if p.endswith(".md")]
    )
    for rel in files:
        text = _git_show(rel, ref)
        if rel == "dist/openapi.json":
            bundle = json.loads(text)
            bundle["info"]["version"] = version
            text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
        elif rel == "naming.yaml":
            lines = text.splitlines(keepends=True)
            text = "".join(
                f"version: {version}\n" if ln.startswith("version:") else ln for ln in lines
            )
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    sums = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    (target / SUMS).write_text(
        "".join(f"{_digest(target / p)}  {p}\n" for p in sums), encoding="utf-8"
    )
    return target


def _release_dirs() -> list[Path]:
    def key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in p.name.removeprefix("v").split("."))

    return sorted((p for p in RELEASES.glob("v*") if p.is_dir()), key=key)


def frozen_problems(release: Path) -> list[str]:
    sums = release / SUMS
    if not sums.is_file():
        return [f"{release.name}: {SUMS} is missing"]
    listed = {
        name: digest
        for digest, name in (line.split("  ", 1) for line in sums.read_text().splitlines())
    }
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {
        SUMS
    }
    problems = [f"{release.name}/{p}: not in {SUMS}" for p in sorted(present - set(listed))]
    problems += [f"{release.name}/{p}: missing" for p in sorted(set(listed) - present)]
    problems += [
        f"{release.name}/{p}: changed after the release (a release is never edited)"
        for p in sorted(present & set(listed))
        if _digest(release / p) != listed[p]
    ]
    return problems


def _operations(bundle: dict[str, Any]) -> dict[str, str]:
    return {
        op["operationId"]: f"{method.upper()} {path}"
        for path, item in bundle["paths"].items()
        for method in METHODS
        if (op := item.get(method))
    }


def compatibility_problems(release: Path) -> list[str]:
    """What the draft removed or renamed that the release promised."""
    old = json.loads((release / "dist/openapi.json").read_text(encoding="utf-8"))
    new = json.loads((SPEC / "dist/openapi.json").read_text(encoding="utf-8"))
    problems = []
    new_ops = _operations(new)
    for op_id, route in _operations(old).items():
        if new_ops.get(op_id) != route:
            problems.append(f"operation {op_id} ({route}) is gone or moved in the draft")
    old_reqs = yaml.safe_load((release / "requirements.yaml").read_text())["requirements"]
    new_reqs = yaml.safe_load((SPEC / "requirements.yaml").read_text())["requirements"]
    problems += [
        f"requirement {r} is gone (withdraw it, keep the id)" for r in old_reqs if r not in new_reqs
    ]
    new_schemas = new["components"]["schemas"]
    for name, schema in old["components"]["schemas"].items():
        if name not in new_schemas:
            problems.append(f"schema {name} is gone")
            continue
        draft = new_schemas[name]
        for member in schema.get("properties", {}):
            if member not in draft.get("properties", {}):
                problems.append(f"schema {name}: member {member} is gone")
        for value in schema.get("enum", []):
            if value not in draft.get("enum", []):
                problems.append(f"schema {name}: enum value {value!r} is gone")
    return [f"draft vs {release.name}: {p}" for p in problems]


def check() -> int:
    releases = _release_dirs()
    problems = [p for release in releases for p in frozen_problems(release)]
    if releases:
        problems += compatibility_problems(releases[-1])
    for problem in problems:
        print(problem, file=sys.stderr)
    names = ", ".join(r.name for r in releases) or "none"
    verdict = "FAIL" if problems else "OK"
    print(f"releases-check: {verdict} — releases {names}, {len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["freeze"] and len(argv) in (2, 3):
        print(f"frozen {freeze(*argv[1:])}")
        return 0
    if argv == ["check"]:
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
