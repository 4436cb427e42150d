"""The profile `axme login` saves, read by every SDK the same way (REQ-CLIENT-008).

`config.json` in the AXME config directory: `$AXME_CONFIG_DIR`, else the platform's
config dir (`%APPDATA%\\axme`, `~/Library/Application Support/axme`,
`$XDG_CONFIG_HOME/axme` or `~/.config/axme`). Its string members `base_url` and
`api_key` are the fallbacks after the explicit configuration and the environment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs

PROFILE_FILE = "config.json"


class ProfileError(ValueError):
    """The profile exists but cannot be used; the message names its path."""


def config_dir() -> Path:
    override = os.environ.get("AXME_CONFIG_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("axme", appauthor=False, roaming=True))


def profile_path() -> Path:
    return config_dir() / PROFILE_FILE


def read_profile() -> dict[str, str]:
    """The profile's `base_url` / `api_key` (absent members left out); {} without a file."""
    path = profile_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ProfileError(f"cannot read the AXME profile {path}: {exc}") from exc
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise ProfileError(f"the AXME profile {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"the AXME profile {path} must contain a JSON object")
    values: dict[str, str] = {}
    for member in ("base_url", "api_key"):
        value = data.get(member)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ProfileError(f"the AXME profile {path}: {member} must be a string")
        if value.strip():
            values[member] = value.strip()
    return values
