"""Loading and validating scenario files (conformance/scenarios/<area>/<name>.yaml)."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from axme_conformance.paths import SCENARIO_SCHEMA_FILE, SCENARIOS_DIR
from axme_conformance.steps import step_action


class ScenarioError(ValueError):
    pass


@dataclass
class Scenario:
    id: str
    path: Path
    title: str
    requirements: list[str]
    steps: list[dict[str, Any]]
    faults: list[dict[str, Any]] = field(default_factory=list)
    expect: dict[str, Any] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)
    inconsistencies: list[int] = field(default_factory=list)
    client: dict[str, Any] = field(default_factory=dict)
    compare: bool = True
    compare_traffic: bool = True
    exclusive: bool = False
    timeout_s: float = 90.0
    # Options for a private reference server (REQ-…-specific settings such as a short
    # lease); empty = the shared server of the run.
    server: dict[str, Any] = field(default_factory=dict)

    @property
    def debug_logging(self) -> bool:
        """A client asks for debug logs: in several SDKs logging is process-wide, so the
        driver is restarted after the scenario (later scenarios stay quiet)."""
        return any(
            "new_client" in step and "log_level" in (step.get("config") or {})
            for step in self.steps
        )

    @property
    def area(self) -> str:
        return self.id.split("/", 1)[0]


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCENARIO_SCHEMA_FILE.read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def load_scenario(path: Path, root: Path = SCENARIOS_DIR) -> Scenario:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not YAML: {exc}") from exc
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path)
        raise ScenarioError(f"{path}: {where}: {errors[0].message}")
    for i, step in enumerate(data["steps"]):
        try:
            step_action(step)
        except Exception as exc:
            raise ScenarioError(f"{path}: step {i + 1}: {exc}") from exc
    scenario_id = path.relative_to(root).with_suffix("").as_posix()
    server = dict(data.get("server", {}))
    # The clock is global to a server: moving the shared one blocks every other scenario,
    # moving a private one blocks nobody.
    uses_clock = not server and any("advance_clock" in step for step in data["steps"])
    return Scenario(
        id=scenario_id,
        path=path,
        title=data["title"],
        requirements=list(data["requirements"]),
        steps=data["steps"],
        faults=data.get("faults", []),
        expect=data.get("expect", {}),
        requires=data.get("requires", []),
        inconsistencies=data.get("inconsistencies", []),
        client=data.get("client", {}),
        compare=data.get("compare", True),
        compare_traffic=data.get("compare_traffic", True),
        exclusive=bool(data.get("exclusive", False) or uses_clock),
        timeout_s=float(data.get("timeout_s", 90)),
        server=server,
    )


def load_scenarios(patterns: list[str] | None = None, root: Path = SCENARIOS_DIR) -> list[Scenario]:
    scenarios = [load_scenario(p, root) for p in sorted(root.rglob("*.yaml"))]
    if patterns:
        scenarios = [s for s in scenarios if any(fnmatch.fnmatch(s.id, pat) for pat in patterns)]
    return scenarios
