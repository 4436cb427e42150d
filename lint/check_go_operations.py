"""Go's `//meta:operation <operationId> <METHOD> <path>` comments against the spec.

Each comment must name an operation of spec/dist/openapi.json with its method and
path, sit right above the method that spec/naming.yaml names for Go, and every
operation with a Go name must have exactly one such comment. Run by `make lint`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
META = re.compile(r"^//meta:operation (\S+) ([A-Z]+) (\S+)\s*$")
FUNC = re.compile(r"^func \(\w+ \*Client\) (\w+)\(")
METHODS = ("get", "post", "put", "patch", "delete")


def spec_routes() -> dict[str, tuple[str, str]]:
    bundle = json.loads((ROOT / "spec/dist/openapi.json").read_text(encoding="utf-8"))
    return {
        op["operationId"]: (method.upper(), path)
        for path, item in bundle["paths"].items()
        for method in METHODS
        if (op := item.get(method))
    }


def go_names() -> dict[str, str]:
    naming = yaml.safe_load((ROOT / "spec/naming.yaml").read_text(encoding="utf-8"))
    names = {}
    for op_id, entry in naming["operations"].items():
        per_language = entry.get("names", entry)
        if per_language.get("go"):
            names[op_id] = per_language["go"]
    return names


def problems() -> list[str]:
    routes, names = spec_routes(), go_names()
    found: dict[str, list[str]] = {}
    out = []
    for source in sorted((ROOT / "go").glob("*.go")):
        lines = source.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            match = META.match(line)
            if not match:
                continue
            where = f"go/{source.name}:{number}"
            op_id, method, path = match.groups()
            found.setdefault(op_id, []).append(where)
            if op_id not in routes:
                out.append(f"{where}: {op_id} is not an operation of the spec")
                continue
            if routes[op_id] != (method, path):
                out.append(f"{where}: {op_id} is {' '.join(routes[op_id])} in the spec")
            func = FUNC.match(lines[number]) if number < len(lines) else None
            if func is None or func.group(1) != names.get(op_id):
                out.append(f"{where}: the next line must declare Client.{names.get(op_id)}")
    for op_id in sorted(names):
        if len(found.get(op_id, [])) != 1:
            out.append(f"{op_id} (Go {names[op_id]}): {len(found.get(op_id, []))} meta comments")
    return out


def main() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    verdict = "FAIL" if found else "OK"
    print(f"go meta:operation: {verdict} — {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
