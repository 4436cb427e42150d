"""Run users' programs as separate processes, configured only by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..integration.server import RunningServer

AXME = Path(sys.executable).parent / "axme"


def user_env(server: RunningServer, api_key: str, config_dir: Path) -> dict[str, str]:
    """The caller's environment minus any AXME_* setting, plus the two a user sets
    (and a private settings directory for the CLI)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXME_")}
    env.update(AXME_API_KEY=api_key, AXME_BASE_URL=server.base_url, AXME_CONFIG_DIR=str(config_dir))
    return env


def run(
    cmd: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def start_script(env: dict[str, str], script: Path, *args: str) -> subprocess.Popen[str]:
    """A long-running program (an agent); stop it with `stop`."""
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> str:
    """SIGTERM (then SIGKILL after 10 s); returns everything it printed."""
    process.terminate()
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=5)
    return out + err
