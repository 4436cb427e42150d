"""`--org/--workspace` on a data dir that already has workspaces is never ignored (REQ-AUTH-014)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from helpers import start_server


def _register(base_url: str, key: str, name: str) -> httpx.Response:
    return httpx.post(base_url + "/v1/agents", headers={"x-api-key": key}, json={"address": name})


def test_naming_a_new_workspace_on_an_existing_data_dir_creates_it(tmp_path: Path) -> None:
    first = start_server(tmp_path)
    try:
        assert first.admin_key
        assert (
            _register(first.base_url, first.admin_key, "a").json()["agent"]["address"]
            == "agent://local/default/a"
        )
    finally:
        assert first.stop() == 0

    named = start_server(tmp_path, "--org", "myorg", "--workspace", "production")
    try:
        assert named.admin_key, "the new workspace's admin key is printed"
        created = _register(named.base_url, named.admin_key, "infra-validator").json()
        assert created["agent"]["address"] == "agent://myorg/production/infra-validator"
        key_file = tmp_path / "admin-myorg-production.key"
        assert key_file.read_text().strip() == named.admin_key
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        # the first workspace is the operator's: it sees both
        listed = httpx.get(
            named.base_url + "/v1/admin/workspaces", headers={"x-api-key": first.admin_key}
        ).json()
        assert [(w["org"], w["name"]) for w in listed["workspaces"]] == [
            ("local", "default"),
            ("myorg", "production"),
        ]
    finally:
        assert named.stop() == 0

    again = start_server(tmp_path, "--org", "myorg", "--workspace", "production")
    try:
        assert again.admin_key is None
        assert "workspace myorg/production already exists" in again.stderr_path.read_text()
    finally:
        assert again.stop() == 0

    plain = start_server(tmp_path)  # no flags: nothing new
    try:
        assert plain.admin_key is None
        listed = httpx.get(
            plain.base_url + "/v1/admin/workspaces", headers={"x-api-key": first.admin_key}
        ).json()
        assert len(listed["workspaces"]) == 2
    finally:
        assert plain.stop() == 0


def test_a_flag_that_is_not_one_segment_is_a_usage_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "axme_server", "--org", "a/b/c", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert out.returncode == 2 and "--org must be one address segment" in out.stderr
