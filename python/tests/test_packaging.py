"""The package as users get it: `pip install ./python` in a fresh venv, and mypy --strict."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def test_hand_written_layer_is_mypy_strict_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "src/axme"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(PROJECT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run(
        [
            str(python),
            "-c",
            (
                "import axme, pathlib, axme._generated.models as g;"
                "from axme import AxmeClient, AxmeClientConfig, AsyncAxmeClient;"
                "assert (pathlib.Path(axme.__file__).parent / 'py.typed').exists();"
                "assert g.IntentStatus.COMPLETED == 'COMPLETED';"
                "print(axme.__version__, axme.__file__)"
            ),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    assert str(env_dir) in check.stdout  # the installed copy, not the source tree
    cli = subprocess.run(
        [str(env_dir / "bin" / "axme"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert cli.returncode == 0 and cli.stdout.strip().startswith("axme ")
    helped = subprocess.run(
        [str(env_dir / "bin" / "axme"), "tasks", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert helped.returncode == 0 and "approve" in helped.stdout
