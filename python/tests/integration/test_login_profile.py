"""`axme login` writes the profile every SDK reads (REQ-CLIENT-008): after it, a client
made with no settings at all talks to the server login named, with its key — the
local key never goes to the public default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import axme
from axme import AxmeClient, AxmeClientConfig

from .server import RunningServer

pytestmark = pytest.mark.integration


def test_a_client_without_settings_uses_what_login_saved(
    cli: Any,
    tmp_path: Path,
    server: RunningServer,
    namespace: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, _ = cli("login", "--api-key", namespace[1], "--base-url", server.base_url)
    assert code == 0
    assert axme.profile_path() == tmp_path / "cfg" / "config.json"
    assert axme.profile_path().exists()
    monkeypatch.delenv("AXME_API_KEY")
    monkeypatch.delenv("AXME_BASE_URL")
    config = AxmeClientConfig()
    assert config.base_url == server.base_url.rstrip("/")
    with AxmeClient(config) as client:
        assert client.list_intents(limit=1).intents == []
