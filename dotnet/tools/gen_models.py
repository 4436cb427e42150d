#!/usr/bin/env python3
"""Generate the C# models of Axme.Sdk from spec/dist/openapi.json.

Output (owned entirely by this script, see the banner in templates/file_header.cs.tmpl):
  Models.g.cs      one view class per object schema (a typed view over the wire JObject),
                   including the inline request/response objects of operations
  Constants.g.cs   one static class of string constants per string enum

The operation methods are hand-written in src/Axme.Sdk/AxmeClient.Operations.cs, as in the
other four SDKs (docs/sdk-conventions.md, "Operations"); tools/check_operations.py holds
them to the spec. The file set is fixed, so Axme.Sdk.csproj never changes when the spec grows.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Schema names that would shadow everyday .NET types (System.Threading.Tasks.Task) or read
# like language keywords (event) in user code.
RENAMES = {"Task": "TaskItem", "Event": "IntentEvent", "Common": None}

CS_KEYWORDS = {
    "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class",
    "const", "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event",
    "explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if",
    "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new",
    "null", "object", "operator", "out", "override", "params", "private", "protected", "public",
    "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static",
    "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong",
    "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
}


def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text())


def pascal(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", name)
    out = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not out or out[0].isdigit():
        out = "V" + out
    return out


def camel(name: str) -> str:
    p = pascal(name)
    c = p[:1].lower() + p[1:]
    return "@" + c if c in CS_KEYWORDS else c


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def doc_comment(text: str | None, indent: str, code: str | None = None) -> str:
    """A /// summary; `code` is shown first as <c>code</c>, the free text is XML-escaped."""
    if not text and not code:
        return ""
    text = xml_escape((text or "").strip())
    if code:
        text = f"<c>{xml_escape(code)}</c>" + (f": {text}" if text else "")
    lines = [ln.rstrip() for ln in text.splitlines()]
    body = "".join(f"{indent}/// {ln}\n" if ln else f"{indent}///\n" for ln in lines)
    return f"{indent}/// <summary>\n{body}{indent}/// </summary>\n"


class Spec:
    def __init__(self, doc: dict):
        self.doc = doc
        self.schemas: dict = doc.get("components", {}).get("schemas", {})

    def resolve(self, ref: str) -> tuple[str, dict]:
        if not ref.startswith("#/"):
            raise SystemExit(f"gen_models: only local $refs are supported (bundle the spec): {ref}")
        node = self.doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return ref.rsplit("/", 1)[-1], node


def class_name(schema_name: str) -> str | None:
    if schema_name in RENAMES:
        return RENAMES[schema_name]
    return pascal(schema_name)


def non_null_variants(schema: dict) -> list:
    variants = schema.get("anyOf") or schema.get("oneOf") or []
    return [v for v in variants if v.get("type") != "null"]


def schema_types(schema: dict) -> list:
    t = schema.get("type")
    if t is None:
        return []
    return [x for x in (t if isinstance(t, list) else [t]) if x != "null"]


def is_string_enum(schema: dict) -> bool:
    return "enum" in schema and all(isinstance(v, str) for v in schema["enum"]) and len(schema["enum"]) > 0


def is_object_model(spec: Spec, schema: dict) -> bool:
    if "properties" in schema:
        return True
    variants = schema.get("oneOf") or []
    return bool(variants) and all(object_schema(spec, v) is not None for v in variants)


def object_schema(spec: Spec, schema: dict) -> dict | None:
    if "$ref" in schema:
        schema = spec.resolve(schema["$ref"])[1]
    return schema if "properties" in schema else None


class Kind:
    """How one property is exposed: C# type plus the AxmeModel accessor pair."""

    def __init__(self, cs_type: str, get: str, set_: str):
        self.cs_type, self.get, self.set = cs_type, get, set_


def property_kind(spec: Spec, schema: dict) -> Kind:
    if "$ref" in schema:
        name, target = spec.resolve(schema["$ref"])
        if is_object_model(spec, target) and class_name(name):
            cls = class_name(name)
            return Kind(cls, f"GetModel<{cls}>", "SetModel")
        return property_kind(spec, target)
    variants = non_null_variants(schema)
    if variants and ("anyOf" in schema or "oneOf" in schema):
        if len(variants) == 1:
            return property_kind(spec, variants[0])
        return Kind("JToken", "GetToken", "SetToken")
    types = schema_types(schema)
    if len(types) != 1:
        return Kind("JToken", "GetToken", "SetToken")
    t = types[0]
    if t == "string":
        if schema.get("format") == "date-time":
            return Kind("DateTimeOffset?", "GetDateTime", "SetDateTime")
        return Kind("string", "GetString", "SetString")
    if t == "integer":
        return Kind("long?", "GetInt64", "SetInt64")
    if t == "number":
        return Kind("double?", "GetDouble", "SetDouble")
    if t == "boolean":
        return Kind("bool?", "GetBoolean", "SetBoolean")
    if t == "array":
        item = property_kind(spec, schema.get("items", {}))
        if item.get.startswith("GetModel<"):
            return Kind(f"IReadOnlyList<{item.cs_type}>", f"GetModelList<{item.cs_type}>", "SetModelList")
        if item.cs_type == "string":
            return Kind("IReadOnlyList<string>", "GetStringList", "SetStringList")
        return Kind("JArray", "GetToken(\"{0}\") as JArray", "SetToken")
    if t == "object":
        return Kind("JObject", "GetObject", "SetToken")
    return Kind("JToken", "GetToken", "SetToken")


def merged_properties(spec: Spec, schema: dict) -> list:
    """Properties of an object, or the union of a oneOf's branches (first description wins)."""
    if "properties" in schema:
        return list(schema["properties"].items())
    seen: dict = {}
    for variant in schema.get("oneOf", []):
        for key, prop in object_schema(spec, variant)["properties"].items():
            if key in seen and property_kind(spec, seen[key]).cs_type != property_kind(spec, prop).cs_type:
                seen[key] = {}  # conflicting branch types: expose the raw token
            else:
                seen.setdefault(key, prop)
    return list(seen.items())


def render_model(spec: Spec, name: str, schema: dict) -> str:
    cls = class_name(name)
    prop_tmpl = template("model_property.cs.tmpl")
    props = []
    for wire, prop in merged_properties(spec, schema):
        kind = property_kind(spec, prop)
        member = pascal(wire)
        if member == cls:
            member += "Value"
        if "{0}" in kind.get:
            getter = kind.get.format(wire)
        else:
            getter = f'{kind.get}("{wire}")'
        desc = prop.get("description")
        if desc is None and "$ref" in prop:
            desc = spec.resolve(prop["$ref"])[1].get("description")
        doc = doc_comment(desc, "        ", code=wire)
        props.append(prop_tmpl.substitute(doc=doc, type=kind.cs_type, name=member, getter=getter,
                                          setter=f'{kind.set}("{wire}", value)'))
    body = "\n".join(props)
    title = schema.get("description") or schema.get("title")
    return template("model_class.cs.tmpl").substitute(doc=doc_comment(title, "    "), name=cls, properties=body)


def render_constants(name: str, schema: dict) -> str:
    lines = []
    for value in schema["enum"]:
        member = pascal(value.lower() if value.isupper() else value)  # TIMED_OUT -> TimedOut
        lines.append(f'        public const string {member} = "{value}";')
    values = ", ".join(f'"{v}"' for v in schema["enum"])
    return template("constants_class.cs.tmpl").substitute(
        doc=doc_comment(schema.get("description") or f"Values of {name}.", "    "),
        name=class_name(name), constants="\n".join(lines), values=values)


def wrap_file(usings: list, namespace: str, members: list) -> str:
    header = (TEMPLATES / "file_header.cs.tmpl").read_text()
    use = "".join(f"using {u};\n" for u in usings)
    return f"{header}{use}\nnamespace {namespace}\n{{\n" + "\n".join(members) + "}\n"


# ---- inline objects of operations ------------------------------------------------

def json_schema_of(content: dict | None) -> dict | None:
    if not content:
        return None
    media = content.get("application/json")
    return media.get("schema") if media else None


def model_type(spec: Spec, schema: dict | None, fallback: str, inline_models: dict) -> str | None:
    if schema is None:
        return None
    if "$ref" in schema:
        name, target = spec.resolve(schema["$ref"])
        if is_object_model(spec, target) and class_name(name):
            return class_name(name)
        schema = target
    if not is_object_model(spec, schema):
        return "JObject"  # free-form object: pass the wire JSON through untouched
    inline_models[fallback] = schema
    return fallback


def collect_inline_models(spec: Spec, op_id: str, op: dict, inline_models: dict) -> None:
    """Record the inline request and response objects of one operation as models.

    The operation methods themselves are hand-written (src/Axme.Sdk/AxmeClient.Operations.cs,
    docs/sdk-conventions.md "Operations"); only the types they exchange are generated. An inline
    object is named after its operation: <OperationId>Request, <OperationId>Response.
    """
    ok = op.get("responses", {}).get("200") or op.get("responses", {}).get("201")
    if ok and "$ref" in ok:
        ok = spec.resolve(ok["$ref"])[1]
    response_schema = json_schema_of((ok or {}).get("content"))
    if response_schema is None:
        return  # text/event-stream: Observe and ListenAsync parse their own frames
    model_type(spec, response_schema, pascal(op_id) + "Response", inline_models)
    body = op.get("requestBody")
    if body and "$ref" in body:
        body = spec.resolve(body["$ref"])[1]
    model_type(spec, json_schema_of((body or {}).get("content")), pascal(op_id) + "Request", inline_models)


# ---- driver -----------------------------------------------------------------------------

def generate(doc: dict) -> dict:
    spec = Spec(doc)
    inline_models: dict = {}
    for item in doc.get("paths", {}).values():
        for verb in ("get", "post", "put", "patch", "delete"):
            if verb in item and "operationId" in item[verb]:
                collect_inline_models(spec, item[verb]["operationId"], item[verb], inline_models)

    models, constants = [], []
    for name in sorted(spec.schemas):
        schema = spec.schemas[name]
        if class_name(name) is None:
            continue
        if is_string_enum(schema):
            constants.append(render_constants(name, schema))
        elif is_object_model(spec, schema):
            models.append(render_model(spec, name, schema))
    for name in sorted(inline_models):
        if is_object_model(spec, inline_models[name]):
            models.append(render_model(spec, name, inline_models[name]))

    files = {
        "Models.g.cs": wrap_file(["System", "System.Collections.Generic", "Newtonsoft.Json.Linq"],
                                 "Axme.Sdk.Models", models),
        "Constants.g.cs": wrap_file(["System.Collections.Generic"], "Axme.Sdk.Models", constants),
    }
    return files


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args(argv)
    if not args.spec.is_file():
        print(f"gen_models: {args.spec} does not exist (run `make -C spec gen`)", file=sys.stderr)
        return 2
    doc = json.loads(args.spec.read_text())
    files = generate(doc)
    args.out.mkdir(parents=True, exist_ok=True)
    for stale in args.out.glob("*.g.cs"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (args.out / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
