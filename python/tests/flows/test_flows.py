"""Issue 4's "done when" flows, as separate processes with only AXME_API_KEY/AXME_BASE_URL."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SCENARIO_FILE
from ..integration.server import RunningServer
from .processes import AXME, run, start_script, stop, user_env
from .snippet import (
    AGENT_ADDRESS,
    ARCHITECTURE_MD,
    ORG,
    VERBATIM_COPY,
    WORKSPACE,
    extract,
    initiator_snippet,
    runnable,
)

pytestmark = pytest.mark.integration
HERE = Path(__file__).resolve().parent


def start_agent(env: dict[str, str], address: str) -> subprocess.Popen[str]:
    return start_script(env, HERE / "agent.py", address)


def test_initiator_snippet_and_listen_agent(fresh_server: RunningServer, tmp_path: Path) -> None:
    """The snippet of docs/architecture.md, run literally (plus `import os`), while the listen-based
    agent (agent.py) serves the address the snippet names and completes the intent."""
    snippet, source = initiator_snippet()
    assert AGENT_ADDRESS in snippet, (
        f"the snippet from {source} no longer addresses {AGENT_ADDRESS}"
    )
    script = tmp_path / "initiator.py"
    script.write_text(runnable(snippet), encoding="utf-8")
    config_dir = tmp_path / "cfg"
    env = user_env(fresh_server, fresh_server.admin_api_key, config_dir)
    created = run([str(AXME), "agents", "create", AGENT_ADDRESS], env)
    assert created.returncode == 0, created.stderr
    agent_key = json.loads((config_dir / "agents.json").read_text())["agents"][AGENT_ADDRESS][
        "api_key"
    ]
    agent = start_agent({**env, "AXME_API_KEY": agent_key}, AGENT_ADDRESS)
    try:
        initiator = run([sys.executable, str(script)], env)
    finally:
        agent_output = stop(agent)
    assert initiator.returncode == 0, f"snippet from {source} failed:\n{initiator.stderr}"
    assert initiator.stdout.strip() == "COMPLETED"
    assert "completed " in agent_output


def test_snippet_is_the_documented_one() -> None:
    """The verbatim copy (used where the design document is absent) is still the
    document's snippet, and the script run differs from it only by `import os`."""
    if not ARCHITECTURE_MD.is_file():
        pytest.skip(f"{ARCHITECTURE_MD} is not on this machine")
    snippet, source = initiator_snippet()
    assert snippet == VERBATIM_COPY, f"{source} changed its snippet; update VERBATIM_COPY"
    assert runnable(snippet).splitlines()[1:] == snippet.splitlines()
    with pytest.raises(ValueError, match="no longer says"):
        extract("# no snippet here\n")


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
    assert address == f"agent://{ORG}/{WORKSPACE}/infra-validator-demo"
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
