"""Load spec/schemas/*.schema.json into a `referencing` registry and build validators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR = Path(__file__).resolve().parent.parent
SCHEMA_DIR = SPEC_DIR / "schemas"
ID_BASE = "https://axme.dev/spec/axp/v1/schemas/"


class SchemaSet:
    """All schema files, addressable as '<stem>' (root) or '<stem>.<Def>' ($defs entry)."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {
            p.name[: -len(".schema.json")]: json.loads(p.read_text())
            for p in sorted(SCHEMA_DIR.glob("*.schema.json"))
        }
        resources = [
            (
                ID_BASE + stem + ".schema.json",
                Resource.from_contents(doc, default_specification=DRAFT202012),
            )
            for stem, doc in self.files.items()
        ]
        self.registry: Registry = Registry().with_resources(resources)

    def uri(self, target: str) -> str:
        stem, _, def_name = target.partition(".")
        if stem not in self.files:
            raise KeyError(f"no schema file {stem}.schema.json")
        if def_name and def_name not in self.files[stem].get("$defs", {}):
            raise KeyError(f"{stem}.schema.json has no $defs/{def_name}")
        return ID_BASE + stem + ".schema.json" + (f"#/$defs/{def_name}" if def_name else "")

    def validator(self, target: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": self.uri(target)}, registry=self.registry, format_checker=FormatChecker()
        )


def instance_path(error: Any) -> str:
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path
    )
