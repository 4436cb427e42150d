"""Issue 4's "done when" flows, as separate processes with only AXME_API_KEY/AXME_BASE_URL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SCENARIO_FILE
from ..integration.server import RunningServer, start_server

pytestmark = pytest.mark.integration
HERE = Path(__file__).resolve().parent
AXME = Path(sys.executable).parent / "axme"


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A brand-new local server (workspace local/default), as a user would start it."""
    data = tmp_path / "data"
    data.mkdir()
    running = start_server(data)
    yield running
    running.stop()


def user_env(server: RunningServer, api_key: str, config_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AXME_")}
    env.update(AXME_API_KEY=api_key, AXME_BASE_URL=server.base_url, AXME_CONFIG_DIR=str(config_dir))
    return env


def run(
    cmd: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def start_agent(env: dict[str, str], address: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "agent.py"), address],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=5)
    return out + err


def test_initiator_snippet_and_listen_agent(fresh_server: RunningServer, tmp_path: Path) -> None:
    env = user_env(fresh_server, fresh_server.admin_api_key, tmp_path / "cfg")
    created = run([str(AXME), "agents", "create", "infra-validator", "--json"], env)
    assert created.returncode == 0, created.stderr
    agent_key = json.loads(created.stdout)["api_key"]
    agent = start_agent({**env, "AXME_API_KEY": agent_key}, "infra-validator")
    try:
        initiator = run([sys.executable, str(HERE / "initiator.py")], env)
    finally:
        agent_output = stop(agent)
    assert initiator.returncode == 0, initiator.stderr
    assert initiator.stdout.strip() == "COMPLETED"
    assert "completed " in agent_output


def wait_for_status(env: dict[str, str], intent_id: str, wanted: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        shown = run([str(AXME), "intents", "get", intent_id, "--json"], env)
        assert shown.returncode == 0, shown.stderr
        intent = json.loads(shown.stdout)
        if intent["status"] == wanted:
            return intent
        if time.monotonic() > deadline:
            raise AssertionError(f"intent stayed {intent['status']}, wanted {wanted}")
        time.sleep(0.2)


def test_cli_scenario_apply_agent_approve_completed(
    fresh_server: RunningServer, tmp_path: Path
) -> None:
    config_dir = tmp_path / "cfg"
    env = user_env(fresh_server, fresh_server.admin_api_key, config_dir)
    applied = run([str(AXME), "scenarios", "apply", str(SCENARIO_FILE)], env)
    assert applied.returncode == 0, applied.stderr
    saved = config_dir / "scenario-agents.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    [(address, entry)] = json.loads(saved.read_text())["agents"].items()
    intent_id = entry["intent_id"]
    assert intent_id in applied.stdout
    agent = start_agent({**env, "AXME_API_KEY": entry["api_key"]}, address)
    try:
        wait_for_status(env, intent_id, "WAITING")
    finally:
        stop(agent)
    tasks = run([str(AXME), "tasks", "list"], env)
    assert intent_id in tasks.stdout
    approved = run([str(AXME), "tasks", "approve", intent_id, "--comment", "ship it"], env)
    assert approved.returncode == 0, approved.stderr
    shown = run([str(AXME), "intents", "get", intent_id], env)
    assert shown.returncode == 0 and "COMPLETED" in shown.stdout
    audit = run([str(AXME), "intents", "audit", intent_id, "--json"], env)
    assert any(e.get("comment") == "ship it" for e in json.loads(audit.stdout)["audit"])
