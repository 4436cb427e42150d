"""Client defaults: explicit config, then AXME_API_KEY / AXME_BASE_URL, then the profile
`axme login` saved, then the public URL (REQ-CLIENT-001, REQ-CLIENT-008); connection
errors name the URL they tried (REQ-CLIENT-009)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
import respx

import axme
from axme import AxmeClient, AxmeClientConfig, AxmeConnectionError, AxmeTimeoutError

from .conftest import BASE, make_config

LOCAL = "http://127.0.0.1:8100"
PROFILE = {"base_url": LOCAL, "api_key": "axme_admin_profile_secret"}


@pytest.fixture
def profile_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "axme-config"
    directory.mkdir()
    monkeypatch.setenv("AXME_CONFIG_DIR", str(directory))
    monkeypatch.delenv("AXME_API_KEY", raising=False)
    monkeypatch.delenv("AXME_BASE_URL", raising=False)
    return directory


def write_profile(directory: Path, content: object) -> Path:
    path = directory / "config.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_the_profile_fills_what_neither_config_nor_environment_gives(profile_dir: Path) -> None:
    write_profile(profile_dir, PROFILE)
    config = AxmeClientConfig()
    assert (config.base_url, config.api_key) == (LOCAL, PROFILE["api_key"])


def test_environment_and_config_win_over_the_profile(
    profile_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(profile_dir, PROFILE)
    monkeypatch.setenv("AXME_BASE_URL", "http://env.test")
    config = AxmeClientConfig()
    assert (config.base_url, config.api_key) == ("http://env.test", PROFILE["api_key"])
    monkeypatch.setenv("AXME_API_KEY", "axme_admin_env_secret")
    assert AxmeClientConfig().api_key == "axme_admin_env_secret"
    explicit = AxmeClientConfig(api_key="axme_admin_given_secret", base_url="http://given.test")
    assert (explicit.base_url, explicit.api_key) == ("http://given.test", "axme_admin_given_secret")


def test_without_a_profile_the_public_url_is_the_default(profile_dir: Path) -> None:
    assert AxmeClientConfig(api_key="axme_admin_k_s").base_url == axme.DEFAULT_BASE_URL
    with pytest.raises(ValueError, match="axme login"):
        AxmeClientConfig()


def test_a_profile_with_only_a_base_url_still_needs_a_key(profile_dir: Path) -> None:
    write_profile(profile_dir, {"base_url": LOCAL, "other": 1})
    assert AxmeClientConfig(api_key="axme_admin_k_s").base_url == LOCAL
    with pytest.raises(ValueError, match="needs an API key"):
        AxmeClientConfig()


@pytest.mark.parametrize(
    "content",
    ["{not json", "[1, 2]", {"base_url": 8100}, {"api_key": ["x"]}],
)
def test_a_broken_profile_is_a_configuration_error_naming_the_file(
    profile_dir: Path, content: object
) -> None:
    path = write_profile(profile_dir, content)
    with pytest.raises(ValueError, match=str(path).replace("\\", "\\\\")):
        AxmeClientConfig()


def test_a_broken_profile_is_not_read_when_nothing_is_missing(profile_dir: Path) -> None:
    write_profile(profile_dir, "{not json")
    AxmeClientConfig(api_key="axme_admin_k_s", base_url=LOCAL)


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux branch of the rule")
def test_the_config_dir_follows_xdg_on_linux(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AXME_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert axme.profile_path() == tmp_path / "xdg" / "axme" / "config.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert axme.config_dir() == tmp_path / "home" / ".config" / "axme"
    monkeypatch.setenv("AXME_CONFIG_DIR", str(tmp_path / "override"))
    assert axme.config_dir() == tmp_path / "override"


@respx.mock(base_url=BASE)
def test_connection_errors_name_the_url_tried(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/v1/intents/i-1").mock(side_effect=httpx.ConnectError("refused"))
    respx_mock.get("/v1/agents").mock(side_effect=httpx.ReadTimeout("slow"))
    with AxmeClient(make_config(max_retries=0)) as client:
        with pytest.raises(AxmeConnectionError, match=f"{BASE}/v1/intents/i-1 failed"):
            client.get_intent("i-1")
        with pytest.raises(AxmeTimeoutError, match=f"{BASE}/v1/agents timed out"):
            client.list_agents(limit=5)
