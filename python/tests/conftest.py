"""Shared fixtures: the real reference server (started once per test session)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from axme.cli.main import main

from .integration.server import RunningServer, start_server

REPO = Path(__file__).resolve().parents[2]
SCENARIO_FILE = (
    REPO
    / "spec"
    / "examples"
    / "scenario_bundle"
    / "valid"
    / "durable-execution-human-approval.json"
)


@pytest.fixture(autouse=True)
def no_login_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the machine's `axme login` profile (REQ-CLIENT-008): an empty
    config dir unless a test sets AXME_CONFIG_DIR itself."""
    monkeypatch.setenv("AXME_CONFIG_DIR", str(tmp_path / "no-profile"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("axme-server") / "data"
    data_dir.mkdir()
    running = start_server(
        data_dir, extra_args=["--keepalive-seconds", "1", "--lease-seconds", "4"]
    )
    yield running
    running.stop()


@pytest.fixture
def namespace(server: RunningServer) -> tuple[str, str]:
    """A fresh workspace on the shared server: (namespace, admin key)."""
    return server.new_namespace()


@pytest.fixture
def scenario_bundle() -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(SCENARIO_FILE.read_text())
    return copy.deepcopy(bundle)


@pytest.fixture
def cli(
    server: RunningServer,
    namespace: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    """Run `axme ARGV…` in-process against a fresh namespace: (exit code, stdout, stderr)."""
    monkeypatch.setenv("AXME_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("AXME_API_KEY", namespace[1])
    monkeypatch.setenv("AXME_BASE_URL", server.base_url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
