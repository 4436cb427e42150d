"""Known failures per SDK: conformance/baselines/<lang>.yaml.

```yaml
expected_failures:
  - scenario: observe/resume-after-drop
    reason: "why it fails and what will fix it (required)"
```
A listed scenario that fails is XFAIL; one that passes is XPASS (a stale
baseline, which fails the run).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from axme_conformance.paths import BASELINES_DIR


class BaselineError(ValueError):
    pass


def load_baseline(sdk: str, directory: Path = BASELINES_DIR) -> dict[str, str]:
    path = directory / f"{sdk}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    entries = data.get("expected_failures") or []
    found: dict[str, str] = {}
    for i, entry in enumerate(entries):
        scenario = (entry or {}).get("scenario")
        reason = str((entry or {}).get("reason") or "").strip()
        if not scenario or not reason:
            raise BaselineError(f"{path}: entry {i + 1} needs both `scenario` and a `reason`")
        found[str(scenario)] = reason
    return found


def apply_baseline(status: str, listed_reason: str | None) -> str:
    if listed_reason is None:
        return status
    if status in ("FAIL", "ERROR"):
        return "XFAIL"
    if status == "PASS":
        return "XPASS"
    return status
