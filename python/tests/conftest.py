"""Shared fixtures: the real reference server (started once per test session)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
