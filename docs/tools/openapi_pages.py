"""The OpenAPI bundle (spec/dist/openapi.json) as two Markdown pages: the operations
grouped by tag, and every component schema. Links between them use the schema
name's anchor (mkdocs' default slug: the lower-cased name)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA_REF = "#/components/schemas/"


def _load(bundle: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(bundle.read_text(encoding="utf-8"))
    return document


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    resolved: dict[str, Any] = target
    return resolved


def _schema_link(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref", "")
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
        name = ref.removeprefix(SCHEMA_REF)
        return f"[`{name}`](schemas.md#{name.lower()})"
    return f"`{schema.get('type', 'object')}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _operation(document: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> list[str]:
    lines = [
        f"### {op['operationId']}",
        "",
        f"`{method.upper()} {path}` — {op.get('summary', '')}",
        "",
    ]
    if op.get("description"):
        lines += [op["description"].strip(), ""]
    params = [_resolve(document, p) for p in op.get("parameters", [])]
    if params:
        lines += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        lines += [
            f"| `{p['name']}` | {p['in']} | {_schema_link(p.get('schema'))} | "
            f"{'yes' if p.get('required') else 'no'} | "
            f"{_cell(p.get('description', ''))} |"
            for p in params
        ]
        lines.append("")
    body = op.get("requestBody")
    if body:
        body = _resolve(document, body)
        for media, content in body.get("content", {}).items():
            lines += [
                f"Request body (`{media}`): {_schema_link(content.get('schema'))}",
                "",
            ]
    lines += ["| status | meaning | body |", "|---|---|---|"]
    for status, response in op.get("responses", {}).items():
        response = _resolve(document, response)
        schemas = [_schema_link(c.get("schema")) for c in response.get("content", {}).values()]
        lines.append(
            f"| {status} | {_cell(response.get('description', ''))} | {', '.join(schemas)} |"
        )
    lines.append("")
    return lines


def operations_page(bundle: Path) -> str:
    document = _load(bundle)
    info = document["info"]
    lines = [
        "# OpenAPI reference",
        "",
        f"{info['title']}, version `{info['version']}`. Generated from `spec/dist/openapi.json`",
        "(the bundle of `spec/openapi.yaml` and `spec/schemas/`); behaviour is specified by the",
        "[requirements](requirements.md).",
        "",
        info.get("description", "").strip(),
        "",
    ]
    by_tag: dict[str, list[list[str]]] = {t["name"]: [] for t in document.get("tags", [])}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                tag = (op.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append(_operation(document, method, path, op))
    tag_text = {t["name"]: t.get("description", "") for t in document.get("tags", [])}
    for tag, operations in by_tag.items():
        if operations:
            lines += [f"## {tag}", "", tag_text.get(tag, ""), ""]
            for operation in operations:
                lines += operation
    return "\n".join(lines)


def schemas_page(bundle: Path) -> str:
    document = _load(bundle)
    lines = [
        "# Schemas",
        "",
        "Every object of AXP v1 (JSON Schema 2020-12), as bundled into `spec/dist/openapi.json`",
        "from `spec/schemas/*.schema.json`.",
        "",
    ]
    for name, schema in sorted(document["components"]["schemas"].items()):
        lines += [f"## {name}", ""]
        if schema.get("description"):
            lines += [schema["description"].strip(), ""]
        lines += [
            "```json",
            json.dumps(schema, indent=2, ensure_ascii=False),
            "```",
            "",
        ]
    return "\n".join(lines)
