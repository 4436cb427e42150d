#!/usr/bin/env python3
"""Hold the hand-written C# operations (src/Axme.Sdk/AxmeClient.Operations.cs) to the spec.

Each operation method starts with a summary `<c>METHOD path</c>: (operationId) …`. For every
JSON operation of spec/dist/openapi.json there must be exactly one, and its method must:
- carry the C# name of spec/naming.yaml (resumeIntent: the helper resumeIntentWith; an
  operation without a C# name, such as getReadiness, is <OperationId>Async);
- send the summary's HTTP method to the summary's path (string literals, IntentPath(…),
  AgentPath(…) and PathSegment(…, "wire_name", …) joined with `+`);
- send exactly the spec's query parameters (Query("name", …));
- check a required body (Required(…)) and send {} for an optional one (Optional(…)).
Run by `make -C dotnet gen-check`; the Go SDK has the same check (lint/check_go_operations.py).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

DOTNET = Path(__file__).resolve().parents[1]
ROOT = DOTNET.parent
SOURCE = DOTNET / "src/Axme.Sdk/AxmeClient.Operations.cs"
SUMMARY = re.compile(r"/// <summary><c>([A-Z]+) (\S+)</c>: \((\w+)\)")
DECLARATION = re.compile(r"public async Task<\w+> (\w+)\(")
CALL = re.compile(r"HttpMethod\.(\w+), (.+?), (NoQuery|null|Required\(request\)|Optional\(request\)|request),")
PATH_PIECE = re.compile(
    r'"(?P<literal>[^"]*)"|IntentPath\(\w+\)|AgentPath\(\w+\)|PathSegment\(\w+, "(?P<wire>\w+)", "\w+"\)'
)
SPECIAL_PIECES = {"IntentPath": "v1/intents/{intent_id}", "AgentPath": "v1/agents/{address}"}
QUERY = re.compile(r'Query\("(\w+)", ')
VERBS = ("get", "post", "put", "patch", "delete")


def resolve(bundle: dict, node: dict) -> dict:
    if "$ref" not in node:
        return node
    for part in node["$ref"][2:].split("/"):
        bundle = bundle[part]
    return bundle


def json_operations() -> dict[str, dict]:
    """operationId -> method, path, query names and body need, for operations answering JSON."""
    bundle = json.loads((ROOT / "spec/dist/openapi.json").read_text(encoding="utf-8"))
    out = {}
    for path, item in bundle["paths"].items():
        for verb in VERBS:
            op = item.get(verb)
            if not op:
                continue
            ok = resolve(bundle, op["responses"].get("200") or op["responses"].get("201") or {})
            if "application/json" not in ok.get("content", {}):
                continue  # the event streams: Observe and ListenAsync
            params = [resolve(bundle, p) for p in op.get("parameters", []) + item.get("parameters", [])]
            body = op.get("requestBody") and resolve(bundle, op["requestBody"])
            out[op["operationId"]] = {
                "route": (verb.upper(), path),
                "query": sorted(p["name"] for p in params if p["in"] == "query"),
                "body": None if body is None else ("Required" if body.get("required") else "Optional"),
            }
    return out


def csharp_names() -> dict[str, str]:
    naming = yaml.safe_load((ROOT / "spec/naming.yaml").read_text(encoding="utf-8"))
    names = {}
    for op_id, entry in naming["operations"].items():
        names[op_id] = entry.get("names", entry).get("csharp")
    names["resumeIntent"] = naming["helpers"]["resumeIntentWith"].get("names", {}).get("csharp")
    return names


def path_of(expression: str) -> str | None:
    pieces = []
    for part in (p.strip() for p in expression.split("+")):
        match = PATH_PIECE.fullmatch(part)
        if match is None:
            return None
        if match.group("literal") is not None:
            pieces.append(match.group("literal"))
        elif match.group("wire"):
            pieces.append("{" + match.group("wire") + "}")
        else:
            pieces.append(SPECIAL_PIECES[part.split("(")[0]])
    return "/" + "".join(pieces)


def check_method(op_id: str, block: str, spec_op: dict, name: str) -> list[str]:
    out = []
    declared = DECLARATION.search(block)
    if declared is None or declared.group(1) != name:
        out.append(f"{op_id}: the method must be {name}")
    call = CALL.search(block)
    if call is None:
        return out + [f"{op_id}: no request (HttpMethod.X, path, body, …) found"]
    verb, path = spec_op["route"]
    if call.group(1).upper() != verb or path_of(call.group(2)) != path:
        out.append(f"{op_id}: sends {call.group(1).upper()} {path_of(call.group(2))}, the spec says {verb} {path}")
    if sorted(QUERY.findall(block)) != spec_op["query"]:
        out.append(f"{op_id}: query {sorted(QUERY.findall(block))}, the spec says {spec_op['query']}")
    body = call.group(3).split("(")[0]
    # A free-form (JObject) body is checked in the method itself before it is sent.
    if body == "request" and "throw new ArgumentNullException(\"request\")" in block:
        body = "Required"
    if (body if body in ("Required", "Optional") else None) != spec_op["body"]:
        out.append(f"{op_id}: body {body}, the spec's requestBody is {spec_op['body'] or 'absent'}")
    return out


def problems() -> list[str]:
    text = SOURCE.read_text(encoding="utf-8")
    text = text[: text.index("// --- what every operation above shares")]
    operations, names = json_operations(), csharp_names()
    starts = list(SUMMARY.finditer(text))
    out, seen = [], {}
    for index, summary in enumerate(starts):
        verb, path, op_id = summary.groups()
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        block = text[summary.start() : end]
        seen[op_id] = seen.get(op_id, 0) + 1
        if op_id not in operations:
            out.append(f"{op_id}: not a JSON operation of the spec")
            continue
        if (verb, path) != operations[op_id]["route"]:
            out.append(f"{op_id}: the summary says {verb} {path}, the spec {' '.join(operations[op_id]['route'])}")
        name = names.get(op_id) or op_id[:1].upper() + op_id[1:] + "Async"
        out.extend(check_method(op_id, block, operations[op_id], name))
    for op_id in sorted(operations):
        if seen.get(op_id) != 1:
            out.append(f"{op_id}: {seen.get(op_id, 0)} methods in {SOURCE.name}, expected 1")
    return out


def main() -> int:
    found = problems()
    for problem in found:
        print(f"dotnet/src/Axme.Sdk/{SOURCE.name}: {problem}", file=sys.stderr)
    print(f"dotnet operations: {'FAIL' if found else 'OK'} — {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
