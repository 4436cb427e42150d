"""Where the harness finds the repository's files."""

from __future__ import annotations

import os
from pathlib import Path


def _find_repo_root() -> Path:
    override = os.environ.get("AXME_REPO_ROOT")
    if override:
        return Path(override).resolve()
    # Installed editable from <repo>/conformance/src/axme_conformance.
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "conformance" / "drivers.yaml").is_file():
            return parent
    for parent in [Path.cwd(), *Path.cwd().parents]:
        if (parent / "conformance" / "drivers.yaml").is_file():
            return parent
    raise RuntimeError("cannot find the repository root (set AXME_REPO_ROOT)")


REPO_ROOT = _find_repo_root()
CONFORMANCE_DIR = REPO_ROOT / "conformance"
SCENARIOS_DIR = CONFORMANCE_DIR / "scenarios"
BASELINES_DIR = CONFORMANCE_DIR / "baselines"
RESULTS_DIR = CONFORMANCE_DIR / "results"
VECTORS_FILE = CONFORMANCE_DIR / "vectors" / "sse.json"
DRIVERS_FILE = CONFORMANCE_DIR / "drivers.yaml"
DRIVER_SCHEMA_FILE = CONFORMANCE_DIR / "driver-protocol.schema.json"
SCENARIO_SCHEMA_FILE = CONFORMANCE_DIR / "scenario.schema.json"
