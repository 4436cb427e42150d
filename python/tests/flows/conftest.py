"""The server of the flow tests: started as a user would start it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..integration.server import RunningServer, start_server
from .snippet import ORG, WORKSPACE


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A brand-new local server (no testing endpoints), its first workspace named like
    the one docs/architecture.md's snippet and the README address (myorg/production)."""
    data = tmp_path / "data"
    data.mkdir()
    running = start_server(data, testing=False, extra_args=["--org", ORG, "--workspace", WORKSPACE])
    yield running
    running.stop()
