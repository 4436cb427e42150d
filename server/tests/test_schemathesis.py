"""Schemathesis against spec/dist/openapi.json (issue 15): every check, stateful links, the
examples/coverage/fuzzing/stateful phases, derandomized, within a bounded budget. The run must
find 0 server errors and 0 responses that break the document (status codes, headers, bodies,
SSE frames). AXME_SCHEMATHESIS_SECONDS sets the budget (default 90)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import start_server

HERE = Path(__file__).parent
SPEC = HERE.parents[1] / "spec" / "dist" / "openapi.json"
BUDGET = int(os.environ.get("AXME_SCHEMATHESIS_SECONDS", "90"))


@pytest.mark.timeout(BUDGET + 120)
def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if st is None:
        pytest.fail("schemathesis is not installed: pip install -e 'server[dev]'")
    proc = start_server(tmp_path / "data")
    try:
        key = proc.admin_key
        assert key
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "hooks",
            "PYTHONPATH": str(HERE / "schemathesis"),
            "AXME_ST_KEY_ID": key.split("_")[2],
        }
        cmd = [
            st,
            "--config-file",
            str(HERE / "schemathesis" / "schemathesis.toml"),
            "--no-color",
            "run",
            str(SPEC),
            "--url",
            proc.base_url,
            "-H",
            f"x-api-key: {key}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--generation-deterministic",
            "--seed",
            "1",
            "--max-time",
            str(BUDGET),
            "--workers",
            "1",
            "--request-timeout",
            "10",
            # Hypothesis health checks judge the generator, not the server: how many candidates
            # the agent-address path pattern filters out, and how long generation takes. Both
            # vary with machine load (one CI run failed them on three address paths, the next
            # passed), so they are off; every server check stays on.
            "--suppress-health-check",
            "filter_too_much,too_slow",
            "--report",
            "junit",
            "--report-junit-path",
            str(tmp_path / "schemathesis.xml"),
        ]
        run = subprocess.run(
            cmd, check=False, capture_output=True, text=True, timeout=BUDGET + 90, env=env, cwd=tmp_path
        )
        out = run.stdout + run.stderr
        (tmp_path / "schemathesis.txt").write_text(out)
        assert run.returncode == 0, out[-12000:]
        assert "Stateful" in out and "Fuzzing" in out
    finally:
        code = proc.stop()
    errors = [ln for ln in proc.stderr_path.read_text().splitlines() if " ERROR " in ln]
    assert not errors, "server logged errors:\n" + "\n".join(errors[:20])
    assert code == 0
