"""Where the CLI keeps its settings: `$AXME_CONFIG_DIR`, else the platform's config
dir + `axme` (`~/.config/axme`, `~/Library/Application Support/axme`, `%APPDATA%\\axme`).

config.json             {"base_url", "api_key"} written by `axme login` (mode 0600)
scenario-agents.json    agent keys returned by `axme scenarios apply` (mode 0600)
agents.json             agent keys returned by `axme agents create` (mode 0600)

Both key files are `{"agents": {"<canonical address>": {"api_key", "base_url", …}}}`;
a newer key for the same address replaces the older one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._profile import PROFILE_FILE
from .._profile import config_dir as sdk_config_dir

CONFIG_FILE = PROFILE_FILE
SCENARIO_AGENTS_FILE = "scenario-agents.json"
AGENTS_FILE = "agents.json"


class SettingsError(Exception):
    """A settings file exists but cannot be used."""


def config_dir() -> Path:
    """The SDKs' AXME config directory, so they read the profile login writes (REQ-CLIENT-008)."""
    return sdk_config_dir()


def read_json(name: str) -> dict[str, Any]:
    path = config_dir() / name
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path} must contain a JSON object")
    return data


def write_private_json(name: str, data: dict[str, Any]) -> Path:
    """Write atomically with mode 0600 (the file holds API keys)."""
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / name
    temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def resolve_connection(api_key: str | None, base_url: str | None) -> tuple[str | None, str | None]:
    """Flags win, then AXME_API_KEY / AXME_BASE_URL, then config.json."""
    stored = read_json(CONFIG_FILE)
    key = api_key or os.environ.get("AXME_API_KEY") or stored.get("api_key")
    url = base_url or os.environ.get("AXME_BASE_URL") or stored.get("base_url")
    return key, url


def remember_agent_keys(name: str, entries: dict[str, dict[str, Any]]) -> Path:
    """Merge agent keys (address -> entry with "api_key") into the private file `name`."""
    stored = read_json(name)
    agents = stored.setdefault("agents", {})
    if not isinstance(agents, dict):
        raise SettingsError(f'{config_dir() / name}: "agents" must be a JSON object')
    agents.update(entries)
    return write_private_json(name, stored)


def remember_scenario_agents(
    base_url: str, scenario_id: str | None, intent_id: str, agents: list[dict[str, Any]]
) -> Path | None:
    """Keys of the agents `axme scenarios apply` created -> scenario-agents.json."""
    entries = {
        agent["address"]: {
            "api_key": agent["api_key"],
            "role": agent.get("role"),
            "base_url": base_url,
            "scenario_id": scenario_id,
            "intent_id": intent_id,
        }
        for agent in agents
        if agent.get("api_key")
    }
    return remember_agent_keys(SCENARIO_AGENTS_FILE, entries) if entries else None


def remember_created_agent(base_url: str, address: str, api_key: str) -> Path:
    """The key `axme agents create` got -> agents.json."""
    return remember_agent_keys(AGENTS_FILE, {address: {"api_key": api_key, "base_url": base_url}})
