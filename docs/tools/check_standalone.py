"""`make check-standalone`: the repository stands on its own.

Fails when a tracked file cites a design note that is not in the repository or
names the directory the checkout sits in, and when the licence is not one
(LICENSE is Apache-2.0 and every package manifest and the README say so).
The patterns are assembled from pieces so that this file does not match them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LICENCE = "Apache-2.0"

#: Citations of design notes that live outside the repository.
OUTSIDE_NOTES = "|".join(
    [
        "INTERFACES" + " §",
        "INTERFACES" + r"\.md",
        "[^/]" + "PROTO" + r"COL\.md",
        "SDK-" + "CONVENTIONS",
        r"\.\./" + "shared",
    ]
)


def git_grep(*args: str) -> list[str]:
    done = subprocess.run(
        ["git", "grep", "-n", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode > 1:
        raise SystemExit(f"git grep failed: {done.stderr}")
    return done.stdout.splitlines()


def citation_problems() -> list[str]:
    problems = [
        f"cites a note outside the repository: {hit}" for hit in git_grep("-E", OUTSIDE_NOTES)
    ]
    parent = str(ROOT.parent).rstrip("/") + "/"
    problems += [f"names the checkout's parent directory: {hit}" for hit in git_grep("-F", parent)]
    return problems


def manifest_licences() -> dict[str, str]:
    """Each package manifest → the licence it declares ('' when it declares none)."""
    found: dict[str, str] = {}
    for path in (
        "python/pyproject.toml",
        "server/pyproject.toml",
        "conformance/pyproject.toml",
    ):
        project = tomllib.loads((ROOT / path).read_text(encoding="utf-8"))["project"]
        licence = project.get("license", "")
        found[path] = licence.get("text", "") if isinstance(licence, dict) else licence
    package = json.loads((ROOT / "typescript/package.json").read_text(encoding="utf-8"))
    found["typescript/package.json"] = package.get("license", "")
    pom = (ROOT / "java/pom.xml").read_text(encoding="utf-8")
    match = re.search(r"<licenses>\s*<license>\s*<name>([^<]*)</name>", pom)
    found["java/pom.xml"] = match.group(1).strip() if match else ""
    csproj = (ROOT / "dotnet/src/Axme.Sdk/Axme.Sdk.csproj").read_text(encoding="utf-8")
    match = re.search(r"<PackageLicenseExpression>([^<]*)<", csproj)
    found["dotnet/src/Axme.Sdk/Axme.Sdk.csproj"] = match.group(1) if match else ""
    return found


def licence_problems() -> list[str]:
    problems = []
    licence_file = ROOT / "LICENSE"
    if (
        not licence_file.is_file()
        or "Apache License" not in licence_file.read_text(encoding="utf-8")[:200]
    ):
        problems.append("LICENSE is missing or is not the Apache License 2.0")
    problems += [
        f"{path} declares licence {value!r}, not {LICENCE!r}"
        for path, value in manifest_licences().items()
        if value != LICENCE
    ]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## License", 1)[-1]
    if "## License" not in readme or LICENCE not in section.split("\n## ", 1)[0]:
        problems.append(f"README.md's License section does not say {LICENCE}")
    return problems


def main() -> int:
    problems = citation_problems() + licence_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    verdict = "FAIL" if problems else "OK"
    print(f"check-standalone: {verdict} — {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
